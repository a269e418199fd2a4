"""Where in the customer file a Twilio-reported problem is fixed.

Twilio names the fields it rejects in three vocabularies: campaign `errors[].fields`
("SAMPLE MESSAGE_1", "USE_CASE DESCRIPTION"), brand `errors[].fields` (snake_case
attribute names such as `business_name`, `stock_ticker`), and TrustHub evaluation
results (`object_type` + `object_field`). The customer file uses Twilio's own
attribute names inside each section (docs/contract.md §2), so the mapping is mostly
"which section". Pure data and lookups; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from a2pctl.remediation import codes

# --- the sections of the customer file and their fields (docs/contract.md §2) --------------------

_PERSON = ("first_name", "last_name", "email", "phone_number")
_SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": _PERSON,
    "sole_proprietor": ("brand_name", "mobile_phone_number", "vertical"),
    "business": (
        "business_name",
        "business_type",
        "business_industry",
        "business_registration_identifier",
        "business_registration_number",
        "business_regions_of_operation",
        "business_identity",
        "website_url",
        "social_media_profile_urls",
    ),
    "authorized_representatives[0]": (*_PERSON, "business_title", "job_position"),
    "authorized_representatives[1]": (*_PERSON, "business_title", "job_position"),
    "messaging_profile": ("company_type", "stock_exchange", "stock_ticker", "brand_contact_email"),
    "address": (
        "customer_name",
        "street",
        "street_secondary",
        "city",
        "region",
        "postal_code",
        "iso_country",
    ),
}

# A field name found in exactly one section (representative 2 left out: it mirrors 1).
_UNIQUE_FIELD: dict[str, str] = {}
for _section, _fields in _SECTION_FIELDS.items():
    if _section == "authorized_representatives[1]":
        continue
    for _name in _fields:
        _UNIQUE_FIELD[_name] = "" if _name in _UNIQUE_FIELD else f"{_section}.{_name}"
_UNIQUE_FIELD = {k: v for k, v in _UNIQUE_FIELD.items() if v}

# --- TrustHub evaluations: object_type (or requirement_name) → section --------------------

_EVALUATION_SECTIONS: dict[str, str] = {
    "starter_customer_profile_information": "contact",
    "sole_proprietor_information": "sole_proprietor",
    "customer_profile_business_information": "business",
    "business": "business",
    "business_info": "business",
    "authorized_representative_1": "authorized_representatives[0]",
    "authorized_representative_2": "authorized_representatives[1]",
    "us_a2p_messaging_profile_information": "messaging_profile",
    "customer_profile_address": "address",
    "address": "address",
}
# Requirements met by a whole bundle rather than a field of the file.
_EVALUATION_OBJECTS: dict[str, str | None] = {
    "primary_customer_profile_type_business": "isv.primary_customer_profile_sid",
    "primary_customer_profile": "isv.primary_customer_profile_sid",
    "starter_customer_profile_type_business": None,  # the customer profile: fix it first
    "starter_customer_profile_type_direct_long_tail": None,
}
_ADDRESS_REFERENCES = frozenset({"address_sids", "address_sid"})

# --- brands: TCR-style aliases of attribute names ------------------------------------------

_BRAND_ALIASES: dict[str, str] = {
    "ein": "business_registration_number",
    "tax_id": "business_registration_number",
    "ein_issuing_country": "iso_country",
    "company_name": "business_name",
    "legal_name": "business_name",
    "display_name": "business_name",
    "website": "website_url",
    "stock_symbol": "stock_ticker",
    "entity_type": "company_type",
    "state": "region",
    "country": "iso_country",
    "zip": "postal_code",
    "zip_code": "postal_code",
    "mobile_phone": "mobile_phone_number",
    "phone": "phone_number",
    "support_email": "email",
}

# --- campaigns: Twilio's upper-case field labels → campaign.* --------------------------------

_CAMPAIGN_FIELDS: dict[str, str] = {
    "USE CASE DESCRIPTION": "description",
    "CAMPAIGN DESCRIPTION": "description",
    "DESCRIPTION": "description",
    "MESSAGE FLOW": "message_flow",
    "CALL TO ACTION": "message_flow",
    "CTA": "message_flow",
    "MESSAGE SAMPLES": "message_samples",
    "SAMPLE MESSAGES": "message_samples",
    "SAMPLE MESSAGE": "message_samples",
    "OPT IN MESSAGE": "opt_in_message",
    "OPT IN KEYWORDS": "opt_in_keywords",
    "OPT OUT MESSAGE": "opt_out_message",
    "OPT OUT KEYWORDS": "opt_out_keywords",
    "HELP MESSAGE": "help_message",
    "HELP KEYWORDS": "help_keywords",
    "PRIVACY POLICY URL": "privacy_policy_url",
    "PRIVACY POLICY": "privacy_policy_url",
    "TERMS AND CONDITIONS URL": "terms_and_conditions_url",
    "TERMS AND CONDITIONS": "terms_and_conditions_url",
    "HAS EMBEDDED LINKS": "has_embedded_links",
    "EMBEDDED LINKS": "has_embedded_links",
    "EMBEDDED LINK": "has_embedded_links",
    "HAS EMBEDDED PHONE": "has_embedded_phone",
    "EMBEDDED PHONE": "has_embedded_phone",
    "EMBEDDED PHONE NUMBER": "has_embedded_phone",
    "AGE GATED": "age_gated",
    "DIRECT LENDING": "direct_lending",
    "SUBSCRIBER OPT IN": "subscriber_opt_in",
    "USE CASE": "us_app_to_person_usecase",
    "USECASE": "us_app_to_person_usecase",
    "US APP TO PERSON USECASE": "us_app_to_person_usecase",
}
# Brand-level fields that campaign reviews report (website checks: 30891, 30907).
_CAMPAIGN_BRAND_FIELDS = {"WEBSITE": "business.website_url", "WEBSITE URL": "business.website_url"}
_SAMPLE = re.compile(r"^(?:SAMPLE MESSAGE|MESSAGE SAMPLE|SAMPLE)S? ?([1-5])$")
MAX_SAMPLES = 5


# Rejection reasons of the asynchronous e-mail and address checks of a bundle (SP steps
# 1.2 / 1.4), as lower-case substrings, tried in this order.
_BUNDLE_REASON_FIELDS: tuple[tuple[str, str], ...] = (
    ("email", "contact.email"),
    ("invalid postal code", "address.postal_code"),
    ("invalid street", "address.street"),
    ("invalid house number", "address.street"),
    ("invalid locality", "address.city"),
    ("invalid region", "address.region"),
    ("address", "address"),
)


def bundle_reason_field(failure_reason: str) -> str | None:
    """The customer-file path a bundle's rejection reason (status callback) concerns."""
    lowered = failure_reason.lower()
    return next((path for key, path in _BUNDLE_REASON_FIELDS if key in lowered), None)


def customer_field(kind: str, twilio_field: str, *, object_type: str | None = None) -> str | None:
    """The customer-file path of a field Twilio reports, or None when it names none.

    kind: "campaign" (Usa2p `errors[].fields`), "brand" (BrandRegistration
    `errors[].fields`; object_type = the brand_type, which tells whose name,
    e-mail and phone are meant), "evaluation" (an `object_field` of a TrustHub
    evaluation result; object_type = its `object_type` or `requirement_name`).
    """
    if kind == "campaign":
        return _campaign_field(twilio_field)
    if kind == "brand":
        return _brand_field(twilio_field, (object_type or "STANDARD").upper())
    if kind == "evaluation":
        return _evaluation_field(twilio_field, object_type)
    return None


def _campaign_field(twilio_field: str) -> str | None:
    label = re.sub(r"[\s_\-]+", " ", twilio_field.strip().upper())
    sample = _SAMPLE.match(label)
    if sample:
        return f"campaign.message_samples[{int(sample.group(1)) - 1}]"
    if label in _CAMPAIGN_FIELDS:
        return f"campaign.{_CAMPAIGN_FIELDS[label]}"
    return _CAMPAIGN_BRAND_FIELDS.get(label)


def _snake(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _brand_field(twilio_field: str, brand_type: str) -> str | None:
    name = _snake(twilio_field)
    name = _BRAND_ALIASES.get(name, name)
    sole_proprietor = brand_type == "SOLE_PROPRIETOR"
    if name in _PERSON:
        section = "contact" if sole_proprietor else "authorized_representatives[0]"
        return f"{section}.{name}"
    if sole_proprietor and name == "business_name":
        return "sole_proprietor.brand_name"
    if not sole_proprietor and name == "vertical":
        return "business.business_industry"  # TCR's vertical is the business industry
    return _UNIQUE_FIELD.get(name)


def _evaluation_field(object_field: str, object_type: str | None) -> str | None:
    name = _snake(object_field)
    kind = _snake(object_type or "")
    if kind in _EVALUATION_OBJECTS:
        return _EVALUATION_OBJECTS[kind]
    section = _EVALUATION_SECTIONS.get(kind)
    if section is None:
        if name in _ADDRESS_REFERENCES:
            return "address"
        return _UNIQUE_FIELD.get(name)
    if name in _ADDRESS_REFERENCES:
        return "address"
    if name in _SECTION_FIELDS[section]:
        return f"{section}.{name}"
    return section  # a field the file does not name: point at the object


def _kind_of(result: Mapping[str, Any]) -> str:
    """The result's object_type, or its requirement_name where only that one is known."""
    names = [_snake(str(result.get(key) or "")) for key in ("object_type", "requirement_name")]
    known = [n for n in names if n in _EVALUATION_OBJECTS or n in _EVALUATION_SECTIONS]
    return known[0] if known else names[0]


def _section_of(kind: str) -> str | None:
    if kind in _EVALUATION_OBJECTS:
        return _EVALUATION_OBJECTS[kind]
    return _EVALUATION_SECTIONS.get(kind)


def _with_code(text: str, code: Any) -> str:
    return f"{text} (error {code})" if code not in (None, "") else text


def evaluation_problems(evaluation: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """(customer-file path or None, reason) for each failing requirement and invalid
    field of a TrustHub evaluation record, in Twilio's order."""
    problems: list[tuple[str | None, str]] = []
    for result in evaluation.get("results") or []:
        if not isinstance(result, Mapping):
            continue
        invalid = [i for i in result.get("invalid") or [] if isinstance(i, Mapping)]
        if result.get("passed") is not False and not invalid:
            continue
        kind = _kind_of(result)
        reason = result.get("failure_reason")
        code = result.get("error_code")
        if reason or not invalid:
            if not reason:
                known = codes.CODES.get(code) if isinstance(code, int) else None
                name = result.get("requirement_friendly_name") or result.get("friendly_name")
                reason = known[0] if known else f"The requirement {name or kind!r} is not met."
            problems.append((_section_of(kind), _with_code(str(reason), code)))
        for item in invalid:
            field = str(item.get("object_field") or "")
            text = item.get("failure_reason") or f"{item.get('friendly_name') or field} is invalid."
            path = _evaluation_field(field, kind) if field else _section_of(kind)
            problems.append((path, _with_code(str(text), item.get("error_code"))))
    return problems
