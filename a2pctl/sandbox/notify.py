"""What the simulator tells the outside world: A2P events for Event Streams
webhook sinks (CloudEvents, docs/twilio/flows.md §5, after Twilio's Event Streams setup
page) and TrustHub bundle status callbacks (docs/twilio/flows.md §4.1).

Events are queued in the world's outbox at the moment of the transition; the
simulator's tick signs and delivers them (see `delivery`).
"""

from __future__ import annotations

from typing import Any

from a2pctl.sandbox.catalog import A2P_EVENTS, EVENT_PREFIX
from a2pctl.sandbox.wire import Json, epoch_ms, iso_ms
from a2pctl.sandbox.world import World

SCHEMA_HOST = "https://events-schemas.twilio.com"
# Schema version 2 of the failure events adds the registration errors arrays.
ERRORS_SCHEMA_VERSION = 2


def event_errors(errors: list[Json]) -> list[Json]:
    """REST `errors[]` items as the events' `*registrationerrors` items."""
    return [
        {
            "registrationerrorcode": e["error_code"],
            "registrationerrordescription": e["description"],
            "registrationerrorurl": e["url"],
            "registrationerrorfields": list(e["fields"]),
        }
        for e in errors
    ]


def _subscribed_sinks(world: World, account: str, type_id: str) -> dict[str, int]:
    """Webhook sink SID -> schema version, for every subscription to `type_id`."""
    sinks: dict[str, int] = {}
    for sub in world.owned("subscriptions", account):
        version = sub["_types"].get(type_id)
        sink = world.find("sinks", sub["sink_sid"], account)
        if version is None or sink is None or sink["sink_type"] != "webhook":
            continue
        sinks[sink["sid"]] = max(sinks.get(sink["sid"], 0), int(version))
    return sinks


def emit(
    world: World,
    account: str,
    suffix: str,
    data: Json,
    *,
    at: float,
    errors_key: str | None = None,
    errors: list[Json] | None = None,
) -> None:
    """Queue the A2P event `suffix` for every webhook sink subscribed to it."""
    type_id = EVENT_PREFIX + suffix
    schema = A2P_EVENTS[suffix][0]
    for sink_sid, version in _subscribed_sinks(world, account, type_id).items():
        payload: dict[str, Any] = {"accountsid": account, **data, "timestamp": epoch_ms(at)}
        if errors_key and errors is not None and version >= ERRORS_SCHEMA_VERSION:
            payload[errors_key] = event_errors(errors)
        event = {
            "specversion": "1.0",
            "type": type_id,
            "source": world.new_sid("CA"),
            "id": world.new_sid("CE"),
            "dataschema": f"{SCHEMA_HOST}/{schema}/{version}",
            "datacontenttype": "application/json",
            "time": iso_ms(at),
            "data": payload,
        }
        world.enqueue({"kind": "event", "account": account, "sink": sink_sid, "event": event})


def status_callback(world: World, bundle: Json, failure_reason: str | None = None) -> None:
    """Queue the bundle's status callback (form POST), if it has one."""
    url = bundle.get("status_callback")
    if not url:
        return
    params = {"AccountSID": bundle["account_sid"], "BundleSID": bundle["sid"]}
    params["Status"] = bundle["status"]
    if failure_reason:
        params["FailureReason"] = failure_reason
    world.enqueue({"kind": "callback", "account": bundle["_account"], "url": url, "params": params})


# --- the payloads of each event (data keys as in the source document) ---------------


def brand_data(brand: Json) -> Json:
    return {
        "brandsid": brand["sid"],
        "createddate": epoch_ms(brand["_created"]),
        "updateddate": epoch_ms(brand["_updated"]),
    }


def campaign_data(campaign: Json, status: str) -> Json:
    return {
        "a2pusecase": campaign["us_app_to_person_usecase"],
        "brandsid": campaign["brand_registration_sid"],
        "campaignregistrationstatus": status,
        "campaignsid": campaign["_campaign_sid"],
        "createddate": epoch_ms(campaign["_created"]),
        "messagingservicesid": campaign["messaging_service_sid"],
        "updateddate": epoch_ms(campaign["_updated"]),
    }


def number_data(
    world: World, number: Json, status: str, campaign_sid: str | None, at: float
) -> Json:
    digits = number["phone_number"].removeprefix("+1")
    data: Json = {"id": _uuid(world)}
    if campaign_sid is not None:
        data["campaignsid"] = campaign_sid
    data.update(
        {
            "externalstatus": status,
            "phonenumbersid": number["sid"],
            "updateddate": epoch_ms(at),
            "phonenumber": digits,
        }
    )
    return data


def _uuid(world: World) -> str:
    raw = world.new_hex(32)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
