"""The remediation catalogue: every documented status and failure has a meaning, a
next action and, where it concerns one, the customer-file field to fix."""

from __future__ import annotations

import re
from typing import Any

import pytest

from a2pctl.remediation import catalogue as rem
from a2pctl.remediation import codes
from a2pctl.remediation.catalogue import FAILED, OK, PENDING

# Every code docs/twilio/remediation.md lists, by stage.
EVALUATION_CODES = [22214, 22215, 22216, 22217, 22218, 22219]
BRAND_CODES = [
    30701, 30702, 30703, 30729, 30747, 30748, 30749, 30750, 30752, 30755, 30756, 30758,
    30790, 30791, 30792, 30793, 30795, 30796, 30797, 30798, 30799,
    21724, 21725, 21726, 21731, 21736, 21737, 21738, 21739, 21740, 21741,
]  # fmt: skip
CAMPAIGN_CODES = [
    *range(30880, 30910), 30991, 30992, 30993, 30994,
    21714, 21717, 21719, 21720, 21727, 21728, 21729, 21730, 21732, 21737,
]  # fmt: skip
NUMBER_CODES = [30126, 30033, 30034, 30035]

# A customer-file path: section(.field), with list indexes (docs/contract.md §2).
PATH = re.compile(
    r"^(name|flow|phone_numbers|address|isv\.primary_customer_profile_sid"
    r"|(contact|sole_proprietor|business|messaging_profile|address|campaign"
    r"|authorized_representatives\[[01]\])(\.[a-z_]+(\[\d\])?)?)$"
)


def brand(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "sid": "BN" + "0" * 32,
        "status": "PENDING",
        "brand_type": "STANDARD",
        "identity_status": None,
        "errors": [],
        "failure_reason": None,
        "tcr_id": None,
        "brand_feedback": None,
        "mock": False,
    }
    record.update(fields)
    return record


# --- bundles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "severity"),
    [
        ("draft", PENDING),
        ("pending-review", PENDING),
        ("in-review", PENDING),
        ("twilio-approved", OK),
        ("provisionally-approved", OK),
        ("twilio-rejected", FAILED),
    ],
)
def test_every_bundle_status_has_a_meaning(status: str, severity: str) -> None:
    result = rem.for_bundle(status)
    assert result.severity == severity
    assert result.explanation
    if severity != OK:
        assert result.action


def test_a_bundle_not_created_yet_is_pending_with_register_as_the_action() -> None:
    assert rem.for_bundle(None) == rem.NOT_CREATED
    assert "a2pctl register" in (rem.NOT_CREATED.action or "")


def test_an_unknown_bundle_status_is_pending_not_a_crash() -> None:
    assert rem.for_bundle("archived").severity == PENDING


NONCOMPLIANT_STARTER = {
    "status": "noncompliant",
    "results": [
        {
            "object_type": "starter_customer_profile_information",
            "passed": False,
            "failure_reason": None,
            "error_code": None,
            "invalid": [
                {
                    "friendly_name": "Email",
                    "object_field": "email",
                    "failure_reason": "The Email is missing.",
                    "error_code": 22215,
                }
            ],
            "requirement_name": "starter_customer_profile_information",
        },
        {
            "object_type": "customer_profile_address",
            "passed": False,
            "failure_reason": "The address is missing.",
            "error_code": 22219,
            "invalid": [],
            "requirement_name": "customer_profile_address",
        },
    ],
}


def test_a_noncompliant_draft_bundle_fails_naming_the_first_field() -> None:
    result = rem.for_bundle("draft", NONCOMPLIANT_STARTER)
    assert result.severity == FAILED
    assert result.field == "contact.email"
    assert "The Email is missing. (error 22215)" in result.explanation
    assert "(and 1 more)" in result.explanation


def test_a_noncompliant_evaluation_does_not_fail_a_bundle_already_in_review() -> None:
    assert rem.for_bundle("in-review", NONCOMPLIANT_STARTER).severity == PENDING


@pytest.mark.parametrize(
    ("reason", "field"),
    [
        ("Email domain has an invalid address syntax.", "contact.email"),
        ("Unknown email domain.", "contact.email"),
        ("Email is a suspected disposable address.", "contact.email"),
        ("Email is invalid.", "contact.email"),
        ("Address not found with sid AD123", "address"),
        ("The provided address is not a valid US or Canada address", "address"),
        ("[address_sids] - Invalid Postal Code. Address suggestion -> ...", "address.postal_code"),
        ("[address_sids] - Invalid Street. Address suggestion -> ...", "address.street"),
        ("[address_sids] - Invalid Locality. Address suggestion -> ...", "address.city"),
        ("[address_sids] - Invalid Region. Address suggestion -> ...", "address.region"),
        ("[address_sids] - Invalid House Number", "address.street"),
    ],
)
def test_documented_bundle_rejection_reasons_point_at_the_field(reason: str, field: str) -> None:
    result = rem.for_bundle("twilio-rejected", failure_reason=reason)
    assert result.severity == FAILED
    assert result.field == field
    assert reason in result.explanation


# --- evaluations -------------------------------------------------------------------------


def test_evaluation_problems_of_the_openapi_example_map_to_customer_file_fields() -> None:
    evaluation = {
        "status": "noncompliant",
        "results": [
            {
                "friendly_name": "Business",
                "object_type": "business",
                "passed": False,
                "failure_reason": "A Business End-User is missing.",
                "error_code": 22214,
                "valid": [],
                "invalid": [
                    {
                        "friendly_name": "Business Name",
                        "object_field": "business_name",
                        "failure_reason": "The Business Name is missing.",
                        "error_code": 22215,
                    },
                    {
                        "friendly_name": "First Name",
                        "object_field": "first_name",
                        "failure_reason": "The First Name is missing.",
                        "error_code": 22215,
                    },
                ],
                "requirement_friendly_name": "Business",
                "requirement_name": "business_info",
            },
            {"object_type": "sole_proprietor_information", "passed": True, "invalid": []},
        ],
    }
    assert rem.evaluation_problems(evaluation) == [
        ("business", "A Business End-User is missing. (error 22214)"),
        ("business.business_name", "The Business Name is missing. (error 22215)"),
        ("business", "The First Name is missing. (error 22215)"),
    ]


def test_evaluation_problems_fall_back_to_the_catalogue_when_twilio_gives_no_reason() -> None:
    evaluation = {
        "results": [
            {"object_type": "customer_profile_address", "passed": False, "error_code": 22219}
        ]
    }
    assert rem.evaluation_problems(evaluation) == [
        ("address", "The address is missing. (error 22219)")
    ]


SP, REP = "sole_proprietor", "authorized_representatives"


@pytest.mark.parametrize(
    ("object_type", "field", "path"),
    [
        ("starter_customer_profile_information", "email", "contact.email"),
        ("starter_customer_profile_information", "phone_number", "contact.phone_number"),
        ("sole_proprietor_information", "mobile_phone_number", f"{SP}.mobile_phone_number"),
        ("sole_proprietor_information", "brand_name", "sole_proprietor.brand_name"),
        ("customer_profile_business_information", "website_url", "business.website_url"),
        ("customer_profile_address", "address_sids", "address"),
        ("authorized_representative_1", "phone_number", f"{REP}[0].phone_number"),
        ("authorized_representative_2", "job_position", f"{REP}[1].job_position"),
        ("us_a2p_messaging_profile_information", "stock_ticker", "messaging_profile.stock_ticker"),
        ("primary_customer_profile", "bundle_sid", "isv.primary_customer_profile_sid"),
        ("starter_customer_profile_type_business", "bundle_status", None),
        (None, "business_registration_number", "business.business_registration_number"),
        (None, "first_name", None),  # contact or a representative: ambiguous
    ],
)  # fmt: skip
def test_evaluation_fields_map_to_customer_file_paths(
    object_type: str | None, field: str, path: str | None
) -> None:
    assert rem.customer_field("evaluation", field, object_type=object_type) == path


# --- brands ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "brand_type", "identity", "severity"),
    [
        ("PENDING", "STANDARD", None, PENDING),
        ("PENDING", "SOLE_PROPRIETOR", None, PENDING),
        ("IN_REVIEW", "STANDARD", None, PENDING),
        ("APPROVED", "SOLE_PROPRIETOR", "UNVERIFIED", PENDING),
        ("APPROVED", "SOLE_PROPRIETOR", "SELF_DECLARED", PENDING),
        ("APPROVED", "SOLE_PROPRIETOR", None, PENDING),
        ("APPROVED", "SOLE_PROPRIETOR", "VERIFIED", OK),
        ("APPROVED", "SOLE_PROPRIETOR", "VETTED_VERIFIED", OK),
        ("APPROVED", "STANDARD", "UNVERIFIED", PENDING),
        ("APPROVED", "STANDARD", "VERIFIED", OK),
        ("APPROVED", "STANDARD", "VETTED_VERIFIED", OK),
        ("APPROVED", "STANDARD", "SELF_DECLARED", OK),
        ("FAILED", "STANDARD", None, FAILED),
        ("FAILED", "SOLE_PROPRIETOR", None, FAILED),
        ("SUSPENDED", "STANDARD", "VERIFIED", FAILED),
        ("DELETION_PENDING", "STANDARD", None, PENDING),
        ("DELETION_FAILED", "STANDARD", None, FAILED),
    ],
)
def test_every_brand_status_and_identity_has_a_meaning(
    status: str, brand_type: str, identity: str | None, severity: str
) -> None:
    result = rem.for_brand(brand(status=status, brand_type=brand_type, identity_status=identity))
    assert result.severity == severity
    assert result.explanation
    if severity != OK:
        assert result.action


def test_an_unanswered_otp_tells_the_customer_to_reply_yes_and_how_to_resend() -> None:
    result = rem.for_brand(
        brand(status="APPROVED", brand_type="SOLE_PROPRIETOR", identity_status="UNVERIFIED")
    )
    assert "+1 (915) 278-2000" in result.explanation
    assert "24 hours" in result.explanation
    assert "a2pctl otp resend" in (result.action or "")
    assert result.field == "sole_proprietor.mobile_phone_number"


def test_a_mock_sole_proprietor_brand_is_ok_without_an_otp() -> None:
    result = rem.for_brand(
        brand(status="APPROVED", brand_type="SOLE_PROPRIETOR", identity_status=None, mock=True)
    )
    assert result == rem.MOCK_SOLE_PROPRIETOR


def test_a_failed_brand_with_a_tcr_id_says_fix_and_resubmit() -> None:
    error = {
        "error_code": 30795,
        "description": "Legal name mismatch",
        "fields": ["business_name"],
    }
    result = rem.for_brand(brand(status="FAILED", tcr_id="BXXXXXX", errors=[error]))
    assert result.severity == FAILED
    assert result.field == "business.business_name"
    assert "CP 575" in (result.action or "")
    assert "can be resubmitted" in (result.action or "")


def test_a_failed_brand_without_a_tcr_id_cannot_be_resubmitted() -> None:
    result = rem.for_brand(brand(status="FAILED", errors=[{"error_code": 30793}]))
    assert "cannot be resubmitted (21725)" in (result.action or "")


def test_brand_error_fields_name_the_customer_file_path_over_the_catalogue_default() -> None:
    error = {"error_code": 30701, "fields": ["region"], "description": "Invalid State"}
    assert rem.for_brand(brand(status="FAILED", errors=[error])).field == "address.region"


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (
            "Unable to fetch A2P Bundle Details, please check if the correct bundle sid was "
            "provided for registration and the bundle is compliant.",
            "trust bundle",
        ),
        (
            "Unable to fetch Customer Profile Bundle details, please check if the correct bundle "
            "sid was provided for registration and the bundle is compliant.",
            "customer profile",
        ),
        ("Unable to register Brand with The Campaign Registry", "TCR rejected"),
    ],
)
def test_each_sole_proprietor_failure_reason_has_its_documented_remedy(
    reason: str, words: str
) -> None:
    result = rem.for_brand(
        brand(status="FAILED", brand_type="SOLE_PROPRIETOR", failure_reason=reason)
    )
    assert result.severity == FAILED
    assert words in result.explanation


def test_an_undocumented_failure_reason_is_quoted() -> None:
    result = rem.for_brand(brand(status="FAILED", failure_reason="Something new"))
    assert result.explanation == "Brand registration failed: Something new"


@pytest.mark.parametrize("feedback", ["TAX_ID", "STOCK_SYMBOL", "NONPROFIT", "GOVERNMENT_ENTITY"])
def test_brand_feedback_explains_a_failure_when_nothing_else_does(feedback: str) -> None:
    result = rem.for_brand(brand(status="FAILED", brand_feedback=[feedback]))
    assert result.explanation == codes.FEEDBACK[feedback][0]
    assert result.field == codes.FEEDBACK[feedback][1]


def test_brand_feedback_on_an_approved_brand_is_informational() -> None:
    result = rem.for_brand(
        brand(status="APPROVED", identity_status="VERIFIED", brand_feedback=["TAX_ID"])
    )
    assert result.severity == OK
    assert "tax ID" in result.explanation


@pytest.mark.parametrize("code", range(21736, 21742))
def test_authentication_plus_errors_fail_an_approved_brand(code: int) -> None:
    error = {"error_code": code, "fields": [], "description": "2FA"}
    result = rem.for_brand(brand(status="APPROVED", identity_status="UNVERIFIED", errors=[error]))
    assert result.severity == FAILED
    assert result.field == "messaging_profile.brand_contact_email"


# --- campaigns -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "severity"),
    [
        ("PENDING", PENDING),
        ("IN_PROGRESS", PENDING),
        ("VERIFIED", OK),
        ("FAILED", FAILED),
        ("SUSPENDED", FAILED),
        ("success", OK),  # Event Streams wording
        ("failure", FAILED),
        ("SOMETHING_NEW", PENDING),  # the enum is open
        (None, PENDING),
    ],
)
def test_every_campaign_status_has_a_meaning(status: str | None, severity: str) -> None:
    result = rem.for_campaign({"campaign_status": status, "errors": []})
    assert result.severity == severity
    assert result.explanation


@pytest.mark.parametrize(
    ("twilio_field", "path"),
    [
        ("SAMPLE MESSAGE_1", "campaign.message_samples[0]"),
        ("SAMPLE MESSAGE_5", "campaign.message_samples[4]"),
        ("SAMPLE_MESSAGE_2", "campaign.message_samples[1]"),
        ("USE_CASE DESCRIPTION", "campaign.description"),
        ("MESSAGE_FLOW", "campaign.message_flow"),
        ("CALL TO ACTION", "campaign.message_flow"),
        ("OPT_IN_MESSAGE", "campaign.opt_in_message"),
        ("OPT_OUT_KEYWORDS", "campaign.opt_out_keywords"),
        ("HELP MESSAGE", "campaign.help_message"),
        ("PRIVACY_POLICY_URL", "campaign.privacy_policy_url"),
        ("TERMS AND CONDITIONS", "campaign.terms_and_conditions_url"),
        ("EMBEDDED_PHONE", "campaign.has_embedded_phone"),
        ("AGE_GATED", "campaign.age_gated"),
        ("message_samples", "campaign.message_samples"),
        ("us_app_to_person_usecase", "campaign.us_app_to_person_usecase"),
        ("WEBSITE", "business.website_url"),
        ("SOMETHING ELSE", None),
    ],
)
def test_campaign_error_fields_map_to_customer_file_paths(twilio_field: str, path: str) -> None:
    assert rem.customer_field("campaign", twilio_field) == path


def test_a_failed_campaign_names_the_field_of_its_first_error() -> None:
    campaign = {
        "campaign_status": "FAILED",
        "errors": [
            {"error_code": 30893, "fields": ["SAMPLE MESSAGE_1"], "description": "bad sample"},
            {"error_code": 30886, "fields": ["USE_CASE DESCRIPTION"], "description": "bad"},
        ],
    }
    result = rem.for_campaign(campaign)
    assert result.severity == FAILED
    assert result.field == "campaign.message_samples[0]"
    assert result.explanation == codes.CODES[30893][0]


@pytest.mark.parametrize("code", [30882, 30883, 30884, 30885, 30897])
def test_non_resubmittable_campaign_rejections_say_delete_and_recreate(code: int) -> None:
    result = rem.for_campaign({"campaign_status": "FAILED", "errors": [{"error_code": code}]})
    assert result.action == codes.NEW_CAMPAIGN


# --- brand fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "brand_type", "path"),
    [
        ("business_name", "STANDARD", "business.business_name"),
        ("business_registration_number", "STANDARD", "business.business_registration_number"),
        ("stock_ticker", "STANDARD", "messaging_profile.stock_ticker"),
        ("stock_exchange", "STANDARD", "messaging_profile.stock_exchange"),
        ("website_url", "STANDARD", "business.website_url"),
        ("ein", "STANDARD", "business.business_registration_number"),
        ("email", "STANDARD", "authorized_representatives[0].email"),
        ("email", "SOLE_PROPRIETOR", "contact.email"),
        ("mobile_phone_number", "SOLE_PROPRIETOR", "sole_proprietor.mobile_phone_number"),
        ("business_name", "SOLE_PROPRIETOR", "sole_proprietor.brand_name"),
        ("vertical", "STANDARD", "business.business_industry"),
        ("postal_code", "STANDARD", "address.postal_code"),
        ("brand_contact_email", "STANDARD", "messaging_profile.brand_contact_email"),
        ("nonsense", "STANDARD", None),
    ],
)
def test_brand_error_fields_map_to_customer_file_paths(
    field: str, brand_type: str, path: str | None
) -> None:
    assert rem.customer_field("brand", field, object_type=brand_type) == path


def test_an_unknown_kind_of_field_maps_to_nothing() -> None:
    assert rem.customer_field("messaging_service", "friendly_name") is None


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "severity"),
    [
        ("UNREGISTERED", PENDING),
        ("PENDING_REGISTRATION", PENDING),
        ("REGISTERED", OK),
        ("PENDING_DEREGISTRATION", PENDING),
        ("FAILURE", FAILED),
        ("pending_registration", PENDING),  # Event Streams externalstatus
        ("registered", OK),
        ("failure", FAILED),
        ("FAILED", FAILED),
        (None, PENDING),
    ],
)
def test_every_number_status_has_a_meaning(status: str | None, severity: str) -> None:
    result = rem.for_number(status)
    assert result.severity == severity
    assert result.explanation


def test_the_sole_proprietor_one_number_rule_is_added_to_unregistered_numbers() -> None:
    assert "exactly one number" in rem.for_number("UNREGISTERED", sole_proprietor=True).explanation
    assert "exactly one number" not in rem.for_number("UNREGISTERED").explanation
    assert (
        "exactly one number" not in rem.for_number("REGISTERED", sole_proprietor=True).explanation
    )


def test_pending_registration_for_days_is_normal_and_needs_no_action() -> None:
    result = rem.for_number("PENDING_REGISTRATION")
    assert "Several days is normal" in result.explanation
    assert (result.action or "").startswith("Nothing to do")


# --- the error-code catalogue ---------------------------------------------------------------


@pytest.mark.parametrize("code", EVALUATION_CODES + BRAND_CODES + CAMPAIGN_CODES + NUMBER_CODES)
def test_every_documented_error_code_has_an_explanation_and_an_action(code: int) -> None:
    result = rem.for_error_code(code)
    assert result is not None
    assert result.severity == FAILED
    assert result.explanation == codes.CODES[code][0]
    assert result.action


@pytest.mark.parametrize("code", sorted(codes.CODES))
def test_catalogue_fields_are_customer_file_paths(code: int) -> None:
    field = codes.CODES[code][2]
    assert field is None or PATH.match(field), field


def test_an_already_attached_number_is_not_a_failure() -> None:
    result = rem.for_error_code(21710)
    assert result is not None and result.severity == OK


@pytest.mark.parametrize(
    ("code", "words"), [(30754, "Brand"), (30950, "Campaign"), (22299, "TrustHub")]
)
def test_undocumented_codes_in_a_known_range_get_the_range_meaning(code: int, words: str) -> None:
    result = rem.for_error_code(code)
    assert result is not None and words in result.explanation and str(code) in result.explanation


def test_unknown_codes_and_no_code_have_no_entry() -> None:
    assert rem.for_error_code(12345) is None
    assert rem.for_error_code(None) is None


def test_an_error_without_a_known_code_keeps_twilios_description() -> None:
    result = rem.from_error({"description": "Brand is weird", "fields": []}, "brand")
    assert result.explanation == "Brand is weird"
    assert result.severity == FAILED


def test_worst_orders_failed_over_pending_over_ok() -> None:
    assert rem.worst([OK, PENDING, OK]) == PENDING
    assert rem.worst([PENDING, FAILED]) == FAILED
    assert rem.worst([]) == OK


# The newer Twilio pages win over the older reference notes (docs/twilio/remediation.md §7).
NEWER_PAGES = [
    (30797, "company_type", "messaging_profile.company_type"),
    (30798, "company_type", "messaging_profile.company_type"),
    (30702, "resubmit the brand", None),
    (30703, "no other brand uses", None),
    (30880, "Support", None),
    (30902, "Support", None),
    (30898, "fewer brands", None),
    (21714, "toll-free", "phone_numbers"),
]


@pytest.mark.parametrize(("code", "words", "field"), NEWER_PAGES)
def test_error_advice_follows_twilios_newer_pages(code: int, words: str, field: str | None) -> None:
    result = rem.for_error_code(code)
    assert result is not None and words in str(result.action)
    assert result.field == field


def test_a_brand_in_review_needs_no_action_for_seven_business_days() -> None:
    result = rem.for_brand({"status": "IN_REVIEW", "brand_type": "STANDARD"})
    assert result.severity == PENDING
    assert "seven business days" in result.explanation and "Support" not in str(result.action)


@pytest.mark.parametrize("status", ["SUSPENDED", "EXPIRED"])
def test_suspended_or_expired_brands_and_campaigns_are_failures_with_a_next_step(
    status: str,
) -> None:
    brand = rem.for_brand({"status": status, "brand_type": "SOLE_PROPRIETOR"})
    campaign = rem.for_campaign({"campaign_status": status})
    assert brand.severity == campaign.severity == FAILED
    assert brand.action and campaign.action
