"""Recording decoded events against registrations in the state store.

`register` records each registration's resources (brand BN…, messaging
service MG…, campaign `campaign:MG…`, phone numbers PN…). An event is matched
to its registration through those SIDs, recorded once (by CloudEvent id), and
updates the resource's last known status, which `a2pctl status` shows. A
replayed event changes nothing; an event older than the last one applied to
a resource is recorded but leaves its status alone (deliveries can arrive out
of order); an event for SIDs this store does not know is recorded without a
registration and updates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from a2pctl.events.decode import SINK_TEST, DecodedEvent
from a2pctl.events.sinktest import record_test
from a2pctl.state.records import campaign_key
from a2pctl.state.store import ResourceRecord, Store

# What recording an event did (ReceivedEvent.outcome).
UPDATED = "updated"  # new event; the resource's last known status was updated
RECORDED = "recorded"  # new event; no status to update (unknown SIDs or no status implied)
STALE = "stale"  # new event, but older than the last one applied to its resource
REPLAY = "replay"  # already recorded (same CloudEvent id): nothing changed
TEST = "test"  # a sink's test event: its test id kept for `events setup` (events/sinktest.py)


@dataclass(frozen=True)
class Match:
    """Where an event belongs: its registration and the resource it updates."""

    name: str | None
    account: str | None
    resource_sid: str | None  # the store SID to update (None: nothing to update)
    resource: ResourceRecord | None  # that resource as recorded so far


@dataclass(frozen=True)
class ReceivedEvent:
    event: DecodedEvent  # with `registration` filled in where known
    outcome: str  # UPDATED | RECORDED | STALE | REPLAY


def match_event(store: Store, event: DecodedEvent) -> Match:
    """Find an event's registration by its brand, service, campaign or number SIDs."""
    if event.kind == "brand" and event.brand_sid:
        own = store.find_resource(event.brand_sid)
        owner = own or _find(store, event.messaging_service_sid)
        return _match(owner, event.brand_sid, own)
    if event.kind == "campaign":
        mg = event.messaging_service_sid
        own = store.find_resource(campaign_key(mg)) if mg else None
        if own is None and event.campaign_sid:
            own = _campaign_by_event_sid(store, event.campaign_sid)
        owner = own or _find(store, mg) or _find(store, event.brand_sid)
        sid = own.sid if own else (campaign_key(mg) if mg else None)
        return _match(owner, sid, own)
    if event.kind == "phone_number":
        pn = _text(event.data.get("phonenumbersid"))
        own = _find(store, pn) or _number_by_e164(store, event.phone_number)
        owner = own
        if owner is None and event.campaign_sid:
            owner = _campaign_by_event_sid(store, event.campaign_sid)
        return _match(owner, own.sid if own else pn, own)
    return Match(None, None, None, None)


def with_registration(store: Store, event: DecodedEvent) -> DecodedEvent:
    """The event with its registration named, without recording anything."""
    return replace(event, registration=match_event(store, event).name)


def record_events(store: Store, events: list[DecodedEvent]) -> list[ReceivedEvent]:
    return [record_event(store, event) for event in events]


def record_delivery(
    store: Store, destination: str, events: list[DecodedEvent], *, received_at: float
) -> list[ReceivedEvent]:
    """Record what one delivery to `destination` brought: A2P (and other) events once
    each; a sink's test event as the destination's newest test id, not as an event."""
    received = []
    for event in events:
        if event.kind == SINK_TEST:
            record_test(store, destination, event.envelope, received_at=received_at)
            received.append(ReceivedEvent(event, TEST))
        else:
            received.append(record_event(store, event))
    return received


def record_event(store: Store, event: DecodedEvent) -> ReceivedEvent:
    """Record one event once and update the last known status it implies."""
    match = match_event(store, event)
    event = replace(event, registration=match.name)
    fresh = store.add_event(
        event.id,
        event.type,
        event.envelope or {"id": event.id, "type": event.type, "data": event.data},
        time=event.time,
        name=match.name,
        account=match.account or event.account,
        sid=event.sid,
    )
    if not fresh:
        return ReceivedEvent(event, REPLAY)
    if match.name is None or match.resource_sid is None or event.status is None:
        return ReceivedEvent(event, RECORDED)
    previous = match.resource.detail if match.resource else {}
    if _older(event.time, previous.get("event_time")):
        return ReceivedEvent(event, STALE)
    if event.status == "DELETED" and _deleted_before(event.time, match.resource):
        return ReceivedEvent(event, STALE)  # e.g. the campaign a2pctl recreated since
    detail = _updated_detail(event, dict(previous))
    store.record_resource(
        match.resource_sid,
        kind=event.kind,
        status=event.status,
        detail=detail,
        name=match.name,
        account=match.account or event.account,
        source="event",
    )
    return ReceivedEvent(event, UPDATED)


def _updated_detail(event: DecodedEvent, detail: dict[str, Any]) -> dict[str, Any]:
    """The resource's recorded detail with what the event says merged in (REST field names)."""
    if event.kind == "brand":
        detail["sid"] = event.brand_sid
        detail["status"] = event.status
        if event.identity_status:
            detail["identity_status"] = event.identity_status
        if event.brand_id:
            detail["tcr_id"] = event.brand_id
    elif event.kind == "campaign":
        detail["campaign_status"] = event.status
        if event.messaging_service_sid:
            detail["messaging_service_sid"] = event.messaging_service_sid
        if event.brand_sid:
            detail["brand_registration_sid"] = event.brand_sid
        if event.campaign_id:
            detail["campaign_id"] = event.campaign_id
        if event.campaign_sid:
            detail["event_campaign_sid"] = event.campaign_sid
    else:
        if event.phone_number:
            detail.setdefault("phone_number", event.phone_number)
        detail["campaign_sid"] = event.campaign_sid
        detail["failure_reason"] = event.failure_reason
    if event.errors:
        detail["errors"] = [dict(error) for error in event.errors]
    if event.kind == "brand" and event.failure_reason:
        detail["failure_reason"] = event.failure_reason
    detail["event_time"] = event.time
    detail["event"] = {"id": event.id, "type": event.type, "time": event.time}
    return detail


def _match(owner: ResourceRecord | None, sid: str | None, own: ResourceRecord | None) -> Match:
    if owner is None or owner.name is None:
        return Match(None, None, None, None)
    return Match(owner.name, owner.account, sid, own)


def _find(store: Store, sid: str | None) -> ResourceRecord | None:
    return store.find_resource(sid) if sid else None


def _campaign_by_event_sid(store: Store, campaign_sid: str) -> ResourceRecord | None:
    """Number events name the campaign by its CM… SID, known from a campaign event."""
    for resource in store.resources():
        if resource.kind != "campaign":
            continue
        if resource.detail.get("event_campaign_sid") == campaign_sid:
            return resource
    return None


def _number_by_e164(store: Store, number: str | None) -> ResourceRecord | None:
    if number is None:
        return None
    for resource in store.resources():
        if resource.kind == "phone_number" and resource.detail.get("phone_number") == number:
            return resource
    return None


def _older(time: str | None, previous: Any) -> bool:
    if not time or not isinstance(previous, str):
        return False
    try:
        return datetime.fromisoformat(time) < datetime.fromisoformat(previous)
    except (ValueError, TypeError):  # unreadable, or naive vs aware: keep it simple, apply
        return False


def _deleted_before(time: str | None, resource: ResourceRecord | None) -> bool:
    """A deletion that happened before a2pctl last recorded the resource (not from an
    event): the resource recorded since is a new one (a campaign recreated after a fix)."""
    if not time or resource is None or resource.source == "event":
        return False
    try:
        return datetime.fromisoformat(time).timestamp() < resource.updated_at
    except (ValueError, TypeError):
        return False


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None
