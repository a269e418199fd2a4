"""The scenarios: which outcome each review plays, as data, and the
documented errors and reasons those outcomes carry.

Scenario outcomes apply to the first attempt only: a resubmitted brand, an
edited campaign or a re-submitted profile passes, so that a2pctl's
remediation paths can be seen completing.
"""

from __future__ import annotations

from dataclasses import dataclass

from a2pctl.sandbox.wire import Json
from a2pctl.sandbox.world import World

# A fast, programmatic validation failure (email or address check) comes this
# fraction of a review after submission: within the 30 s pause Twilio
# recommends after each submission precisely to catch it (docs/twilio/flows.md §2 step 1.8).
QUICK_VALIDATION_FACTOR = 0.1
# slow-review: a brand stays IN_REVIEW this many review steps (1 h at 2 s/step).
SLOW_REVIEW_FACTOR = 1800.0
# The spec's example rate limits of a registered campaign.
CAMPAIGN_RATE_LIMITS = {"att": {"mps": 600, "msg_class": "A"}, "tmobile": {"brand_tier": "TOP"}}
DOCS_ERRORS = "https://www.twilio.com/docs/api/errors/"
# CustomerProfile `errors[]` item code: the official spec's example value.
BUNDLE_REJECTED_CODE = 18601
ADDRESS_REJECTION = "The provided address is not a valid US or Canada address"
EMAIL_REJECTION = "The provided email address could not be verified"
NUMBER_FAILURE_REASON = DOCS_ERRORS + "30126"


@dataclass(frozen=True)
class Scenario:
    description: str
    reject_profiles: bool = False
    reject_profile_email: bool = False
    noncompliant_first_evaluation: bool = False
    fail_brands: bool = False
    answer_otp: bool = True
    slow_brand_review: bool = False
    reject_campaigns: bool = False
    fail_numbers: bool = False
    expire_2fa: bool = False


SCENARIO_TABLE: dict[str, Scenario] = {
    "default": Scenario(
        "everything approves; the sole-proprietor OTP is answered one review step after it is sent"
    ),
    "brand-fails": Scenario(
        "brands FAILED with errors (30795 legal name vs EIN; sole proprietors: failure_reason "
        "'Unable to register Brand with The Campaign Registry'); a resubmission passes",
        fail_brands=True,
    ),
    "campaign-rejected": Scenario(
        "campaigns FAILED with errors 30886 (USE_CASE DESCRIPTION) and 30893 (SAMPLE MESSAGE_1); "
        "an edited campaign passes",
        reject_campaigns=True,
    ),
    "otp-never-answered": Scenario(
        "sole-proprietor brands stay APPROVED with identity_status UNVERIFIED (OTP never answered)",
        answer_otp=False,
    ),
    "bundle-rejected": Scenario(
        "customer profiles twilio-rejected with a failure reason (address validation) shortly "
        "after submission; a re-submitted profile passes",
        reject_profiles=True,
    ),
    "email-rejected": Scenario(
        "customer profiles twilio-rejected for their Email (e-mail validation) shortly after "
        "submission, again on each resubmission until the profile's Email has changed",
        reject_profile_email=True,
    ),
    "slow-review": Scenario(
        f"brands go IN_REVIEW and stay there for {SLOW_REVIEW_FACTOR:g} review steps",
        slow_brand_review=True,
    ),
    "evaluation-noncompliant": Scenario(
        "the first evaluation of each bundle is noncompliant (22218 on a phone number); "
        "re-evaluations follow the policy",
        noncompliant_first_evaluation=True,
    ),
    "number-registration-fails": Scenario(
        "phone numbers fail A2P registration (number-registration.failed, error 30126)",
        fail_numbers=True,
    ),
    "2fa-expired": Scenario(
        "public for-profit brands stay APPROVED, identity UNVERIFIED, with error 21737 (the "
        "Authentication+ 2FA e-mail expired) until `brand 2fa resend`; the new one is confirmed "
        "one review step later",
        expire_2fa=True,
    ),
}


def scenario_of(world: World) -> Scenario:
    return SCENARIO_TABLE[world.scenario]


def campaign_error(code: int, field: str, description: str) -> Json:
    return {
        "error_code": code,
        "fields": [field] if field else [],
        "url": DOCS_ERRORS + str(code),
        "description": description,
    }


CAMPAIGN_REJECTION = [
    campaign_error(
        30886,
        "USE_CASE DESCRIPTION",
        "The campaign submission has been reviewed and it was rejected because of invalid "
        "campaign description.",
    ),
    campaign_error(
        30893,
        "SAMPLE MESSAGE_1",
        "The campaign submission has been reviewed and it was rejected because of invalid "
        "sample message content.",
    ),
]


BUNDLE_FETCH_FAILURES = {
    "customer_profile_bundle_sid": "Unable to fetch Customer Profile Bundle details, please "
    "check if the correct bundle sid was provided for registration and the bundle is compliant.",
    "a2p_profile_bundle_sid": "Unable to fetch A2P Bundle Details, please check if the correct "
    "bundle sid was provided for registration and the bundle is compliant.",
}
SOLE_PROPRIETOR_TCR_FAILURE = "Unable to register Brand with The Campaign Registry"
LEGAL_NAME_MISMATCH = campaign_error(
    30795,
    "business_name",
    "Brand Registration Feedback: The submitted legal company name does not match with US EIN.",
)
LEGAL_NAME_MISMATCH["fields"] = [
    "business_registration_number",
    "business_registration_identifier",
    "business_name",
]
