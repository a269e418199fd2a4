"""The remediation catalogue: what each documented status and failure means and
what to do next, as data, plus the mapping of Twilio's field names to the paths
of the customer file.

Sources: docs/twilio/flows.md §4 (status machines, OTP rules) and
docs/twilio/remediation.md (failure points, numbers), which name the Twilio pages
behind each entry.
The error codes live in `codes.py`. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from a2pctl.gateway.records import Brand, Campaign, RegistrationError, registration_errors
from a2pctl.remediation import codes

# Re-exported: the field mapping is part of this module's public interface.
from a2pctl.remediation.fields import bundle_reason_field
from a2pctl.remediation.fields import customer_field as customer_field
from a2pctl.remediation.fields import evaluation_problems as evaluation_problems

# How serious a state is: nothing to do, waiting on someone, or someone must act.
Severity = Literal["ok", "pending", "failed"]
OK: Severity = "ok"
PENDING: Severity = "pending"
FAILED: Severity = "failed"
_RANK: dict[str, int] = {OK: 0, PENDING: 1, FAILED: 2}

OTP_VALID_HOURS = 24  # an SP OTP is valid 24 hours; only the first is sent automatically
OTP_SENDER = "+1 (915) 278-2000"
SOLE_PROPRIETOR = "SOLE_PROPRIETOR"
STANDARD = "STANDARD"


@dataclass(frozen=True)
class Remediation:
    severity: Severity
    explanation: str
    action: str | None
    field: str | None = None  # the customer-file path concerned, e.g. campaign.description

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "explanation": self.explanation,
            "action": self.action,
            "field": self.field,
        }


# Actions that only say "wait" start with this: a caller choosing what to show as the
# next step prefers an action the user can take.
NOTHING_TO_DO = "Nothing to do"


def worst(severities: Iterable[Severity]) -> Severity:
    """The most serious of some severities: failed > pending > ok (ok when empty)."""
    return max(severities, key=lambda s: _RANK[s], default=OK)


NOT_CREATED = Remediation(PENDING, "Not created yet.", "Run `a2pctl register FILE`.")

# --- TrustHub bundles (customer profiles, trust products) — docs/twilio/remediation.md §2.1 ---

_BUNDLE: dict[str, Remediation] = {
    "draft": Remediation(
        PENDING,
        "Created but not yet submitted for review.",
        "Run `a2pctl register FILE` to complete and submit it.",
    ),
    "pending-review": Remediation(
        PENDING, "Submitted; Twilio moves it to in-review shortly.", "Nothing to do: wait."
    ),
    "in-review": Remediation(
        PENDING,
        "Under Twilio review; registration continues without waiting for it (sole-proprietor "
        "bundles are approved only after the brand's OTP is verified).",
        "Nothing to do: check again later.",
    ),
    "twilio-approved": Remediation(OK, "Approved by Twilio.", None),
    # Documented for regulatory bundles only; tolerated, never expected here.
    "provisionally-approved": Remediation(OK, "Provisionally approved.", None),
    "twilio-rejected": Remediation(
        FAILED,
        "Rejected by Twilio's review. The detailed reason goes only to the bundle's status "
        "callback (FailureReason); the notification e-mail is generic.",
        "Fix the customer file and re-run `a2pctl register FILE`: it updates the end users and "
        "address, re-evaluates and resubmits. Without a status callback, ask Twilio Support "
        "for the reason.",
    ),
}
_NONCOMPLIANT = "The evaluation against the policy is noncompliant: {reason}"


def for_bundle(
    status: str | None,
    evaluation: Mapping[str, Any] | None = None,
    *,
    failure_reason: str | None = None,
) -> Remediation:
    """A customer profile or trust product, with its latest evaluation if known."""
    state = (status or "").strip().lower()
    verdict = str((evaluation or {}).get("status") or "").lower()
    if verdict == "noncompliant" and state in ("", "draft", "twilio-rejected"):
        problems = evaluation_problems(evaluation or {})
        first = problems[0] if problems else (None, "requirements are not met")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Remediation(
            FAILED, _NONCOMPLIANT.format(reason=first[1]) + more, codes.FIX_BUNDLE, first[0]
        )
    if not state:
        return NOT_CREATED
    entry = _BUNDLE.get(state)
    if entry is None:
        return Remediation(
            PENDING, f"Unrecognised bundle status {status!r}.", "Check it in the Twilio Console."
        )
    if state == "twilio-rejected" and failure_reason:
        field = bundle_reason_field(failure_reason)
        return replace(entry, explanation=f"Rejected by Twilio: {failure_reason}", field=field)
    return entry


# --- brands — docs/twilio/remediation.md §3 -------------------------------------------

# Keyed (status, brand_type or "*", identity_status or "*"); most specific first.
_BRAND: dict[tuple[str, str, str], Remediation] = {
    ("PENDING", "*", "*"): Remediation(
        PENDING,
        "Submitted; TCR review takes from minutes to several days.",
        "Nothing to do: wait (`a2pctl status --watch`).",
    ),
    ("IN_REVIEW", "*", "*"): Remediation(
        PENDING,
        "Under manual third-party review, which takes seven business days or more.",
        "Nothing to do: wait (Twilio asks for no action while a brand is IN_REVIEW).",
    ),
    ("APPROVED", SOLE_PROPRIETOR, "VERIFIED"): Remediation(OK, "Approved and OTP-verified.", None),
    ("APPROVED", SOLE_PROPRIETOR, "VETTED_VERIFIED"): Remediation(
        OK, "Approved and verified.", None
    ),
    ("APPROVED", SOLE_PROPRIETOR, "*"): Remediation(
        PENDING,
        f"Approved; waiting for the customer to confirm the OTP by replying YES to the SMS from "
        f"{OTP_SENDER} on the brand's mobile number. An OTP is valid {OTP_VALID_HOURS} hours; "
        "verification must be completed within 30 days of registration.",
        "Ask the customer to reply YES; if the OTP is older than 24 hours, run "
        "`a2pctl otp resend REF`.",
        "sole_proprietor.mobile_phone_number",
    ),
    ("APPROVED", STANDARD, "UNVERIFIED"): Remediation(
        PENDING,
        "Approved, identity not verified yet: a public for-profit brand waits for its brand "
        "contact to click the Authentication+ 2FA e-mail (7 days to do so).",
        "Ask the brand contact to open the verification e-mail (`a2pctl brand 2fa resend REF` "
        "sends a new one); campaigns fail (30991/30994) "
        "until then.",
        "messaging_profile.brand_contact_email",
    ),
    ("APPROVED", "*", "*"): Remediation(OK, "Approved.", None),
    ("FAILED", "*", "*"): Remediation(
        FAILED, "Brand registration failed.", codes.FIX_AND_REREGISTER
    ),
    ("SUSPENDED", "*", "*"): Remediation(
        FAILED,
        "Suspended (rare; policy violation, 21731): no new campaigns, existing ones suspended.",
        codes.SUPPORT,
    ),
    ("EXPIRED", "*", "*"): Remediation(FAILED, codes.BRAND_EXPIRED, codes.BRAND_EXPIRED_FIX),
    ("DELETION_PENDING", "*", "*"): Remediation(
        PENDING, "Deletion in progress.", "Nothing to do: wait."
    ),
    ("DELETION_FAILED", "*", "*"): Remediation(FAILED, "Deletion failed.", codes.SUPPORT),
}
MOCK_SOLE_PROPRIETOR = Remediation(
    OK,
    "Mock brand: no fees or vetting; a mock sole-proprietor brand sends no OTP and cannot get "
    "campaigns; mock brands expire after 30 days.",
    None,
)

_TWO_FA_CODES = frozenset(range(21736, 21742))
_RESUBMITTABLE = "It can be resubmitted (FAILED with a TCR id; Twilio allows 3 API resubmissions)."
_NOT_RESUBMITTABLE = (
    "It never reached TCR (no tcr_id), so it cannot be resubmitted (21725): delete it in the "
    "Console (Messaging › Regulatory Compliance › Brands); the next register creates a new "
    "brand (fee) on the corrected bundles."
)


def for_brand(record: Brand | Mapping[str, Any]) -> Remediation:
    """A BrandRegistration: as the gateway parsed it, or as the store keeps it."""
    brand = record if isinstance(record, Brand) else Brand.from_twilio(record)
    status = _upper(brand.status)
    if not status:
        return NOT_CREATED
    brand_type = _upper(brand.brand_type) or STANDARD
    identity = _upper(brand.identity_status)
    if status == "FAILED":
        return _brand_failure(brand, brand_type)
    if status == "APPROVED":
        blocking = [e for e in brand.errors if e.code in _TWO_FA_CODES]
        if blocking:
            return from_error(blocking[0], "brand", object_type=brand_type)
        if brand.mock and brand_type == SOLE_PROPRIETOR:
            return MOCK_SOLE_PROPRIETOR
    for key in ((status, brand_type, identity), (status, brand_type, "*"), (status, "*", "*")):
        if key in _BRAND:
            entry = _BRAND[key]
            break
    else:
        return Remediation(
            PENDING, f"Unrecognised brand status {status!r}.", "Check it in the Twilio Console."
        )
    feedback = [codes.FEEDBACK[f][0] for f in _feedback(brand) if f in codes.FEEDBACK]
    if entry.severity == OK and feedback:
        entry = replace(entry, explanation=f"{entry.explanation} Feedback: {' '.join(feedback)}")
    return entry


def _brand_failure(brand: Brand, brand_type: str) -> Remediation:
    entry: Remediation | None = None
    for error in brand.errors:
        entry = from_error(error, "brand", object_type=brand_type)
        break
    reason = str(brand.failure_reason or "").strip()
    if entry is None and reason:
        lowered = reason.lower()
        known = next((e for key, *e in codes.SP_FAILURE_REASONS if key in lowered), None)
        entry = (
            Remediation(FAILED, known[0], known[1])
            if known
            else Remediation(
                FAILED, f"Brand registration failed: {reason}", codes.FIX_AND_REREGISTER
            )
        )
    if entry is None:
        flagged = [f for f in _feedback(brand) if f in codes.FEEDBACK]
        if flagged:
            text, field = codes.FEEDBACK[flagged[0]]
            entry = Remediation(FAILED, text, codes.FIX_AND_REREGISTER, field)
    if entry is None:
        entry = _BRAND[("FAILED", "*", "*")]
    suffix = _RESUBMITTABLE if brand.tcr_id else _NOT_RESUBMITTABLE
    return replace(entry, severity=FAILED, action=f"{entry.action or ''} {suffix}".strip())


# --- campaigns — docs/twilio/remediation.md §4 ---------------------------------------------------

_CAMPAIGN: dict[str, Remediation] = {
    "PENDING": Remediation(PENDING, "Accepted by Twilio, not yet at TCR.", "Nothing to do: wait."),
    "IN_PROGRESS": Remediation(
        PENDING,
        "Under TCR review, which takes several business days (up to about 5).",
        "Nothing to do: wait (`a2pctl status --watch`).",
    ),
    "VERIFIED": Remediation(
        OK, "Approved. Twilio registers the service's numbers with the carriers.", None
    ),
    "FAILED": Remediation(
        FAILED, "Rejected by the Twilio API, TCR or a carrier.", codes.FIX_CAMPAIGN
    ),
    "SUSPENDED": Remediation(
        FAILED,
        "Suspended (rare); a suspended campaign is deleted after 30 days.",
        codes.SUPPORT,
    ),
    "EXPIRED": Remediation(FAILED, "Expired; Twilio documents no API fix.", codes.SUPPORT),
}
# Event Streams spell campaign states differently (docs/twilio/flows.md §5.4).
_CAMPAIGN_ALIASES = {"SUCCESS": "VERIFIED", "APPROVED": "VERIFIED", "FAILURE": "FAILED"}
NO_CAMPAIGN = Remediation(
    PENDING,
    "No campaign yet: it is created once the brand is APPROVED and verified.",
    "Run `a2pctl register FILE` (add --wait to go through the brand review).",
)


def for_campaign(record: Campaign | Mapping[str, Any]) -> Remediation:
    """A Usa2p record (campaign_status, errors): as the gateway parsed it, or as stored."""
    campaign = record if isinstance(record, Campaign) else Campaign.from_twilio(record)
    status = _upper(campaign.campaign_status)
    status = _CAMPAIGN_ALIASES.get(status, status)
    if not status:
        return NO_CAMPAIGN
    if status == "FAILED":
        for error in campaign.errors:
            return replace(from_error(error, "campaign"), severity=FAILED)
    entry = _CAMPAIGN.get(status)
    if entry is None:
        # The enum is open (docs/twilio/flows.md §4.4).
        return Remediation(
            PENDING, f"Unrecognised campaign status {status!r}.", "Check it in the Twilio Console."
        )
    if status == "VERIFIED" and campaign.mock:
        return replace(entry, explanation="Mock campaign: registered but not functional.")
    return entry


# --- phone numbers — docs/twilio/remediation.md §5.1 ------------------

_NUMBER: dict[str, Remediation] = {
    "UNREGISTERED": Remediation(
        PENDING,
        "Not associated with a verified campaign (the CSV report then leaves CampaignSid blank; "
        "a MessagingServiceSid shows only once that service's campaign is registered).",
        "Add the number to a messaging service whose campaign is VERIFIED; it registers "
        "automatically after that.",
    ),
    "PENDING_REGISTRATION": Remediation(
        PENDING,
        "Twilio received the registration; the carriers' configuration is not finished. "
        "Several days is normal.",
        "Nothing to do: check again later (escalate after about two weeks).",
    ),
    "REGISTERED": Remediation(OK, "Registered: ready to send messages to the US.", None),
    "PENDING_DEREGISTRATION": Remediation(
        PENDING,
        "Deregistration requested, not finished. Moving a number between campaigns shows "
        "Registered → Pending De-registration → Unregistered → Registered over several days.",
        "Nothing to do: check again later.",
    ),
    "FAILURE": Remediation(
        FAILED,
        "Registration or deregistration failed, typically error 30126 (unknown reason).",
        codes.SUPPORT,
    ),
}
_NUMBER_ALIASES = {"FAILED": "FAILURE", "PENDING DEREGISTRATION": "PENDING_DEREGISTRATION"}
NUMBER_UNKNOWN = Remediation(
    PENDING,
    "A2P registration status not known yet: it arrives with Event Streams number events or "
    "in the Console's CSV report.",
    "Run `a2pctl events serve`, or request the CSV report and run `a2pctl numbers report`.",
)
SOLE_PROPRIETOR_ONE_NUMBER = (
    "A sole-proprietor campaign registers exactly one number: Twilio picks one at random and "
    "the others in the messaging service stay UNREGISTERED. To choose it, remove all numbers "
    "from the service and add back only the one wanted."
)
# The report shows a campaign or service for the number, yet it is not registered.
UNREGISTERED_IN_REGISTERED_SERVICE = Remediation(
    PENDING,
    "In a messaging service whose campaign is registered, yet not registered itself. "
    + SOLE_PROPRIETOR_ONE_NUMBER
    + " For a Standard or special campaign, a number added less than two weeks ago may need a "
    "few more days.",
    "Sole proprietor: keep only the one number in the service. Otherwise wait a few days, "
    "then contact Twilio Support.",
    "phone_numbers",
)
SOLE_PROPRIETOR_EXTRA_NUMBERS = Remediation(
    FAILED,
    "The sole-proprietor messaging service holds more than one number. "
    + SOLE_PROPRIETOR_ONE_NUMBER,
    "Remove all numbers from the messaging service and add back only the one to use.",
    "phone_numbers",
)


def number_status(status: str | None) -> str:
    """Normalise a number status: report values, event `externalstatus` values, aliases."""
    text = (status or "").strip().upper().replace("-", "_")
    return _NUMBER_ALIASES.get(text, text.replace(" ", "_"))


def for_number(status: str | None, *, sole_proprietor: bool = False) -> Remediation:
    state = number_status(status)
    if not state:
        return NUMBER_UNKNOWN
    entry = _NUMBER.get(state) or Remediation(
        PENDING, f"Unrecognised number status {status!r}.", "Check it in the Twilio Console."
    )
    if sole_proprietor and state == "UNREGISTERED":
        entry = replace(entry, explanation=f"{entry.explanation} {SOLE_PROPRIETOR_ONE_NUMBER}")
    return entry


# --- error codes ------------------------------------------------------------------------------


def for_error_code(code: int | None) -> Remediation | None:
    """The catalogue entry of a Twilio error code; None for a code it does not know."""
    if code is None:
        return None
    entry = codes.CODES.get(code)
    if entry is not None:
        severity = OK if code in codes.OK_CODES else FAILED
        return Remediation(severity, entry[0], entry[1], entry[2])
    for low, high, text, action in codes.RANGES:
        if low <= code <= high:
            return Remediation(FAILED, f"{text} (error {code})", action)
    return None


def from_error(
    error: Mapping[str, Any] | RegistrationError, kind: str, *, object_type: str | None = None
) -> Remediation:
    """One entry of a brand's or campaign's `errors`: parsed at the gateway already, or
    (as a stored record keeps it) in any of Twilio's shapes."""
    parsed = error if isinstance(error, RegistrationError) else registration_errors([error])[0]
    code, description = parsed.code, parsed.description
    entry = for_error_code(code) or Remediation(
        FAILED, description or f"Error {code}.", codes.FIX_AND_REREGISTER
    )
    for twilio_field in parsed.fields:
        mapped = customer_field(kind, str(twilio_field), object_type=object_type)
        # Twilio's field, unless the catalogue names a different one for this code
        # (30795 lists the EIN first, but the usual fix is the legal name).
        if mapped and (not entry.field or mapped.startswith(entry.field)):
            return replace(entry, field=mapped)
    return entry


# --- helpers ------------------------------------------------------------------------------


def _upper(value: Any) -> str:
    return str(value).strip().upper() if value else ""


def _feedback(brand: Brand) -> list[str]:
    return [v.upper() for v in brand.brand_feedback]
