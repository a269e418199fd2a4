"""The documented value rules of the customer file, as data and small pure checks.

Every limit and enumeration here comes from `docs/twilio/flows.md` §3.1–3.6 (the
Usa2p parameters, the TrustHub field table of error 30701, the enumerations of
"Gather the Required Business Information") or from the OpenAPI descriptions.
Checks take one value and return it (normalised where Twilio wants one form, e.g.
E.164) or raise `ValueError` with a short message naming what is expected; the
pydantic models in `models` attach them to fields. No pydantic here.

phonenumbers and email_validator are imported inside the checks: each costs tens
of milliseconds to import and only files with those fields need them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

FLOWS = ("sole_proprietor", "standard", "low_volume_standard")
STANDARD_FLOWS = ("standard", "low_volume_standard")

# --- lengths (characters) ------------------------------------------------------------

NAME_MAX_CHARS = 64  # the registration key also goes into Twilio friendly names
DESCRIPTION_CHARS = (40, 4096)
MESSAGE_FLOW_CHARS = (40, 2048)  # S3 says 2049; the API description and source say 2048
SAMPLE_CHARS = (20, 1024)
SAMPLES_COUNT = (2, 5)
REPLY_MESSAGE_CHARS = (20, 320)  # opt-in, opt-out and help messages
KEYWORDS_MAX_CHARS = 255  # TCR keeps each keyword list as one comma-separated field
REPRESENTATIVES_COUNT = (1, 2)  # authorized_representative_1 and the optional _2
SENDER_POOL_MAX_NUMBERS = 400  # numbers per messaging service (error 21714)
SERVICE_FRIENDLY_NAME_MAX_CHARS = 64  # Messaging Service FriendlyName
# The TrustHub / address table of error 30701:
BUSINESS_NAME_MAX_CHARS = 255
BRAND_NAME_MAX_CHARS = 255  # TCR's limit on a brand's name (the sole proprietor's brand_name)
REGISTRATION_NUMBER_MAX_CHARS = 21
PERSON_NAME_MAX_CHARS = 100
EMAIL_MAX_CHARS = 100
WEBSITE_MAX_CHARS = 100
STOCK_TICKER_MAX_CHARS = 10
STREET_MAX_CHARS = 100
CITY_MAX_CHARS = 100
REGION_MAX_CHARS = 20
POSTAL_CODE_MAX_CHARS = 10

# --- enumerations ----------------------------------------------------------------------

# S3's five, plus "Sole Proprietorship" from the Secondary Customer Profile page (S10):
# a sole proprietorship *with* a tax ID registers as Standard.
BUSINESS_TYPES = (
    "Partnership",
    "Corporation",
    "Co-operative",
    "Limited Liability Corporation",
    "Non-profit Corporation",
    "Sole Proprietorship",
)
# S3's 33 (the 30701 page lists 31, without CONSTRUCTION and PROFESSIONAL_SERVICES).
BUSINESS_INDUSTRIES = (
    "AUTOMOTIVE", "AGRICULTURE", "BANKING", "CONSTRUCTION", "CONSUMER", "EDUCATION",
    "ENGINEERING", "ENERGY", "OIL_AND_GAS", "FAST_MOVING_CONSUMER_GOODS", "FINANCIAL",
    "FINTECH", "FOOD_AND_BEVERAGE", "GOVERNMENT", "HEALTHCARE", "HOSPITALITY", "INSURANCE",
    "LEGAL", "MANUFACTURING", "MEDIA", "ONLINE", "PROFESSIONAL_SERVICES", "RAW_MATERIALS",
    "REAL_ESTATE", "RELIGION", "RETAIL", "JEWELRY", "TECHNOLOGY", "TELECOMMUNICATIONS",
    "TRANSPORTATION", "TRAVEL", "ELECTRONICS", "NOT_FOR_PROFIT",
)  # fmt: skip
REGISTRATION_IDENTIFIERS = ("EIN", "DUNS", "CBN", "CN", "ACN", "CIN", "VAT", "VATRN", "RN", "Other")
# S3's five plus AUSTRALIA (S10); comma-separated when several.
REGIONS_OF_OPERATION = ("AFRICA", "ASIA", "AUSTRALIA", "EUROPE", "LATIN_AMERICA", "USA_AND_CANADA")
BUSINESS_IDENTITIES = ("direct_customer", "isv_reseller_or_partner", "unknown")
JOB_POSITIONS = ("Director", "GM", "VP", "CEO", "CFO", "General Counsel", "Other")
COMPANY_TYPES = ("private", "public", "non-profit", "government")
STOCK_EXCHANGES = (
    "AMEX", "AMX", "ASX", "B3", "BME", "BSE", "FRA", "ICEX", "JPX", "JSE", "KRX", "LON",
    "NASDAQ", "NONE", "NYSE", "NSE", "OMX", "OTHER", "SEHK", "SGX", "SSE", "STO", "SWX",
    "SZSE", "TSX", "TWSE", "VSE",
)  # fmt: skip
# Sole-proprietor `vertical`: S2's 23 (S3 lists 21, without CONSTRUCTION and EDUCATION).
VERTICALS = (
    "AGRICULTURE", "COMMUNICATION", "CONSTRUCTION", "EDUCATION", "ENERGY", "ENTERTAINMENT",
    "FINANCIAL", "GAMBLING", "GOVERNMENT", "HEALTHCARE", "HOSPITALITY", "HUMAN_RESOURCES",
    "INSURANCE", "LEGAL", "MANUFACTURING", "NGO", "POLITICAL", "POSTAL", "PROFESSIONAL",
    "REAL_ESTATE", "RETAIL", "TECHNOLOGY", "TRANSPORTATION",
)  # fmt: skip
STANDARD_USECASES = (
    "2FA", "ACCOUNT_NOTIFICATION", "CUSTOMER_CARE", "DELIVERY_NOTIFICATION", "FRAUD_ALERT",
    "HIGHER_EDUCATION", "MARKETING", "MIXED", "POLLING_VOTING", "PUBLIC_SERVICE_ANNOUNCEMENT",
    "SECURITY_ALERT",
)  # fmt: skip
LOW_VOLUME_USECASE = "LOW_VOLUME"
SPECIAL_USECASES = (
    "AGENTS_FRANCHISES", "CHARITY", "K12_EDUCATION", "PROXY", "EMERGENCY", "POLITICAL",
    "SOCIAL", "SWEEPSTAKE",
)  # fmt: skip
SOLE_PROPRIETOR_USECASE = "SOLE_PROPRIETOR"
USECASES = (*STANDARD_USECASES, LOW_VOLUME_USECASE, *SPECIAL_USECASES, SOLE_PROPRIETOR_USECASE)

US_STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI", "AA", "AE", "AP",
)  # fmt: skip
SOLE_PROPRIETOR_COUNTRIES = ("US", "CA")

# --- SIDs (`^XX[0-9a-fA-F]{32}$`, docs/twilio/flows.md §3.6) ------------------------------

SID_HEX_CHARS = 32
_SID = re.compile(r"^(?P<prefix>[A-Z]{2})[0-9a-fA-F]{32}$")


def sid(prefix: str, what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        match = _SID.match(value)
        if match is None or match["prefix"] != prefix:
            raise ValueError(
                f"must be {what} SID: {prefix} followed by {SID_HEX_CHARS} hex digits"
                f" (got {_shorten(value)!r})"
            )
        return value

    return check


# --- text ------------------------------------------------------------------------------


def length(lo: int, hi: int | None = None) -> Callable[[str], str]:
    """Length in characters; blank text is refused whatever the bounds."""

    def check(value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        n = len(value)
        if n < lo or (hi is not None and n > hi):
            raise ValueError(f"must be {_bounds(lo, hi)} characters (got {n})")
        return value

    return check


def _bounds(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"at least {lo}"
    return f"at most {hi}" if lo <= 1 else f"{lo}–{hi}"


def count(lo: int, hi: int | None, noun: str) -> Callable[[Sequence[Any]], Sequence[Any]]:
    def check(items: Sequence[Any]) -> Sequence[Any]:
        n = len(items)
        if n == 0 and lo == 1 and hi is None:  # an optional list: absent is the way to say none
            raise ValueError(f"must list at least one of the {noun}, or be left out")
        if n < lo or (hi is not None and n > hi):
            if hi is None:
                expected = f"at least {lo}"
            elif lo == hi:
                expected = f"exactly {lo}"
            else:
                expected = f"{lo}–{hi}" if hi - lo > 1 else f"{lo} or {hi}"
            raise ValueError(f"must list {expected} {noun} (got {n})")
        return items

    return check


def one_of(values: Sequence[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in values:
            raise ValueError(_not_one_of(value, values))
        return value

    return check


def _not_one_of(value: str, values: Sequence[str]) -> str:
    folded = {v.casefold(): v for v in values}
    guess = folded.get(value.strip().casefold().replace(" ", "_").replace("-", "_"))
    guess = guess or folded.get(value.strip().casefold())
    if guess is None:
        close = difflib.get_close_matches(value, values, n=1, cutoff=0.75)
        guess = close[0] if close else None
    if guess is not None:
        return f"{value!r} is not allowed (did you mean {guess!r}?)"
    return f"must be one of: {', '.join(values)} (got {_shorten(value)!r})"


def regions(value: str) -> str:
    """business_regions_of_operation: one region or several, comma-separated."""
    parts = [part.strip() for part in value.split(",")]
    for part in parts:
        if part not in REGIONS_OF_OPERATION:
            raise ValueError(_not_one_of(part, REGIONS_OF_OPERATION) + "; separate several by ,")
    return ",".join(parts)


_KEYWORD = re.compile(r"^[A-Za-z0-9]+$")


def keyword(value: str) -> str:
    if not _KEYWORD.match(value):
        raise ValueError(f"keywords must be letters and digits only (got {_shorten(value)!r})")
    return value


def keywords_total(values: Sequence[str]) -> Sequence[str]:
    total = len(",".join(values))
    if total > KEYWORDS_MAX_CHARS:
        raise ValueError(
            f"must be at most {KEYWORDS_MAX_CHARS} characters together, comma-separated"
            f" (got {total})"
        )
    return values


def name(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9-]+", value):
        raise ValueError(
            f"must be lowercase letters, digits and - only (got {_shorten(value)!r}),"
            " e.g. jane-doe-pottery"
        )
    if len(value) > NAME_MAX_CHARS:
        raise ValueError(f"must be at most {NAME_MAX_CHARS} characters (got {len(value)})")
    return value


def iso_country(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(
            f"must be a 2-letter ISO country code in capitals, e.g. US (got {value!r})"
        )
    return value


def ein(value: str) -> str:
    """EINs are sent as 9 digits: the docs show both 12-3456789 and 123456789."""
    digits = value.replace("-", "", 1) if re.fullmatch(r"\d{2}-\d{7}", value) else value
    if not re.fullmatch(r"\d{9}", digits):
        raise ValueError(f"an EIN is 9 digits, e.g. 123456789 or 12-3456789 (got {value!r})")
    return digits


def cbn(value: str) -> str:
    if not re.fullmatch(r"\d{9}", value):
        raise ValueError(
            f"a Canadian Business Number is sent as its first 9 digits, the BN9 (got {value!r})"
        )
    return value


# --- URLs and e-mail ---------------------------------------------------------------------


def http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        raise ValueError(f"must be an http(s) URL with a host (got {_shorten(value)!r})")
    return value


def url_host(value: str) -> str | None:
    try:
        host = urlsplit(value).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def email(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    if len(value) > EMAIL_MAX_CHARS:
        raise ValueError(f"must be at most {EMAIL_MAX_CHARS} characters (got {len(value)})")
    try:
        # Offline: syntax and reserved domains only; TCR checks deliverability itself.
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address: {exc}") from None
    return value


def looks_like_email(value: str) -> bool:
    return re.search(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", value) is not None


# --- phone numbers ---------------------------------------------------------------------


# What a number may be written with (the JSON Schema's pattern too): no letters, which
# phonenumbers would otherwise read as a keypad's digits (CALL NOW -> 2255 669).
PHONE_CHARACTERS = re.compile(r"\+[0-9 ()-]+")


def e164(value: str) -> str:
    """Any valid number written with its country code; returned in E.164."""
    import phonenumbers

    if not value.strip().startswith("+"):
        raise ValueError(f"must be in E.164 format, e.g. +14155550100 (got {_shorten(value)!r})")
    if not PHONE_CHARACTERS.fullmatch(value.strip()):
        raise ValueError(
            "may hold only digits, spaces, ( ) and - after the + "
            f"(got {_shorten(value)!r}), e.g. +14155550100"
        )
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number (got {_shorten(value)!r})")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def us_ca_mobile(value: str) -> str:
    """The sole proprietor's OTP number: a US or Canadian mobile number."""
    import phonenumbers
    from phonenumbers import PhoneNumberType

    normalised = e164(value)
    number = phonenumbers.parse(normalised, None)
    region = phonenumbers.region_code_for_number(number)
    if region not in SOLE_PROPRIETOR_COUNTRIES:
        raise ValueError(f"must be a US or Canadian mobile number (got a number from {region})")
    kind = phonenumbers.number_type(number)
    if kind not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise ValueError("must be a mobile number: it receives the verification SMS (OTP)")
    return normalised


def ten_dlc_number(value: str) -> str:
    """A number to register: a PN SID, or a US local number in E.164."""
    import phonenumbers
    from phonenumbers import PhoneNumberType

    if value[:2].isalpha():
        return sid("PN", "a phone number (PN…)")(value)
    normalised = e164(value)
    number = phonenumbers.parse(normalised, None)
    if phonenumbers.region_code_for_number(number) != "US":
        raise ValueError("must be a US number: A2P 10DLC registers US local numbers")
    if phonenumbers.number_type(number) == PhoneNumberType.TOLL_FREE:
        raise ValueError("is toll-free: toll-free numbers are verified separately, not by 10DLC")
    return normalised


def same_number(a: str, b: str) -> bool:
    try:
        return e164(a) == e164(b)
    except ValueError:
        return False


# --- sole-proprietor brand name ---------------------------------------------------------

# Obfuscated or placeholder data is rejected with 30756.
PLACEHOLDER_NAMES = frozenset(
    {"test", "testing", "n/a", "na", "none", "null", "tbd", "asdf", "xxx", "brand", "unknown",
     "placeholder", "sample", "example", "my brand", "business name", "brand name"}
)  # fmt: skip
_IDENTIFIER = re.compile(
    r"^(?:[A-Z]{2}[0-9a-fA-F]{32}"  # a Twilio SID
    r"|[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"  # a UUID
    r"|[A-Za-z]{0,12}[_-]?\d{4,})$"  # acct_12345, user12345, 20240101
)


def brand_name(value: str) -> str:
    """The customer's real (or DBA) name: never an account ID or an e-mail address."""
    stripped = value.strip()
    if looks_like_email(stripped):
        raise ValueError("must be the customer's business or personal name, not an e-mail address")
    if _IDENTIFIER.match(stripped) or not re.search(r"[^\W\d_]", stripped):
        raise ValueError("must be the customer's business or personal name, not an identifier")
    if stripped.casefold() in PLACEHOLDER_NAMES:
        raise ValueError("looks like placeholder data; Twilio rejects it (error 30756)")
    return value


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
