"""The customer file as pydantic models (docs/contract.md §2); import them from
`a2pctl.spec.customer`.

Field names are Twilio's own attribute and parameter names. Every model forbids
unknown keys, is frozen and strict (YAML's `NO` or an unquoted phone number must
not turn silently into a boolean or an integer). Per-value rules come from
`rules`; rules that tie fields together (which sections a flow needs, stock
fields for public companies, keyword/message pairs...) come from `checks`
and are applied by `Customer` itself, so a `Customer` that exists is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    JsonValue,
    ModelWrapValidatorHandler,
    StrictBool,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from a2pctl.spec import checks
from a2pctl.spec import rules as r

RULE_ERROR = "a2p_rule"  # the pydantic error type of the cross-field rules


class Rule:
    """Field metadata: run `check` after the type check; add `schema` to the JSON Schema."""

    def __init__(self, check: Callable[[Any], Any], **schema: Any) -> None:
        self.check = check
        self.schema = schema

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), **self.schema}


def _text(lo: int = 1, hi: int | None = None) -> Rule:
    bounds = {"minLength": lo} | ({"maxLength": hi} if hi is not None else {})
    return Rule(r.length(lo, hi), **bounds)


def _enum(values: tuple[str, ...]) -> Rule:
    return Rule(r.one_of(values), enum=list(values))


def _sid(prefix: str, what: str) -> Rule:
    return Rule(r.sid(prefix, what), pattern=f"^{prefix}[0-9a-fA-F]{{{r.SID_HEX_CHARS}}}$")


_NUMBER_PATTERN = rf"^(\+[0-9 ()-]+|PN[0-9a-fA-F]{{{r.SID_HEX_CHARS}}})$"
_PHONE_SCHEMA = {"pattern": r"^\+[0-9 ()-]+$", "examples": ["+14155550100"]}

Text = Annotated[StrictStr, _text()]
PersonName = Annotated[StrictStr, _text(1, r.PERSON_NAME_MAX_CHARS)]
Email = Annotated[StrictStr, Rule(r.email, format="email", maxLength=r.EMAIL_MAX_CHARS)]
Phone = Annotated[StrictStr, Rule(r.e164, **_PHONE_SCHEMA)]
Url = Annotated[StrictStr, Rule(r.http_url, format="uri", pattern="^https?://")]
Reply = Annotated[StrictStr, _text(*r.REPLY_MESSAGE_CHARS)]
Keywords = Annotated[
    list[Annotated[StrictStr, Rule(r.keyword, pattern="^[A-Za-z0-9]+$")]],
    Rule(r.count(1, None, "keywords"), minItems=1),
    Rule(r.keywords_total),
]

# JSON Schema for editors: which sections each flow needs and forbids.
FLOW_SCHEMA: list[JsonValue] = [
    {
        "if": {"properties": {"flow": {"const": "sole_proprietor"}}},
        "then": {
            "required": list(checks.SOLE_PROPRIETOR_SECTIONS),
            "not": {"anyOf": [{"required": [s]} for s in checks.STANDARD_SECTIONS]},
        },
    },
    {
        "if": {"properties": {"flow": {"enum": list(r.STANDARD_FLOWS)}}},
        "then": {
            "required": list(checks.STANDARD_SECTIONS),
            "not": {"anyOf": [{"required": [s]} for s in checks.SOLE_PROPRIETOR_SECTIONS]},
        },
    },
]

# Sections are built once, inside `Customer`, not each on its own as well: defer_build
# saves that second schema build (~40 ms of every `validate`).
_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class Isv(BaseModel):
    """You, the ISV registering the customer."""

    model_config = _CONFIG
    primary_customer_profile_sid: Annotated[StrictStr, _sid("BU", "a customer profile (BU…)")] = (
        Field(description="Your approved Primary Customer Profile (ISV Reseller or Partner).")
    )
    notification_email: Email | None = Field(
        None, description="Your address: the `Email` of standard / LVS profiles and trust products."
    )
    status_callback: Url | None = Field(
        None, description="Where TrustHub reports profile and bundle status changes (recommended)."
    )


class Contact(BaseModel):
    """-> TrustHub EndUser `starter_customer_profile_information` (sole proprietors)."""

    model_config = _CONFIG
    first_name: PersonName
    last_name: PersonName
    email: Email = Field(
        description="The customer's address; also the `Email` of their profile and trust bundle."
    )
    phone_number: Phone


class SoleProprietorInfo(BaseModel):
    """-> TrustHub EndUser `sole_proprietor_information`."""

    model_config = _CONFIG
    brand_name: Annotated[StrictStr, _text(1, r.BRAND_NAME_MAX_CHARS), Rule(r.brand_name)] = Field(
        description="The business or DBA name; else first and last name. Never an ID or e-mail."
    )
    mobile_phone_number: Annotated[StrictStr, Rule(r.us_ca_mobile, **_PHONE_SCHEMA)] = Field(
        description="The customer's own US/CA mobile: it receives the OTP. Not a Twilio number."
    )
    vertical: Annotated[StrictStr, _enum(r.VERTICALS)] | None = None


class Address(BaseModel):
    """-> Address, attached as SupportingDocument `customer_profile_address`."""

    model_config = _CONFIG
    customer_name: Text
    street: Annotated[StrictStr, _text(1, r.STREET_MAX_CHARS)]
    street_secondary: Annotated[StrictStr, _text(1, r.STREET_MAX_CHARS)] | None = None
    city: Annotated[StrictStr, _text(1, r.CITY_MAX_CHARS)]
    region: Annotated[StrictStr, _text(1, r.REGION_MAX_CHARS)] = Field(
        description="State or province; for the US the 2-letter state code."
    )
    postal_code: Annotated[StrictStr, _text(1, r.POSTAL_CODE_MAX_CHARS)]
    iso_country: Annotated[StrictStr, Rule(r.iso_country, pattern="^[A-Z]{2}$")]


class Business(BaseModel):
    """-> TrustHub EndUser `customer_profile_business_information`."""

    model_config = _CONFIG
    business_name: Annotated[StrictStr, _text(1, r.BUSINESS_NAME_MAX_CHARS)] = Field(
        description="The legal name exactly as on the tax registration (e.g. the IRS EIN letter)."
    )
    business_type: Annotated[StrictStr, _enum(r.BUSINESS_TYPES)]
    business_industry: Annotated[StrictStr, _enum(r.BUSINESS_INDUSTRIES)]
    business_registration_identifier: Annotated[StrictStr, _enum(r.REGISTRATION_IDENTIFIERS)]
    business_registration_number: Annotated[
        StrictStr, _text(1, r.REGISTRATION_NUMBER_MAX_CHARS)
    ] = Field(description="EIN: 9 digits (12-3456789 is sent as 123456789); CBN: the BN9.")
    business_regions_of_operation: Annotated[StrictStr, Rule(r.regions)] = Field(
        description="AFRICA, ASIA, AUSTRALIA, EUROPE, LATIN_AMERICA or USA_AND_CANADA; several: a,b"
    )
    business_identity: Annotated[StrictStr, _enum(r.BUSINESS_IDENTITIES)] = Field(
        description="direct_customer for an ISV's customer."
    )
    website_url: Annotated[StrictStr, Rule(r.http_url, format="uri"), _text(1, r.WEBSITE_MAX_CHARS)]
    social_media_profile_urls: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _ein_digits(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("business_registration_identifier") == "EIN":
            number = data.get("business_registration_number")
            if isinstance(number, str):
                try:
                    return {**data, "business_registration_number": r.ein(number)}
                except ValueError:
                    pass  # reported with its field by checks
        return data


class AuthorizedRepresentative(BaseModel):
    """-> TrustHub EndUser `authorized_representative_1` (and `_2`)."""

    model_config = _CONFIG
    first_name: PersonName
    last_name: PersonName
    email: Email
    phone_number: Phone
    business_title: Text
    job_position: Annotated[StrictStr, _enum(r.JOB_POSITIONS)]


class MessagingProfile(BaseModel):
    """-> TrustHub EndUser `us_a2p_messaging_profile_information`."""

    model_config = _CONFIG
    company_type: Annotated[StrictStr, _enum(r.COMPANY_TYPES)]
    stock_exchange: Annotated[StrictStr, _enum(r.STOCK_EXCHANGES)] | None = Field(
        None, description="Public companies only (and then required)."
    )
    stock_ticker: Annotated[StrictStr, _text(1, r.STOCK_TICKER_MAX_CHARS)] | None = Field(
        None, description="Public companies only (and then required)."
    )
    brand_contact_email: Email | None = Field(
        None, description="Required for public companies: receives the Authentication+ 2FA e-mail."
    )


class Brand(BaseModel):
    """-> BrandRegistration options."""

    model_config = _CONFIG
    mock: StrictBool = Field(
        False, description="A Twilio mock brand: no TCR fees, never approved for traffic."
    )
    skip_automatic_sec_vet: StrictBool = Field(
        False,
        description="Standard: 527 political organizations or Campaign Verify. LVS: always true.",
    )


class MessagingService(BaseModel):
    """-> Messaging Service: reuse one (`sid`) or create one (`friendly_name`)."""

    model_config = _CONFIG
    sid: Annotated[StrictStr, _sid("MG", "a messaging service (MG…)")] | None = None
    friendly_name: Annotated[StrictStr, _text(1, r.SERVICE_FRIENDLY_NAME_MAX_CHARS)] | None = None
    inbound_request_url: Url | None = None
    fallback_url: Url | None = None


class Campaign(BaseModel):
    """-> UsAppToPerson (Usa2p) campaign parameters."""

    model_config = _CONFIG
    us_app_to_person_usecase: Annotated[StrictStr, _enum(r.USECASES)] = Field(
        description="SOLE_PROPRIETOR for sole proprietors; LOW_VOLUME is usual for LVS."
    )
    description: Annotated[StrictStr, _text(*r.DESCRIPTION_CHARS)] = Field(
        description="Who sends, who receives, and why."
    )
    message_flow: Annotated[StrictStr, _text(*r.MESSAGE_FLOW_CHARS)] = Field(
        description="How every subscriber opts in (with links where web-based)."
    )
    message_samples: Annotated[
        list[Annotated[StrictStr, _text(*r.SAMPLE_CHARS)]],
        Rule(r.count(*r.SAMPLES_COUNT, "samples"), minItems=2, maxItems=5),
    ] = Field(description="2–5 real examples, each naming the brand; variable parts in [brackets].")
    has_embedded_links: StrictBool
    has_embedded_phone: StrictBool
    opt_in_keywords: Keywords | None = None
    opt_in_message: Reply | None = None
    opt_out_keywords: Keywords | None = None
    opt_out_message: Reply | None = None
    help_keywords: Keywords | None = None
    help_message: Reply | None = None
    privacy_policy_url: Url | None = None
    terms_and_conditions_url: Url | None = None
    subscriber_opt_in: StrictBool | None = None
    age_gated: StrictBool | None = None
    direct_lending: StrictBool | None = None


class Customer(BaseModel):
    """One customer of the ISV: everything a2pctl needs to register them for A2P 10DLC."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        title="a2pctl customer file",
        json_schema_extra={"allOf": FLOW_SCHEMA},
    )
    name: Annotated[StrictStr, Rule(r.name, pattern="^[a-z0-9-]+$", maxLength=r.NAME_MAX_CHARS)] = (
        Field(description="Registration key, unique per account: lowercase letters, digits and -.")
    )
    flow: Literal["sole_proprietor", "standard", "low_volume_standard"]
    account_sid: Annotated[StrictStr, _sid("AC", "an account (AC…)")] | None = Field(
        None, description="The (sub)account to register in; default: the credentials' account."
    )
    isv: Isv
    contact: Contact | None = None
    sole_proprietor: SoleProprietorInfo | None = None
    business: Business | None = None
    authorized_representatives: (
        Annotated[
            list[AuthorizedRepresentative],
            Rule(r.count(*r.REPRESENTATIVES_COUNT, "representatives"), minItems=1, maxItems=2),
        ]
        | None
    ) = None
    messaging_profile: MessagingProfile | None = None
    address: Address
    brand: Brand = Brand()
    messaging_service: MessagingService
    campaign: Campaign
    phone_numbers: Annotated[
        list[Annotated[StrictStr, Rule(r.ten_dlc_number, pattern=_NUMBER_PATTERN)]],
        Rule(r.count(1, r.SENDER_POOL_MAX_NUMBERS, "phone numbers"), minItems=1),
        Rule(checks.unique_numbers, uniqueItems=True),
    ] = Field(description="E.164 numbers or PN SIDs the account owns; sole proprietors: one.")

    @model_validator(mode="wrap")
    @classmethod
    def _cross_field_rules(
        cls, data: Any, handler: ModelWrapValidatorHandler[Customer]
    ) -> Customer:
        # The rules run on the raw data even when fields fail, so one run reports every
        # problem; pydantic's own errors and the rules' are raised together.
        plain = _plain(data)
        found = [
            InitErrorDetails(
                type=PydanticCustomError(RULE_ERROR, "{reason}", {"reason": message}),
                loc=path,
                input=None,
            )
            for path, message in checks.flow_problems(plain)
        ]
        try:
            customer = handler(data)
        except ValidationError as exc:
            if not found:
                raise
            refused = checks.refused_sections(plain)
            kept = [e for e in _reraise(exc) if not (e["loc"] and e["loc"][0] in refused)]
            raise ValidationError.from_exception_data(cls.__name__, kept + found) from None
        if found:
            raise ValidationError.from_exception_data(cls.__name__, found)
        return customer


def _plain(data: Any) -> Any:
    """Models passed in code (Customer(campaign=Campaign(...))) as the dicts a file gives."""
    if isinstance(data, BaseModel):
        return data.model_dump(exclude_unset=True)  # keeps "explicitly set" visible
    if isinstance(data, Mapping):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return data


def _reraise(exc: ValidationError) -> list[InitErrorDetails]:
    out: list[InitErrorDetails] = []
    for error in exc.errors():
        details = InitErrorDetails(type=error["type"], loc=error["loc"], input=error["input"])
        if error["type"] == RULE_ERROR:
            details["type"] = PydanticCustomError(RULE_ERROR, "{reason}", {"reason": error["msg"]})
        elif "ctx" in error:
            details["ctx"] = error["ctx"]
        out.append(details)
    return out
