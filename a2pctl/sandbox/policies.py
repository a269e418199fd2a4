"""The four TrustHub policies of the A2P flows (docs/twilio/flows.md §1.4), as data, and
the evaluation of a bundle against one of them.

The starter and sole-proprietor policies are the official OpenAPI
description's own examples (`fetchStarterCustomerProfilePolicy`,
`fetchSoleProprietorTrustBundlePolicy`); the two standard ones are built the
same way from docs/twilio/flows.md §3 steps 1 and 2. An evaluation is compliant only when
the bundle holds every required end user with every required attribute, the
address document naming an existing Address, and the supporting profile.
Failures carry the codes of docs/twilio/flows.md §4.2 (22214–22219) and name the
`object_field`, in the shape of the spec's evaluation examples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from a2pctl.sandbox.wire import TRUSTHUB, Json

STARTER_PROFILE = "RN806dd6cd175f314e1f96a9727ee271f4"
SOLE_PROPRIETOR_TRUST = "RN670d5d2e282a6130ae063b234b6019c8"
SECONDARY_PROFILE = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
STANDARD_TRUST = "RNb0d4771c2c98518d916a3d4cd70a8f8b"
# Bundles whose approval Twilio ties to the sole-proprietor brand's OTP (docs/twilio/flows.md §4.1).
SOLE_PROPRIETOR_POLICIES = frozenset({STARTER_PROFILE, SOLE_PROPRIETOR_TRUST})

END_USER_MISSING = 22214
FIELD_MISSING = 22215
DOCUMENT_MISSING = 22216
DOCUMENT_FIELD_MISSING = 22217
FIELD_INVALID = 22218
ADDRESS_MISSING = 22219


@dataclass(frozen=True)
class EndUserRule:
    type: str
    name: str
    fields: tuple[str, ...]  # as the policy lists them
    required: tuple[str, ...]  # must be present and non-empty
    optional: bool = False  # e.g. a second authorized representative
    # (attribute, value, further required attributes): e.g. stock fields of public companies
    when: tuple[tuple[str, str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class DocumentRule:
    requirement_name: str
    name: str
    description: str
    accepted: tuple[tuple[str, str], ...]  # (document type, display name)


@dataclass(frozen=True)
class ProfileRule:
    requirement_name: str
    accepted: tuple[tuple[str, str], ...]  # (profile type, display name)
    # Policies a sandbox bundle must have to count; None: the ISV's primary
    # profile, made in the Console and unknown to the sandbox.
    policies: frozenset[str] | None


@dataclass(frozen=True)
class Policy:
    sid: str
    friendly_name: str
    end_users: tuple[EndUserRule, ...]
    documents: tuple[DocumentRule, ...]
    profiles: tuple[ProfileRule, ...]

    def record(self) -> Json:
        return {
            "sid": self.sid,
            "friendly_name": self.friendly_name,
            "requirements": {
                "end_user": [
                    {
                        "url": f"/EndUserTypes/{rule.type}",
                        "fields": list(rule.fields),
                        "type": rule.type,
                        "name": rule.name,
                        "requirement_name": rule.type,
                    }
                    for rule in self.end_users
                ],
                "supporting_trust_products": [],
                "supporting_document": [
                    [
                        {
                            "description": doc.description,
                            "type": "document",
                            "name": doc.name,
                            "accepted_documents": [
                                {
                                    "url": f"/SupportingDocumentTypes/{kind}",
                                    "fields": ["address_sids"],
                                    "type": kind,
                                    "name": label,
                                }
                                for kind, label in doc.accepted
                            ],
                            "requirement_name": doc.requirement_name,
                        }
                        for doc in self.documents
                    ]
                ],
                "supporting_customer_profiles": [
                    {"type": kind, "name": label, "requirement_name": rule.requirement_name}
                    for rule in self.profiles
                    for kind, label in rule.accepted
                ],
            },
            "url": f"{TRUSTHUB}/v1/Policies/{self.sid}",
        }


_ADDRESS = DocumentRule(
    "customer_profile_address",
    "Customer Profile Address",
    "Customer Profile Address",
    (
        ("customer_profile_address", "Legal Company Address"),
        ("starter_customer_profile_address", "Legal Company Address"),
    ),
)
_PRIMARY = ProfileRule(
    "primary_customer_profile",
    (("primary_customer_profile_type_business", "Primary Customer Profile Bundle"),),
    None,
)
_REP_FIELDS = ("first_name", "last_name", "email", "phone_number", "business_title", "job_position")
_BUSINESS_FIELDS = (
    "business_type",
    "business_registration_number",
    "business_name",
    "business_registration_identifier",
    "business_identity",
    "business_industry",
    "website_url",
    "business_regions_of_operation",
    "social_media_profile_urls",
)

POLICIES: dict[str, Policy] = {
    p.sid: p
    for p in (
        Policy(
            STARTER_PROFILE,
            "Starter Customer Profile of type Business",
            (
                EndUserRule(
                    "starter_customer_profile_information",
                    "Information",
                    ("first_name", "last_name", "email", "phone_number"),
                    ("first_name", "last_name", "email", "phone_number"),
                ),
            ),
            (_ADDRESS,),
            (_PRIMARY,),
        ),
        Policy(
            SOLE_PROPRIETOR_TRUST,
            "Sole Proprietor TrustProduct",
            (
                EndUserRule(
                    "sole_proprietor_information",
                    "Sole Proprietor Information",
                    ("brand_name", "mobile_phone_number", "vertical"),
                    ("brand_name", "mobile_phone_number"),
                ),
            ),
            (),
            (
                ProfileRule(
                    "customer_profile",
                    (
                        (
                            "starter_customer_profile_type_business",
                            "Starter Customer Profile(isv customers) Proof",
                        ),
                        (
                            "starter_customer_profile_type_direct_long_tail",
                            "Starter Customer Profile(direct customers) Proof",
                        ),
                    ),
                    frozenset({STARTER_PROFILE}),
                ),
            ),
        ),
        Policy(
            SECONDARY_PROFILE,
            "Secondary Customer Profile of type Business",
            (
                EndUserRule(
                    "customer_profile_business_information",
                    "Business Information",
                    _BUSINESS_FIELDS,
                    _BUSINESS_FIELDS[:-1],  # social_media_profile_urls is optional
                ),
                EndUserRule(
                    "authorized_representative_1",
                    "Authorized Representative 1",
                    _REP_FIELDS,
                    _REP_FIELDS,
                ),
                EndUserRule(
                    "authorized_representative_2",
                    "Authorized Representative 2",
                    _REP_FIELDS,
                    _REP_FIELDS,
                    optional=True,
                ),
            ),
            (_ADDRESS,),
            (_PRIMARY,),
        ),
        Policy(
            STANDARD_TRUST,
            "A2P Messaging Profile TrustProduct",
            (
                EndUserRule(
                    "us_a2p_messaging_profile_information",
                    "US A2P Messaging Profile Information",
                    ("company_type", "stock_exchange", "stock_ticker", "brand_contact_email"),
                    ("company_type",),
                    when=(("company_type", "public", ("stock_exchange", "stock_ticker")),),
                ),
            ),
            (),
            (
                ProfileRule(
                    "customer_profile",
                    (("secondary_customer_profile_type_business", "Secondary Customer Profile"),),
                    frozenset({SECONDARY_PROFILE}),
                ),
            ),
        ),
    )
}


@dataclass
class Contents:
    """What a bundle holds, resolved: assigned end users and documents (their
    records), the other assigned bundle SIDs with their sandbox policy (None
    when the sandbox does not know the bundle), and an Address check."""

    end_users: list[Json]
    documents: list[Json]
    profiles: dict[str, str | None]
    address_exists: Callable[[str], bool]


def _label(field: str) -> str:
    return field.replace("_", " ").title()


def _missing_field(field: str, requirement: str, code: int = FIELD_MISSING) -> Json:
    return {
        "friendly_name": _label(field),
        "object_field": field,
        "failure_reason": f"The {_label(field)} is missing. Please enter in a {_label(field)} "
        f"on the {requirement}.",
        "error_code": code,
    }


def _valid(field: str) -> Json:
    return {
        "friendly_name": _label(field),
        "object_field": field,
        "failure_reason": None,
        "error_code": None,
    }


def _result(
    name: str, object_type: str, requirement: str, invalid: list[Json], valid: list[Json], *,
    missing_reason: str | None = None, missing_code: int | None = None,
) -> Json:  # fmt: skip
    passed = not invalid and missing_reason is None
    if missing_reason is not None:
        reason, code = missing_reason, missing_code
    elif invalid:
        reason, code = invalid[0]["failure_reason"], invalid[0]["error_code"]
    else:
        reason, code = None, None
    return {
        "friendly_name": name,
        "object_type": object_type,
        "passed": passed,
        "failure_reason": reason,
        "error_code": code,
        "valid": valid,
        "invalid": invalid,
        "requirement_friendly_name": name,
        "requirement_name": requirement,
    }


def _end_user_result(rule: EndUserRule, users: list[Json], force_invalid: bool) -> Json | None:
    user = next((u for u in users if u["type"] == rule.type), None)
    if user is None:
        if rule.optional:
            return None
        return _result(
            rule.name, rule.type, rule.type,
            [_missing_field(f, rule.name) for f in rule.required], [],
            missing_reason=f"A {rule.name} End-User is missing. Please add one to the bundle.",
            missing_code=END_USER_MISSING,
        )  # fmt: skip
    attributes = user.get("attributes") or {}
    required = list(rule.required)
    for field, value, extra in rule.when:
        if str(attributes.get(field, "")).lower() == value:
            required.extend(extra)
    invalid = [_missing_field(f, rule.name) for f in required if not attributes.get(f)]
    if force_invalid and not invalid:
        # The evaluation-noncompliant scenario: the reviewers' data check fails
        # on a phone number (or the first field), as in twilio-node#957.
        field = next((f for f in required if "phone" in f), required[0])
        invalid.append(
            {
                "friendly_name": _label(field),
                "object_field": field,
                "failure_reason": "Phone number is invalid."
                if "phone" in field
                else f"The {_label(field)} is invalid.",
                "error_code": FIELD_INVALID,
            }
        )
    bad = {item["object_field"] for item in invalid}
    valid = [_valid(f) for f in required if f not in bad]
    return _result(rule.name, rule.type, rule.type, invalid, valid)


def _document_result(rule: DocumentRule, contents: Contents) -> Json:
    accepted = {kind for kind, _ in rule.accepted}
    doc = next((d for d in contents.documents if d["type"] in accepted), None)
    if doc is None:
        return _result(
            rule.name, "document", rule.requirement_name,
            [_missing_field("address_sids", rule.name, DOCUMENT_FIELD_MISSING)], [],
            missing_reason=f"A {rule.name} is missing. Please add one to the bundle.",
            missing_code=DOCUMENT_MISSING,
        )  # fmt: skip
    raw = (doc.get("attributes") or {}).get("address_sids")
    sids = [raw] if isinstance(raw, str) else list(raw or [])
    sids = [s.strip() for sid in sids for s in str(sid).split(",") if s.strip()]
    if not sids:
        invalid = [_missing_field("address_sids", rule.name, DOCUMENT_FIELD_MISSING)]
    elif not all(contents.address_exists(sid) for sid in sids):
        invalid = [
            {
                "friendly_name": "Address sid(s)",
                "object_field": "address_sids",
                "failure_reason": "The Address is missing. Please enter in the address of the "
                f"{rule.name}.",
                "error_code": ADDRESS_MISSING,
            }
        ]
    else:
        invalid = []
    valid = [] if invalid else [_valid("address_sids")]
    return _result(rule.name, doc["type"], rule.requirement_name, invalid, valid)


def _profile_result(rule: ProfileRule, contents: Contents) -> Json:
    kind, label = rule.accepted[0]
    if rule.policies is None:  # the primary: any bundle that is not a sandbox customer's
        known = {STARTER_PROFILE, SECONDARY_PROFILE, SOLE_PROPRIETOR_TRUST, STANDARD_TRUST}
        found = any(policy not in known for policy in contents.profiles.values())
    else:
        found = any(policy in rule.policies for policy in contents.profiles.values())
    if found:
        return _result(label, kind, rule.requirement_name, [], [])
    return _result(
        label, kind, rule.requirement_name, [], [],
        missing_reason=f"A {label} is missing. Please assign one to the bundle.",
        missing_code=END_USER_MISSING,
    )  # fmt: skip


def evaluate(
    policy: Policy, contents: Contents, *, force_invalid: bool = False
) -> tuple[str, list[Json]]:
    """(`compliant` | `noncompliant`, results), one result per requirement."""
    results: list[Json] = []
    for index, rule in enumerate(policy.end_users):
        result = _end_user_result(rule, contents.end_users, force_invalid and index == 0)
        if result is not None:
            results.append(result)
    results.extend(_document_result(rule, contents) for rule in policy.documents)
    results.extend(_profile_result(rule, contents) for rule in policy.profiles)
    status = "compliant" if all(r["passed"] for r in results) else "noncompliant"
    return status, results
