"""Events v1 (events.twilio.com): sinks, subscriptions, subscribed events and
the event-type catalogue (docs/twilio/endpoints.md §4).

A sink is created `initialized` and stays so until it is validated, as
Twilio's Sink Test and Sink Validate pages describe (docs/twilio/endpoints.md §4):
`POST /v1/Sinks/{DG}/Test` turns it `validating` and queues a test event (a
CloudEvent whose `data.test_id` is the test id) for the sink's destination; a
second test replaces the first test id. `POST /v1/Sinks/{DG}/Validate` with
that `TestId` turns it `active`; any other TestId is a 400 and changes nothing.
A subscription needs an active sink ("Sink must be active for the subscription
to be created", the OpenAPI description). `Types` arrive as repeated form keys,
each a JSON object `{"type", "schema_version"}` (schema version 1 when left out).
"""

from __future__ import annotations

import json

from a2pctl.sandbox import catalog
from a2pctl.sandbox.routing import Route, route
from a2pctl.sandbox.wire import EVENTS, Json, Reply, Request, invalid, iso, not_found, public
from a2pctl.sandbox.wire import v1_page as page
from a2pctl.sandbox.world import World

SINK_TYPES = ("kinesis", "webhook", "segment", "email")
SINK_STATUSES = ("initialized", "validating", "active", "failed")
DEFAULT_SCHEMA_VERSION = 1
TEST_EVENT_TYPE = "com.twilio.eventstreams.test-event"
TEST_ID_LENGTH = 34  # "A 34 character string" (the OpenAPI description of TestId)


# --- sinks ------------------------------------------------------------------------------


def create_sink(world: World, req: Request) -> Reply:
    description = req.required("Description")
    sink_type = req.required("SinkType")
    if sink_type not in SINK_TYPES:
        raise invalid(f"Invalid SinkType {sink_type!r}: expected one of {', '.join(SINK_TYPES)}")
    if not req.get("SinkConfiguration"):
        req.required("SinkConfiguration")
    configuration = req.json_object("SinkConfiguration") or {}
    if sink_type == "webhook" and not configuration.get("destination"):
        raise invalid("SinkConfiguration of a webhook sink needs a destination URL")
    now = world.now()
    sid = world.new_sid("DG")
    url = f"{EVENTS}/v1/Sinks/{sid}"
    record = {
        "date_created": iso(now),
        "date_updated": iso(now),
        "description": description,
        "sid": sid,
        "sink_configuration": configuration,
        "sink_type": sink_type,
        "status": "initialized",
        "url": url,
        "links": {"sink_test": f"{url}/Test", "sink_validate": f"{url}/Validate"},
        "_test_id": None,
    }
    world.insert("sinks", sid, record, req.account)
    return 201, public(record)


def list_sinks(world: World, req: Request) -> Reply:
    items = world.owned("sinks", req.account)
    status = req.get("Status")
    if status is not None:
        items = [s for s in items if s["status"] == status]
    in_use = req.flag("InUse")
    if in_use is not None:
        used = {s["sink_sid"] for s in world.owned("subscriptions", req.account)}
        items = [s for s in items if (s["sid"] in used) is in_use]
    return 200, page(req, EVENTS, items, "sinks")


def fetch_sink(world: World, req: Request, sid: str) -> Reply:
    return 200, public(world.get("sinks", sid, req.account, req.path))


def update_sink(world: World, req: Request, sid: str) -> Reply:
    record = world.get("sinks", sid, req.account, req.path)
    record["description"] = req.required("Description")
    record["date_updated"] = iso(world.now())
    return 200, public(record)


def delete_sink(world: World, req: Request, sid: str) -> Reply:
    world.get("sinks", sid, req.account, req.path)
    world.remove("sinks", sid)
    return 204, None


def test_sink(world: World, req: Request, sid: str) -> Reply:
    """Sends a test event carrying a test id, to be echoed to Validate."""
    sink = world.get("sinks", sid, req.account, req.path)
    test_id = world.new_hex(TEST_ID_LENGTH)
    sink["_test_id"] = test_id
    now = world.now()
    if sink["status"] != "active":
        sink["status"] = "validating"
        sink["date_updated"] = iso(now)
    event = {
        "specversion": "1.0",
        "type": TEST_EVENT_TYPE,
        "source": sid,
        "id": world.new_sid("CE"),
        "dataschema": "https://events-schemas.twilio.com/EventStreams.TestSink/1",
        "datacontenttype": "application/json",
        "time": iso(now),
        "data": {"test_id": test_id},
    }
    world.enqueue({"kind": "event", "account": req.account, "sink": sid, "event": event})
    return 201, {"result": "submitted"}


def validate_sink(world: World, req: Request, sid: str) -> Reply:
    sink = world.get("sinks", sid, req.account, req.path)
    test_id = req.required("TestId")
    if sink["_test_id"] is None or test_id != sink["_test_id"]:
        raise invalid("TestId does not match the test id sent with the sink's last test event")
    if sink["status"] != "active":
        sink["status"] = "active"
        sink["date_updated"] = iso(world.now())
    return 201, {"result": "valid"}


# --- subscriptions ------------------------------------------------------------------------


def _parse_type(raw: str) -> tuple[str, int]:
    try:
        item = json.loads(raw)
    except ValueError:
        raise invalid(f"Invalid Types item {raw!r}: expected a JSON object") from None
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise invalid(f'Invalid Types item {raw!r}: expected {{"type": ..., "schema_version": N}}')
    return _known_type(item["type"]), int(item.get("schema_version") or DEFAULT_SCHEMA_VERSION)


def _known_type(type_id: str) -> str:
    if type_id not in catalog.event_types():
        raise invalid(f"Invalid event type {type_id!r}: see GET /v1/Types")
    return type_id


def create_subscription(world: World, req: Request) -> Reply:
    description = req.required("Description")
    sink_sid = req.required("SinkSid")
    sink = world.find("sinks", sink_sid, req.account)
    if sink is None or sink["status"] == "failed":
        raise invalid(f"SinkSid {sink_sid} is not a usable sink of this account")
    if sink["status"] != "active":
        raise invalid(
            f"Sink must be active for the subscription to be created: {sink_sid} is "
            f"{sink['status']} (test it, then validate it with the test id)"
        )
    raw_types = req.values("Types")
    if not raw_types:
        req.required("Types")
    types = dict(_parse_type(raw) for raw in raw_types)
    now = world.now()
    sid = world.new_sid("DF")
    url = f"{EVENTS}/v1/Subscriptions/{sid}"
    record = {
        "account_sid": req.account,
        "sid": sid,
        "date_created": iso(now),
        "date_updated": iso(now),
        "description": description,
        "sink_sid": sink_sid,
        "url": url,
        "links": {"subscribed_events": f"{url}/SubscribedEvents"},
        "_types": types,
    }
    world.insert("subscriptions", sid, record, req.account)
    return 201, public(record)


def list_subscriptions(world: World, req: Request) -> Reply:
    items = world.owned("subscriptions", req.account)
    sink_sid = req.get("SinkSid")
    if sink_sid is not None:
        items = [s for s in items if s["sink_sid"] == sink_sid]
    return 200, page(req, EVENTS, items, "subscriptions")


def fetch_subscription(world: World, req: Request, sid: str) -> Reply:
    return 200, public(world.get("subscriptions", sid, req.account, req.path))


def update_subscription(world: World, req: Request, sid: str) -> Reply:
    record = world.get("subscriptions", sid, req.account, req.path)
    if req.has("Description"):
        record["description"] = req.get("Description")
    for raw in req.values("Types"):
        type_id, version = _parse_type(raw)
        record["_types"][type_id] = version
    record["date_updated"] = iso(world.now())
    return 200, public(record)


def delete_subscription(world: World, req: Request, sid: str) -> Reply:
    world.get("subscriptions", sid, req.account, req.path)
    world.remove("subscriptions", sid)
    return 204, None


def _subscribed(record: Json, type_id: str, version: int) -> Json:
    return {
        "account_sid": record["account_sid"],
        "type": type_id,
        "schema_version": version,
        "subscription_sid": record["sid"],
        "url": f"{record['url']}/SubscribedEvents/{type_id}",
    }


def list_subscribed(world: World, req: Request, sid: str) -> Reply:
    record = world.get("subscriptions", sid, req.account, req.path)
    items = [_subscribed(record, t, v) for t, v in record["_types"].items()]
    return 200, page(req, EVENTS, items, "types")


def add_subscribed(world: World, req: Request, sid: str) -> Reply:
    record = world.get("subscriptions", sid, req.account, req.path)
    type_id = _known_type(req.required("Type"))
    version = req.integer("SchemaVersion") or DEFAULT_SCHEMA_VERSION
    record["_types"][type_id] = version
    return 201, _subscribed(record, type_id, version)


def fetch_subscribed(world: World, req: Request, sid: str, type_id: str) -> Reply:
    record = world.get("subscriptions", sid, req.account, req.path)
    if type_id not in record["_types"]:
        raise not_found(req.path)
    return 200, _subscribed(record, type_id, record["_types"][type_id])


def update_subscribed(world: World, req: Request, sid: str, type_id: str) -> Reply:
    record = world.get("subscriptions", sid, req.account, req.path)
    if type_id not in record["_types"]:
        raise not_found(req.path)
    record["_types"][type_id] = req.integer("SchemaVersion") or DEFAULT_SCHEMA_VERSION
    return 200, _subscribed(record, type_id, record["_types"][type_id])


def remove_subscribed(world: World, req: Request, sid: str, type_id: str) -> Reply:
    record = world.get("subscriptions", sid, req.account, req.path)
    if record["_types"].pop(type_id, None) is None:
        raise not_found(req.path)
    return 204, None


# --- event types -------------------------------------------------------------------------


def list_types(world: World, req: Request) -> Reply:
    items = [catalog.event_type_record(t, s, d) for t, (s, d) in catalog.event_types().items()]
    schema_id = req.get("SchemaId")
    if schema_id is not None:
        items = [i for i in items if i["schema_id"] == schema_id]
    return 200, page(req, EVENTS, items, "types")


def fetch_type(world: World, req: Request, type_id: str) -> Reply:
    known = catalog.event_types().get(type_id)
    if known is None:
        raise not_found(req.path)
    return 200, catalog.event_type_record(type_id, *known)


SUBSCRIBED = "/v1/Subscriptions/{}/SubscribedEvents"
ROUTES: list[Route] = [
    route("POST", "/v1/Sinks", create_sink),
    route("GET", "/v1/Sinks", list_sinks),
    route("GET", "/v1/Sinks/{}", fetch_sink),
    route("POST", "/v1/Sinks/{}", update_sink),
    route("DELETE", "/v1/Sinks/{}", delete_sink),
    route("POST", "/v1/Sinks/{}/Test", test_sink),
    route("POST", "/v1/Sinks/{}/Validate", validate_sink),
    route("POST", "/v1/Subscriptions", create_subscription),
    route("GET", "/v1/Subscriptions", list_subscriptions),
    route("GET", "/v1/Subscriptions/{}", fetch_subscription),
    route("POST", "/v1/Subscriptions/{}", update_subscription),
    route("DELETE", "/v1/Subscriptions/{}", delete_subscription),
    route("GET", SUBSCRIBED, list_subscribed),
    route("POST", SUBSCRIBED, add_subscribed),
    route("GET", SUBSCRIBED + "/{}", fetch_subscribed),
    route("POST", SUBSCRIBED + "/{}", update_subscribed),
    route("DELETE", SUBSCRIBED + "/{}", remove_subscribed),
    route("GET", "/v1/Types", list_types),
    route("GET", "/v1/Types/{}", fetch_type),
]
