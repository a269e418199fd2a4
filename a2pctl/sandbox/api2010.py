"""API 2010-04-01 (api.twilio.com): Addresses and IncomingPhoneNumbers
(endpoints.md §2). Paths carry the account: /2010-04-01/Accounts/{AC}/….

The sandbox account owns every valid US number (+1 and ten digits, area code
not starting with 0 or 1) it is asked about: listing IncomingPhoneNumbers with
`PhoneNumber=+1…` creates the PN record on first lookup. Numbers starting
+1 555 0199 are the exception (`NOT_OWNED_PREFIX`): the account does not own
them, so "number not in this account" paths can be tried.
"""

from __future__ import annotations

import fnmatch
import re

from a2pctl.sandbox.bundles import ensure_editable
from a2pctl.sandbox.routing import Route, route
from a2pctl.sandbox.wire import Json, Reply, Request, invalid, public, rfc2822
from a2pctl.sandbox.wire import api2010_page as page
from a2pctl.sandbox.world import World

NOT_OWNED_PREFIX = "+15550199"
US_NUMBER = re.compile(r"^\+1[2-9]\d{9}$")
ACCOUNT_PATH = "/2010-04-01/Accounts/{}"

# (form parameter, record key) of the address fields create and update accept.
ADDRESS_FIELDS = (
    ("CustomerName", "customer_name"),
    ("Street", "street"),
    ("StreetSecondary", "street_secondary"),
    ("City", "city"),
    ("Region", "region"),
    ("PostalCode", "postal_code"),
    ("FriendlyName", "friendly_name"),
)
REQUIRED_ADDRESS = ("CustomerName", "Street", "City", "Region", "PostalCode", "IsoCountry")


def _uri(account: str, collection: str, sid: str) -> str:
    return f"/2010-04-01/Accounts/{account}/{collection}/{sid}.json"


# --- addresses --------------------------------------------------------------------------


def create_address(world: World, req: Request, account: str) -> Reply:
    for name in REQUIRED_ADDRESS:
        req.required(name)
    country = req.required("IsoCountry")
    if not re.fullmatch(r"[A-Za-z]{2}", country):
        raise invalid(f"Invalid IsoCountry {country!r}: expected an ISO 3166-1 alpha-2 code")
    now = world.now()
    sid = world.new_sid("AD")
    record: Json = {"account_sid": account, "sid": sid}
    for param, key in ADDRESS_FIELDS:
        record[key] = req.get(param)
    record.update(
        {
            "iso_country": country.upper(),
            "emergency_enabled": bool(req.flag("EmergencyEnabled")),
            "validated": False,
            "verified": False,
            "date_created": rfc2822(now),
            "date_updated": rfc2822(now),
            "uri": _uri(account, "Addresses", sid),
        }
    )
    world.insert("addresses", sid, record, account)
    return 201, public(record)


def list_addresses(world: World, req: Request, account: str) -> Reply:
    items = world.owned("addresses", account)
    for param, key in (
        ("CustomerName", "customer_name"),
        ("FriendlyName", "friendly_name"),
        ("IsoCountry", "iso_country"),
    ):
        wanted = req.get(param)
        if wanted is not None:
            items = [a for a in items if a[key] == wanted]
    emergency = req.flag("EmergencyEnabled")
    if emergency is not None:
        items = [a for a in items if a["emergency_enabled"] is emergency]
    return 200, page(req, items, "addresses")


def fetch_address(world: World, req: Request, account: str, sid: str) -> Reply:
    return 200, public(world.get("addresses", _sid(sid), account, req.path))


def _sid(segment: str) -> str:
    return segment.removesuffix(".json")


def _ensure_address_editable(world: World, account: str, sid: str) -> None:
    """An address is locked when a document naming it is in a locked bundle."""
    for doc in world.owned("supporting_documents", account):
        named = str((doc.get("attributes") or {}).get("address_sids", ""))
        if sid in named:
            ensure_editable(world, account, doc["sid"], f"Address {sid} (through document)")


def update_address(world: World, req: Request, account: str, sid: str) -> Reply:
    record = world.get("addresses", _sid(sid), account, req.path)
    if req.has("IsoCountry"):
        raise invalid("IsoCountry cannot be updated; create a new Address instead")
    _ensure_address_editable(world, account, record["sid"])
    for param, key in ADDRESS_FIELDS:
        if req.has(param):
            record[key] = req.get(param)
    if req.has("EmergencyEnabled"):
        record["emergency_enabled"] = bool(req.flag("EmergencyEnabled"))
    record["date_updated"] = rfc2822(world.now())
    return 200, public(record)


def delete_address(world: World, req: Request, account: str, sid: str) -> Reply:
    record = world.get("addresses", _sid(sid), account, req.path)
    _ensure_address_editable(world, account, record["sid"])
    world.remove("addresses", record["sid"])
    return 204, None


# --- incoming phone numbers -----------------------------------------------------------------


def _friendly(number: str) -> str:
    digits = number.removeprefix("+1")
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def own_number(world: World, account: str, number: str) -> Json:
    """The account's IncomingPhoneNumber for `number`, created on first sight."""
    for record in world.owned("incoming_numbers", account):
        if record["phone_number"] == number:
            return record
    now = world.now()
    sid = world.new_sid("PN")
    record = {
        "account_sid": account,
        "address_sid": None,
        "address_requirements": "none",
        "api_version": "2010-04-01",
        "beta": False,
        "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
        "date_created": rfc2822(now),
        "date_updated": rfc2822(now),
        "friendly_name": _friendly(number),
        "identity_sid": None,
        "phone_number": number,
        "origin": "twilio",
        "sid": sid,
        "sms_application_sid": None,
        "sms_fallback_method": "POST",
        "sms_fallback_url": None,
        "sms_method": "POST",
        "sms_url": None,
        "status_callback": None,
        "status_callback_method": "POST",
        "trunk_sid": None,
        "uri": _uri(account, "IncomingPhoneNumbers", sid),
        "voice_receive_mode": "voice",
        "voice_application_sid": None,
        "voice_caller_id_lookup": False,
        "voice_fallback_method": "POST",
        "voice_fallback_url": None,
        "voice_method": "POST",
        "voice_url": None,
        "emergency_status": "Inactive",
        "emergency_address_sid": None,
        "emergency_address_status": "unregistered",
        "bundle_sid": None,
        "status": "in-use",
        "type": "local",
    }
    return world.insert("incoming_numbers", sid, record, account)


def list_numbers(world: World, req: Request, account: str) -> Reply:
    wanted = req.get("PhoneNumber")
    if wanted and US_NUMBER.match(wanted) and not wanted.startswith(NOT_OWNED_PREFIX):
        own_number(world, account, wanted)
    items = world.owned("incoming_numbers", account)
    if wanted:
        if "*" in wanted:
            items = [n for n in items if fnmatch.fnmatchcase(n["phone_number"], wanted)]
        elif wanted.startswith("+"):
            items = [n for n in items if n["phone_number"] == wanted]
        else:  # a partial number matches anywhere, as Twilio's filter does
            items = [n for n in items if wanted in n["phone_number"]]
    friendly = req.get("FriendlyName")
    if friendly is not None:
        items = [n for n in items if n["friendly_name"] == friendly]
    origin = req.get("Origin")
    if origin is not None:
        items = [n for n in items if n["origin"] == origin]
    return 200, page(req, items, "incoming_phone_numbers")


def fetch_number(world: World, req: Request, account: str, sid: str) -> Reply:
    return 200, public(world.get("incoming_numbers", _sid(sid), account, req.path))


ROUTES: list[Route] = [
    route("POST", ACCOUNT_PATH + "/Addresses.json", create_address),
    route("GET", ACCOUNT_PATH + "/Addresses.json", list_addresses),
    route("GET", ACCOUNT_PATH + "/Addresses/{}", fetch_address),
    route("POST", ACCOUNT_PATH + "/Addresses/{}", update_address),
    route("DELETE", ACCOUNT_PATH + "/Addresses/{}", delete_address),
    route("GET", ACCOUNT_PATH + "/IncomingPhoneNumbers.json", list_numbers),
    route("GET", ACCOUNT_PATH + "/IncomingPhoneNumbers/{}", fetch_number),
]
