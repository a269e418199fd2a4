"""Rules across fields (errors) and Twilio's content advice (warnings).

Both read the file's raw data (plain dicts and lists, before or without model
validation) defensively, so they can report alongside pydantic's field errors in
one run. Each finding is (field path, message); paths use the file's keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from a2pctl.spec import rules as r

Finding = tuple[tuple[str | int, ...], str]

SOLE_PROPRIETOR_SECTIONS = ("contact", "sole_proprietor")
STANDARD_SECTIONS = ("business", "authorized_representatives", "messaging_profile")
REPLY_KINDS = ("opt_in", "opt_out", "help")


def at(data: Any, *path: str | int) -> Any:
    for key in path:
        if isinstance(key, int):
            ok = isinstance(data, list) and 0 <= key < len(data)
            data = data[key] if ok else None
        else:
            data = data.get(key) if isinstance(data, Mapping) else None
    return data


def text_at(data: Any, *path: str | int) -> str | None:
    value = at(data, *path)
    return value if isinstance(value, str) else None


def strings_at(data: Any, *path: str | int) -> list[tuple[int, str]]:
    value = at(data, *path)
    items = value if isinstance(value, list) else []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, str)]


def given(data: Any, *path: str | int) -> bool:
    parent = at(data, *path[:-1])
    return isinstance(parent, Mapping) and parent.get(path[-1]) is not None


def unique_numbers(numbers: Sequence[str]) -> Sequence[str]:
    seen: set[str] = set()
    for number in numbers:
        if number in seen:
            raise ValueError(f"lists {number} twice")
        seen.add(number)
    return numbers


# --- errors --------------------------------------------------------------------------


def flow_problems(data: Any) -> list[Finding]:
    """Every cross-field rule the file breaks; [] for anything that is not a mapping."""
    if not isinstance(data, Mapping):
        return []
    flow = data.get("flow")
    found: list[Finding] = []
    if flow == "sole_proprietor":
        found += _sole_proprietor(data)
    elif flow in r.STANDARD_FLOWS:
        found += _standard(data, flow)
    found += _us_ca_address(data)
    found += _messaging_profile(data)
    found += _messaging_service(data)
    return found + _replies(data)


def refused_sections(data: Any) -> set[str]:
    """Sections the file's flow does not use: their own field errors would only be noise."""
    flow = at(data, "flow")
    refuse: tuple[str, ...]
    if flow == "sole_proprietor":
        refuse = STANDARD_SECTIONS
    elif flow in r.STANDARD_FLOWS:
        refuse = SOLE_PROPRIETOR_SECTIONS
    else:
        return set()
    return {section for section in refuse if section in data}


def _sections(data: Mapping[str, Any], flow: str) -> list[Finding]:
    need = SOLE_PROPRIETOR_SECTIONS if flow == "sole_proprietor" else STANDARD_SECTIONS
    other = "standard files" if flow == "sole_proprietor" else "sole_proprietor files"
    found: list[Finding] = [
        ((s,), f"required for flow {flow}") for s in need if data.get(s) is None
    ]
    for section in sorted(refused_sections(data)):
        found.append(((section,), f"not used by flow {flow} (it belongs in {other})"))
    return found


def _sole_proprietor(data: Mapping[str, Any]) -> list[Finding]:
    found = _sections(data, "sole_proprietor")
    usecase = text_at(data, "campaign", "us_app_to_person_usecase")
    if usecase in r.USECASES and usecase != r.SOLE_PROPRIETOR_USECASE:
        message = f"must be SOLE_PROPRIETOR for sole proprietors (got {usecase})"
        found.append((("campaign", "us_app_to_person_usecase"), message))
    numbers = at(data, "phone_numbers")
    if isinstance(numbers, list) and len(numbers) > 1:
        message = f"a sole-proprietor campaign sends from exactly one number (got {len(numbers)})"
        found.append((("phone_numbers",), message))
    country = text_at(data, "address", "iso_country")
    if country and re.fullmatch("[A-Z]{2}", country) and country not in r.SOLE_PROPRIETOR_COUNTRIES:
        message = f"sole proprietors must be in the US or Canada (got {country})"
        found.append((("address", "iso_country"), message))
    if at(data, "brand", "skip_automatic_sec_vet") is True:
        message = "only standard and low_volume_standard brands skip secondary vetting"
        found.append((("brand", "skip_automatic_sec_vet"), message))
    mobile = text_at(data, "sole_proprietor", "mobile_phone_number")
    if mobile and any(r.same_number(mobile, n) for _, n in strings_at(data, "phone_numbers")):
        message = "must be the customer's own mobile, not the Twilio number from phone_numbers"
        found.append((("sole_proprietor", "mobile_phone_number"), message))
    return found


def _standard(data: Mapping[str, Any], flow: str) -> list[Finding]:
    found = _sections(data, flow)
    if isinstance(data.get("isv"), Mapping) and not given(data, "isv", "notification_email"):
        message = f"required for flow {flow}: your address for the profile and trust product"
        found.append((("isv", "notification_email"), message))
    if text_at(data, "campaign", "us_app_to_person_usecase") == r.SOLE_PROPRIETOR_USECASE:
        message = "SOLE_PROPRIETOR is for sole-proprietor brands only"
        found.append((("campaign", "us_app_to_person_usecase"), message))
    explicit_false = at(data, "brand", "skip_automatic_sec_vet") is False
    if flow == "low_volume_standard" and explicit_false:
        message = "must be true or left out: low-volume standard brands skip secondary vetting"
        found.append((("brand", "skip_automatic_sec_vet"), message))
    return found + _registration(data)


def _registration(data: Mapping[str, Any]) -> list[Finding]:
    identifier = text_at(data, "business", "business_registration_identifier")
    number = text_at(data, "business", "business_registration_number")
    check = {"EIN": r.ein, "CBN": r.cbn}.get(identifier or "")
    found: list[Finding] = []
    if check is not None and number is not None:
        try:
            check(number)
        except ValueError as exc:
            found.append((("business", "business_registration_number"), str(exc)))
    us = text_at(data, "address", "iso_country") == "US"
    if us and identifier in r.REGISTRATION_IDENTIFIERS and identifier != "EIN":
        message = f"US businesses register with their EIN (got {identifier})"
        found.append((("business", "business_registration_identifier"), message))
    return found


def _us_ca_address(data: Mapping[str, Any]) -> list[Finding]:
    country = text_at(data, "address", "iso_country")
    region = text_at(data, "address", "region")
    postal = text_at(data, "address", "postal_code")
    found: list[Finding] = []
    if country == "US" and region is not None and region not in r.US_STATES:
        message = f"must be the 2-letter state code, e.g. IL (got {region!r})"
        found.append((("address", "region"), message))
    if country == "US" and postal is not None and not re.fullmatch(r"\d{5}(-\d{4})?", postal):
        message = f"must be a ZIP code: 5 digits or ZIP+4 (got {postal!r})"
        found.append((("address", "postal_code"), message))
    canadian = re.compile(r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d")
    if country == "CA" and postal is not None and not canadian.fullmatch(postal):
        message = f"must be a Canadian postal code like K1A 0B1 (got {postal!r})"
        found.append((("address", "postal_code"), message))
    return found


def _messaging_profile(data: Mapping[str, Any]) -> list[Finding]:
    profile = data.get("messaging_profile")
    kind = text_at(profile, "company_type")
    if not isinstance(profile, Mapping) or kind not in r.COMPANY_TYPES:
        return []
    found: list[Finding] = []
    for key in ("stock_exchange", "stock_ticker", "brand_contact_email"):
        if kind == "public" and profile.get(key) is None:
            message = "required for public companies"
            if key == "brand_contact_email":
                message += ": Authentication+ sends the brand contact a 2FA e-mail"
            found.append((("messaging_profile", key), message))
        elif kind != "public" and "stock" in key and profile.get(key) is not None:
            message = f"only for public companies (company_type is {kind}); leave it out"
            found.append((("messaging_profile", key), message))
    return found


def _messaging_service(data: Mapping[str, Any]) -> list[Finding]:
    service = data.get("messaging_service")
    if not isinstance(service, Mapping):
        return []
    reuse, create = service.get("sid") is not None, service.get("friendly_name") is not None
    if reuse and create:
        message = "give sid (reuse a service) or friendly_name (create one), not both"
        return [(("messaging_service", "sid"), message)]
    if not reuse and not create:
        message = "needs sid (reuse a service) or friendly_name (create one)"
        return [(("messaging_service",), message)]
    message = "only for a new service (friendly_name): an existing service keeps its own"
    webhooks = ("inbound_request_url", "fallback_url")
    return [(("messaging_service", k), message) for k in webhooks if reuse and given(service, k)]


def _replies(data: Mapping[str, Any]) -> list[Finding]:
    found: list[Finding] = []
    for kind in REPLY_KINDS:
        keywords, message = f"{kind}_keywords", f"{kind}_message"
        has_keywords = given(data, "campaign", keywords)
        has_message = given(data, "campaign", message)
        if has_keywords and not has_message:
            found.append((("campaign", message), f"required with {keywords}"))
        elif has_message and not has_keywords:
            found.append((("campaign", keywords), f"required with {message}"))
    return found
