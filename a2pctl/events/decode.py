"""Decoding CloudEvents from Event Streams into typed, readable events.

A delivery is a JSON array of CloudEvents (a single object is accepted too).
Each A2P event concerns one brand (BN…), one campaign (identified by its
messaging service MG…) or one phone number (PN…); `DecodedEvent` names that
resource and its new status in the vocabulary the rest of a2pctl records:
brands `APPROVED` / `FAILED` (+ `identity_status`), campaigns `PENDING` /
`VERIFIED` / `FAILED`, numbers `PENDING_REGISTRATION`, `REGISTERED`,
`FAILURE`, `PENDING_DEREGISTRATION`, `UNREGISTERED`.

The payload's own fields win over what the type implies; the type fills in
what the payload leaves out. Every A2P type Twilio lists today is known
(events/catalog.py); an A2P type a2pctl does not know decodes by its fields
where it can, and otherwise, like events of other products, with kind `other`:
kept as received (recorded, shown), never dropped, and changing no status.
A sink's test event decodes with kind `sink_test`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from a2pctl.events.catalog import (
    A2P_PREFIX,
    BRAND_FAILURE,
    SUBSCRIBED_SCHEMA_VERSIONS,
    TYPE_IDENTITY,
    TYPE_KIND_STATUS,
    TYPE_WORDS,
    is_known,
)
from a2pctl.events.payload import parse_body
from a2pctl.events.sinktest import is_test_event, test_id_of
from a2pctl.gateway.records import normalised

# "com. twilio.messaging compliance.x" -> "com.twilio.messaging.compliance.x"
_TYPE_SEPARATORS = re.compile(r"[\s.]+")
# "2023-06-15713:51:04.528Z": the documented example has a 7 where the T belongs.
_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt7 ](?P<clock>\d{2}:\d{2}:\d{2}(?:\.\d+)?)"
    r"(?P<zone>Z|z|[+-]\d{2}:?\d{2})?$"
)
_SCHEMA_VERSION = re.compile(r"/(\d+)$")
_US_DIGITS = 10  # a US number without its +1 country code, as the number events send it

_BRAND_STATUSES = {
    "registered": "APPROVED",
    "approved": "APPROVED",
    "registration_failed": "FAILED",
    "failed": "FAILED",
    "failure": "FAILED",
}
_CAMPAIGN_STATUSES = {
    "pending": "PENDING",
    "success": "VERIFIED",  # the documented value
    "approved": "VERIFIED",  # newer docs (docs/twilio/flows.md §5.4): both mean approved
    "verified": "VERIFIED",
    "failure": "FAILED",
    "failed": "FAILED",
    "expired": "EXPIRED",
    "suspended": "SUSPENDED",
    "deleted": "DELETED",
}
UNKNOWN_NOTE = "type not known to a2pctl: kept as received"
SINK_TEST = "sink_test"  # the kind of a sink's test event (events/sinktest.py)


@dataclass(frozen=True)
class DecodedEvent:
    """One event, decoded. `sid` is the resource it concerns (BN…, MG…, PN…)."""

    id: str
    type: str  # the full type ID, typos repaired
    short_type: str  # after "com.twilio.messaging.compliance." (the full type for others)
    time: str | None  # ISO-8601 UTC
    kind: str  # brand | campaign | phone_number | sink_test | other
    sid: str | None
    status: str | None  # the last known status it implies (None: it implies none)
    event_status: str | None = None  # the payload's own word: registered, success, failure…
    identity_status: str | None = None
    errors: tuple[dict[str, Any], ...] = ()  # {error_code, description, url, fields}
    failure_reason: str | None = None
    account: str | None = None  # accountsid
    brand_sid: str | None = None
    messaging_service_sid: str | None = None
    campaign_sid: str | None = None  # CM… as the events name it
    campaign_id: str | None = None  # the TCR campaign ID (externalcampaignid)
    brand_id: str | None = None  # the TCR brand ID (externalbrandid)
    phone_number: str | None = None  # E.164
    schema_version: int | None = None
    notes: tuple[str, ...] = ()  # repairs made to read a malformed example
    data: dict[str, Any] = field(default_factory=dict)
    envelope: dict[str, Any] = field(default_factory=dict)  # the CloudEvent as received
    registration: str | None = None  # filled in from the state store, where known


@dataclass(frozen=True)
class DecodeResult:
    events: list[DecodedEvent]
    problems: list[str]  # one line per event that could not be decoded


def decode_body(raw: bytes | str) -> DecodeResult:
    """Parse and decode a webhook body. Raises PayloadError when it is not JSON."""
    return decode_payload(parse_body(raw))


def decode_payload(payload: Any) -> DecodeResult:
    items = payload if isinstance(payload, list) else [payload]
    events: list[DecodedEvent] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        try:
            events.append(decode_event(item))
        except ValueError as exc:
            problems.append(f"event {index + 1} of {len(items)}: {exc}")
    if not items:
        problems.append("the delivery holds no events")
    return DecodeResult(events, problems)


def decode_event(item: Any) -> DecodedEvent:
    """Decode one CloudEvent; ValueError says why it cannot be."""
    if not isinstance(item, dict):
        raise ValueError(f"not a JSON object but {type(item).__name__}")
    event_id = _text(item.get("id"))
    if event_id is None:
        raise ValueError("no CloudEvent id (needed to record it once)")
    raw_type = _text(item.get("type"))
    if raw_type is None:
        raise ValueError(f"event {event_id} has no type")
    data = item.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"event {event_id}: data is not a JSON object")
    full = normalize_type(raw_type)
    short = full[len(A2P_PREFIX) :] if full.startswith(A2P_PREFIX) else full
    notes: list[str] = []
    if full != raw_type:
        notes.append(f"type read as {full}")
    if _has_items(data, "brandregistrationerrors") and short != BRAND_FAILURE:
        # The documented Brand Registration Failure example is labelled
        # campaign-submitted; brand errors only come with a brand failure.
        notes.append(f"read as {BRAND_FAILURE}: the event carries brandregistrationerrors")
        short, full = BRAND_FAILURE, A2P_PREFIX + BRAND_FAILURE
    base = DecodedEvent(
        id=event_id,
        type=full,
        short_type=short,
        time=_event_time(item.get("time"), data),
        kind="other",
        sid=None,
        status=None,
        account=_text(data.get("accountsid")),
        brand_sid=_text(data.get("brandsid")),
        messaging_service_sid=_text(data.get("messagingservicesid")),
        campaign_sid=_text(data.get("campaignsid")),
        schema_version=_schema_version(item.get("dataschema")),
        notes=tuple(notes),
        data=data,
        envelope=item,
    )
    if is_test_event(full, data):
        test_id = test_id_of(item)
        said = f"sink test event, test id {test_id}" if test_id else "sink test event, no test id"
        return replace(base, kind=SINK_TEST, sid=_text(item.get("source")), event_status=said)
    if not full.startswith(A2P_PREFIX):
        return base
    if not is_known(short):
        base = replace(base, notes=(*base.notes, UNKNOWN_NOTE))
    base = replace(base, event_status=TYPE_WORDS.get(short))
    kind, implied = TYPE_KIND_STATUS.get(short, (_kind_from_data(data), None))
    try:
        if kind == "brand":
            return _brand(base, data, implied)
        if kind == "campaign":
            return _campaign(base, data, implied)
        if kind == "phone_number":
            return _number(base, data, implied)
    except ValueError:
        if short in SUBSCRIBED_SCHEMA_VERSIONS:
            raise  # one of the 12 documented types without its resource: malformed
        return replace(base, notes=(*base.notes, f"no {kind} SID: kept as received"))
    return base


def normalize_type(raw: str) -> str:
    return _TYPE_SEPARATORS.sub(".", raw.strip()).strip(".")


def _brand(base: DecodedEvent, data: dict[str, Any], implied: str | None) -> DecodedEvent:
    if base.brand_sid is None:
        raise ValueError(f"brand event {base.id} has no brandsid")
    errors = _errors(data.get("brandregistrationerrors"))
    word = _text(data.get("brandstatus"))
    status = _BRAND_STATUSES.get((word or "").lower(), implied)
    if errors or base.short_type == BRAND_FAILURE:
        status = "FAILED"
    identity = _text(data.get("identitystatus"))
    identity = identity.upper() if identity else TYPE_IDENTITY.get(base.short_type)
    said = base.event_status or word or ("failure" if status == "FAILED" else None)
    return replace(
        base,
        kind="brand",
        sid=base.brand_sid,
        status=status,
        event_status=said,
        identity_status=identity,
        errors=errors,
        failure_reason=_text(data.get("brandfailurereason")),
        brand_id=_text(data.get("externalbrandid")),
    )


def _campaign(base: DecodedEvent, data: dict[str, Any], implied: str | None) -> DecodedEvent:
    sid = base.messaging_service_sid or base.campaign_sid
    if sid is None:
        raise ValueError(
            f"campaign event {base.id} has neither messagingservicesid nor campaignsid"
        )
    word = _text(data.get("campaignregistrationstatus"))
    errors = _errors(data.get("campaignregistrationerrors"))
    status = _CAMPAIGN_STATUSES.get((word or "").lower(), implied)
    return replace(
        base,
        kind="campaign",
        sid=sid,
        status=status,
        event_status=base.event_status or word,
        errors=errors,
        campaign_id=_text(data.get("externalcampaignid")),
    )


def _number(base: DecodedEvent, data: dict[str, Any], implied: str | None) -> DecodedEvent:
    number = _e164(_text(data.get("phonenumber")))
    sid = _text(data.get("phonenumbersid")) or number
    if sid is None:
        raise ValueError(f"number event {base.id} has neither phonenumbersid nor phonenumber")
    word = _text(data.get("externalstatus"))
    reason = _text(data.get("failureReason")) or _text(data.get("failurereason"))
    return replace(
        base,
        kind="phone_number",
        sid=sid,
        status=word.upper() if word else implied,
        event_status=word,
        failure_reason=reason,
        phone_number=number,
    )


def _kind_from_data(data: dict[str, Any]) -> str:
    """The resource an A2P event of a type outside the 12 concerns, by its fields."""
    if "phonenumbersid" in data or "externalstatus" in data:
        return "phone_number"
    if "campaignregistrationstatus" in data or "messagingservicesid" in data:
        return "campaign"
    if "brandsid" in data:
        return "brand"
    return "other"


def _errors(value: Any) -> tuple[dict[str, Any], ...]:
    """Schema-v2 error arrays, in the REST API's `errors[]` shape (gateway/records.py)."""
    return tuple(normalised(value))


def _has_items(data: dict[str, Any], key: str) -> bool:
    value = data.get(key)
    return isinstance(value, list) and len(value) > 0


def _event_time(value: Any, data: dict[str, Any]) -> str | None:
    """The envelope `time` as ISO-8601 UTC, else the payload's epoch-ms timestamp."""
    text = _text(value)
    match = _TIME.match(text) if text else None
    if match:
        zone = match["zone"] or "Z"
        iso = f"{match['date']}T{match['clock']}{'Z' if zone in 'Zz' else zone}"
        try:
            parsed = datetime.fromisoformat(iso)
        except ValueError:
            parsed = None
        if parsed is not None:
            return _iso(parsed)
    stamp = data.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return _iso(datetime.fromtimestamp(stamp / 1000, tz=UTC))
    return text


def _iso(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _schema_version(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    match = _SCHEMA_VERSION.search("".join(text.split()))
    return int(match.group(1)) if match else None


def _e164(number: str | None) -> str | None:
    if number is None:
        return None
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.startswith("+"):
        return "+" + digits
    if len(digits) == _US_DIGITS:
        return "+1" + digits
    if len(digits) == _US_DIGITS + 1 and digits.startswith("1"):
        return "+" + digits
    return number


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None
