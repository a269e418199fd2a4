"""Messaging v1 services and their senders (messaging.twilio.com/v1/Services,
docs/twilio/endpoints.md §3.3–3.4). A number joins one service only: 21710 ("Phone
Number is already in the Messaging Service", naming the service that holds it) when
added to the same service again or to another one, so a client must GET its own service
to tell the two apart. Deleting a service deletes its campaign.
"""

from __future__ import annotations

from a2pctl.sandbox import campaigns, reviews
from a2pctl.sandbox.routing import Route, route
from a2pctl.sandbox.wire import MESSAGING, Json, Reply, Request, invalid, iso, public
from a2pctl.sandbox.wire import v1_page as page
from a2pctl.sandbox.world import World

NUMBER_IN_SERVICE = 21710
FRIENDLY_NAME_MAX = 64

# Service parameters: (form name, record key, kind).
SERVICE_PARAMS = (
    ("InboundRequestUrl", "inbound_request_url", str),
    ("InboundMethod", "inbound_method", str),
    ("FallbackUrl", "fallback_url", str),
    ("FallbackMethod", "fallback_method", str),
    ("StatusCallback", "status_callback", str),
    ("StickySender", "sticky_sender", bool),
    ("MmsConverter", "mms_converter", bool),
    ("SmartEncoding", "smart_encoding", bool),
    ("ScanMessageContent", "scan_message_content", str),
    ("FallbackToLongCode", "fallback_to_long_code", bool),
    ("AreaCodeGeomatch", "area_code_geomatch", bool),
    ("ValidityPeriod", "validity_period", int),
    ("SynchronousValidation", "synchronous_validation", bool),
    ("Usecase", "usecase", str),
    ("UseInboundWebhookOnNumber", "use_inbound_webhook_on_number", bool),
)

# --- services -------------------------------------------------------------------------


def _apply_service_params(record: Json, req: Request) -> None:
    for param, key, kind in SERVICE_PARAMS:
        if not req.has(param):
            continue
        if kind is bool:
            record[key] = req.flag(param)
        elif kind is int:
            record[key] = req.integer(param)
        else:
            record[key] = req.get(param)
    name = record["friendly_name"]
    if not name or len(name) > FRIENDLY_NAME_MAX:
        raise invalid(f"FriendlyName must be 1 to {FRIENDLY_NAME_MAX} characters")


def create_service(world: World, req: Request) -> Reply:
    now = world.now()
    sid = world.new_sid("MG")
    url = f"{MESSAGING}/v1/Services/{sid}"
    record: Json = {
        "sid": sid,
        "account_sid": req.account,
        "friendly_name": req.required("FriendlyName"),
        "date_created": iso(now),
        "date_updated": iso(now),
        "inbound_request_url": None,
        "inbound_method": "POST",
        "fallback_url": None,
        "fallback_method": "POST",
        "status_callback": None,
        "sticky_sender": True,
        "mms_converter": True,
        "smart_encoding": True,
        "scan_message_content": "inherit",
        "fallback_to_long_code": True,
        "area_code_geomatch": True,
        "synchronous_validation": False,
        "validity_period": 36000,
        "url": url,
        "links": {
            name: f"{url}/{path}"
            for name, path in (
                ("phone_numbers", "PhoneNumbers"),
                ("short_codes", "ShortCodes"),
                ("alpha_senders", "AlphaSenders"),
                ("messages", "Messages"),
                ("us_app_to_person", "Compliance/Usa2p"),
                ("us_app_to_person_usecases", "Compliance/Usa2p/Usecases"),
                ("channel_senders", "ChannelSenders"),
                ("destination_alpha_senders", "DestinationAlphaSenders"),
            )
        },
        "usecase": "undeclared",
        "us_app_to_person_registered": False,
        "use_inbound_webhook_on_number": False,
    }
    _apply_service_params(record, req)
    world.insert("services", sid, record, req.account)
    return 201, public(record)


def list_services(world: World, req: Request) -> Reply:
    return 200, page(req, MESSAGING, world.owned("services", req.account), "services")


def fetch_service(world: World, req: Request, sid: str) -> Reply:
    return 200, public(world.get("services", sid, req.account, req.path))


def update_service(world: World, req: Request, sid: str) -> Reply:
    record = world.get("services", sid, req.account, req.path)
    if req.has("FriendlyName"):
        record["friendly_name"] = req.get("FriendlyName")
    _apply_service_params(record, req)
    record["date_updated"] = iso(world.now())
    return 200, public(record)


def delete_service(world: World, req: Request, sid: str) -> Reply:
    world.get("services", sid, req.account, req.path)
    # Deleting the service deletes its campaign and releases its senders
    # (docs/twilio/flows.md §4.4).
    campaigns.delete_campaign_of(world, sid)
    for number in reviews.senders_of(world, req.account, sid):
        world.remove("service_numbers", number["_key"])
    world.remove("services", sid)
    return 204, None


# --- senders ----------------------------------------------------------------------------


def add_number(world: World, req: Request, service_sid: str) -> Reply:
    world.get("services", service_sid, req.account, req.path)
    pn = req.required("PhoneNumberSid")
    incoming = world.find("incoming_numbers", pn, req.account)
    if incoming is None:
        raise invalid(f"PhoneNumberSid {pn} is not a phone number of this account")
    for other in world.owned("service_numbers", req.account):
        if other["sid"] == pn:
            raise invalid(
                f"Phone Number {pn} is already in Messaging Service {other['service_sid']}",
                NUMBER_IN_SERVICE,
                status=409,
            )
    now = world.now()
    key = f"{service_sid}/{pn}"
    record = {
        "sid": pn,
        "account_sid": req.account,
        "service_sid": service_sid,
        "date_created": iso(now),
        "date_updated": iso(now),
        "phone_number": incoming["phone_number"],
        "country_code": "US",
        "capabilities": ["SMS", "MMS", "Voice"],
        "url": f"{MESSAGING}/v1/Services/{service_sid}/PhoneNumbers/{pn}",
        "_key": key,
        "_a2p": "unregistered",  # the number's A2P registration status (events only)
    }
    world.insert("service_numbers", key, record, req.account)
    campaign = world.find("campaigns", service_sid, req.account)
    if campaign is not None and campaign["campaign_status"] == "VERIFIED":
        reviews.register_number(world, record, campaign, now)
    return 201, public(record)


def list_numbers(world: World, req: Request, service_sid: str) -> Reply:
    world.get("services", service_sid, req.account, req.path)
    items = reviews.senders_of(world, req.account, service_sid)
    return 200, page(req, MESSAGING, items, "phone_numbers")


def fetch_number(world: World, req: Request, service_sid: str, pn: str) -> Reply:
    return 200, public(world.get("service_numbers", f"{service_sid}/{pn}", req.account, req.path))


def remove_number(world: World, req: Request, service_sid: str, pn: str) -> Reply:
    record = world.get("service_numbers", f"{service_sid}/{pn}", req.account, req.path)
    campaign = world.find("campaigns", service_sid, req.account)
    if campaign is not None:
        reviews.deregister_number(world, record, campaign["_campaign_sid"], world.now())
    world.remove("service_numbers", record["_key"])
    return 204, None


ROUTES: list[Route] = [
    route("POST", "/v1/Services", create_service),
    route("GET", "/v1/Services", list_services),
    route("GET", "/v1/Services/{}", fetch_service),
    route("POST", "/v1/Services/{}", update_service),
    route("DELETE", "/v1/Services/{}", delete_service),
    route("POST", "/v1/Services/{}/PhoneNumbers", add_number),
    route("GET", "/v1/Services/{}/PhoneNumbers", list_numbers),
    route("GET", "/v1/Services/{}/PhoneNumbers/{}", fetch_number),
    route("DELETE", "/v1/Services/{}/PhoneNumbers/{}", remove_number),
]
