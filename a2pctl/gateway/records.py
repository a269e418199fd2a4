"""Typed pieces of Twilio's records, parsed at the boundary.

`RegistrationError` is one entry of a brand's, campaign's or bundle's `errors`, whatever
shape Twilio sent it in: the REST resources' `{error_code, description, fields, url}`,
the generic `{code, message}` of TrustHub bundles and older payloads, or Event Streams'
`{registrationerrorcode, registrationerrordescription, registrationerrorfields,
registrationerrorurl}` (docs/twilio/limits-and-errors.md). An entry of no known shape
keeps its raw text as the description, so nothing is ever shown as "Error None".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Self, TypeVar

# (code, description, fields, url) keys of each known shape, most specific first.
_SHAPES = (
    ("error_code", "description", "fields", "url"),
    (
        "registrationerrorcode",
        "registrationerrordescription",
        "registrationerrorfields",
        "registrationerrorurl",
    ),
    ("code", "message", "fields", "more_info"),
)


@dataclass(frozen=True)
class RegistrationError:
    code: int | None
    description: str
    fields: tuple[str, ...] = ()
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The REST resources' own shape, which everything past the gateway reads."""
        return {
            "error_code": self.code,
            "description": self.description,
            "fields": list(self.fields),
            "url": self.url,
        }


def registration_errors(value: Any) -> list[RegistrationError]:
    """Every entry of an `errors` value, in one shape (none when it is not a list)."""
    if not isinstance(value, list):
        return []
    return [_parse(entry) for entry in value]


def normalised(value: Any) -> list[dict[str, Any]]:
    """An `errors` value as plain records of the one shape."""
    return [error.as_dict() for error in registration_errors(value)]


def _parse(entry: Any) -> RegistrationError:
    if not isinstance(entry, Mapping):
        return RegistrationError(None, str(entry))
    for code_key, text_key, fields_key, url_key in _SHAPES:
        if code_key in entry or text_key in entry:
            code, text = _int(entry.get(code_key)), entry.get(text_key)
            fields = entry.get(fields_key)
            raw_fields = fields if isinstance(fields, list) else []
            description = str(text).strip() if text not in (None, "") else ""
            if not description:  # a code alone: say what was sent, not "None"
                description = f"error {code}" if code is not None else _raw(entry)
            url = entry.get(url_key)
            return RegistrationError(
                code,
                description,
                tuple(str(f) for f in raw_fields),
                str(url) if url else None,
            )
    return RegistrationError(None, _raw(entry))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _raw(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, default=str)


def plain_json(value: Any) -> Any:
    """A library value as JSON shows it: dates as ISO-8601 (UTC `Z`), decimals as text."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    return value


# --- the resources, as typed records ---------------------------------------------------
# Each holds exactly the fields a2pctl reads, under Twilio's snake_case names, parsed from
# the answer by `from_twilio` (a missing key: None, False or empty, as `.get` gave it), and
# the answer itself for the state store only (`as_detail`: what is stored stays the same).


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _sid(value: Any) -> str:
    return "" if value is None else str(value)


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "str": _sid,
    "str | None": _text,
    "bool | None": _flag,
    "bool": bool,
    "int | None": _int,
    "tuple[str, ...]": _texts,
    "tuple[RegistrationError, ...]": lambda v: tuple(registration_errors(v)),
}


@dataclass(frozen=True, kw_only=True)
class TwilioRecord:
    """A resource as Twilio answered it: its SID and creation date (ISO-8601 text, as
    Twilio sends it; compared as text to find the newest), and the typed fields of each
    subclass. `raw` is the answer as a plain record, read by `as_detail` only."""

    sid: str
    date_created: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_twilio(cls, data: Mapping[str, Any]) -> Self:
        read = {**data, **cls._derived(data)}
        values = {
            f.name: _PARSERS[str(f.type)](read.get(f.name)) for f in fields(cls) if f.name != "raw"
        }
        return cls(raw=MappingProxyType(dict(data)), **values)

    @classmethod
    def _derived(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """Fields read from inside a value (a JSON attribute) rather than a key."""
        return {}

    @classmethod
    def parse_all(cls, records: Iterable[Mapping[str, Any]]) -> list[Self]:
        return [cls.from_twilio(r) for r in records]

    def as_detail(self) -> dict[str, Any]:
        """The answer as the state store keeps it (a resource's detail, JSON)."""
        return dict(self.raw)


@dataclass(frozen=True, kw_only=True)
class Brand(TwilioRecord):
    status: str | None = None
    identity_status: str | None = None
    brand_type: str | None = None
    mock: bool | None = None
    tcr_id: str | None = None
    failure_reason: str | None = None
    customer_profile_bundle_sid: str | None = None
    a2p_profile_bundle_sid: str | None = None
    errors: tuple[RegistrationError, ...] = ()
    date_updated: str | None = None
    brand_feedback: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Campaign(TwilioRecord):
    """A service's US A2P campaign, with the parameters a customer file sets (`sent`)."""

    campaign_status: str | None = None
    mock: bool | None = None
    campaign_id: str | None = None
    brand_registration_sid: str | None = None
    errors: tuple[RegistrationError, ...] = ()
    # the parameters the file sets (flows/common.py CAMPAIGN_FIELDS), as Twilio holds them
    description: str | None = None
    message_flow: str | None = None
    message_samples: tuple[str, ...] = ()
    us_app_to_person_usecase: str | None = None
    has_embedded_links: bool | None = None
    has_embedded_phone: bool | None = None
    opt_in_message: str | None = None
    opt_out_message: str | None = None
    help_message: str | None = None
    opt_in_keywords: tuple[str, ...] = ()
    opt_out_keywords: tuple[str, ...] = ()
    help_keywords: tuple[str, ...] = ()
    subscriber_opt_in: bool | None = None
    age_gated: bool | None = None
    direct_lending: bool | None = None
    privacy_policy_url: str | None = None
    terms_and_conditions_url: str | None = None

    def sent(self, name: str) -> Any:
        """One of the parameters above, by name, lists as lists (as the file has them;
        an empty one as None, as when Twilio leaves it out)."""
        value = getattr(self, name, None)
        if isinstance(value, tuple):
            return list(value) or None
        return value


@dataclass(frozen=True, kw_only=True)
class Bundle(TwilioRecord):
    """A customer profile or trust product (TrustHub)."""

    status: str | None = None
    email: str | None = None
    status_callback: str | None = None
    errors: tuple[RegistrationError, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Evaluation(TwilioRecord):
    """A bundle's evaluation; its `results` are read from the detail (`as_detail`) by
    the remediation catalogue, which names the customer-file field of each problem."""

    status: str | None = None


@dataclass(frozen=True, kw_only=True)
class Assignment(TwilioRecord):
    object_sid: str | None = None


@dataclass(frozen=True, kw_only=True)
class EndUser(TwilioRecord):
    """An end user, with the two attributes a2pctl reads back (a messaging profile's)."""

    friendly_name: str | None = None
    type: str | None = None
    has_attributes: bool = False  # whether its attributes are an object (or its JSON)
    company_type: str | None = None
    brand_contact_email: str | None = None

    @classmethod
    def _derived(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        attributes = data.get("attributes")
        if isinstance(attributes, str):  # a JSON string where the record kept one
            try:
                attributes = json.loads(attributes)
            except ValueError:
                attributes = None
        found = attributes if isinstance(attributes, Mapping) else {}
        profile = {k: found.get(k) or None for k in _PROFILE}
        return {**profile, "has_attributes": isinstance(attributes, Mapping)}


_PROFILE = ("company_type", "brand_contact_email")


@dataclass(frozen=True, kw_only=True)
class Document(TwilioRecord):
    """A supporting document."""

    friendly_name: str | None = None
    type: str | None = None


@dataclass(frozen=True, kw_only=True)
class Address(TwilioRecord):
    friendly_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class Service(TwilioRecord):
    """A messaging service."""

    friendly_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class PhoneNumber(TwilioRecord):
    """An incoming phone number of the account, or a sender of a messaging service."""

    phone_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class Usecase(TwilioRecord):
    """A use case the brand is offered (no SID of its own)."""

    code: str | None = None


@dataclass(frozen=True, kw_only=True)
class Usecases(TwilioRecord):
    us_app_to_person_usecases: tuple[Usecase, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Sink(TwilioRecord):
    """An Event Streams sink, with its webhook configuration's three settings."""

    status: str | None = None
    sink_type: str | None = None
    destination: str | None = None
    method: str | None = None
    batch_events: bool | None = None  # None: not said

    @classmethod
    def _derived(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        config = data.get("sink_configuration")
        if isinstance(config, str):  # some answers carry it as a JSON string
            try:
                config = json.loads(config)
            except ValueError:
                config = None
        found = config if isinstance(config, dict) else {}
        batch = found.get("batch_events")
        said = "batch_events" in found
        return {
            "destination": found.get("destination"),
            "method": found.get("method"),
            "batch_events": (batch is True or str(batch).lower() == "true") if said else None,
        }


@dataclass(frozen=True, kw_only=True)
class Subscription(TwilioRecord):
    sink_sid: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class EventType(TwilioRecord):
    """An Event Streams type (no SID of its own), or one a subscription is subscribed to."""

    type: str | None = None
    status: str | None = None
    schema_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class Account(TwilioRecord):
    """An account; `auth_token` (a subaccount's, read by its parent) is a secret."""

    auth_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True, kw_only=True)
class Answer(TwilioRecord):
    """An answer a2pctl reads nothing from (an OTP or 2FA send, a sink's test)."""


_PARSERS["tuple[Usecase, ...]"] = lambda v: (
    tuple(Usecase.from_twilio(u) for u in v if isinstance(u, Mapping))
    if isinstance(v, list)
    else ()
)


R = TypeVar("R", bound=TwilioRecord)


def from_library(kind: type[R], instance: Any) -> R:
    """A `twilio` library instance as its typed record: its public attributes as Twilio's
    snake_case JSON (dates as ISO-8601), `errors` in their one shape. Imports no `twilio`."""
    record = {k: plain_json(v) for k, v in vars(instance).items() if not k.startswith("_")}
    if isinstance(record.get("errors"), list):
        record["errors"] = normalised(record["errors"])
    return kind.from_twilio(record)
