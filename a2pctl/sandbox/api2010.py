"""API 2010-04-01 (api.twilio.com): the Account, Addresses and IncomingPhoneNumbers
(docs/twilio/endpoints.md §2). Paths carry the account: /2010-04-01/Accounts/{AC}/….

Every AC SID other than the sandbox's main account is a subaccount: of the
account that asks about it, or of the main account when it asks about itself.
Fetching it shows its auth token, derived from its SID (`account_token`), never
the main account's, as a main account reads a subaccount's token on Twilio.
Requests authenticated as the subaccount (Basic username = its SID) act on it.

The sandbox account owns every valid US number (+1 and ten digits, area code
not starting with 0 or 1) it is asked about: listing IncomingPhoneNumbers with
`PhoneNumber=+1…` creates the PN record on first lookup. Numbers starting
+1 555 0199 are the exception (`NOT_OWNED_PREFIX`): the account does not own
them, so "number not in this account" paths can be tried.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import re

from a2pctl.sandbox.bundles import ensure_editable
from a2pctl.sandbox.routing import Route, route
from a2pctl.sandbox.wire import Json, Reply, Request, invalid, not_found, public, rfc2822
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


# --- accounts ---------------------------------------------------------------------------

ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
ACCOUNTS_CREATED = 1438286400.0  # 30 Jul 2015 20:00 UTC, the date of the spec's example
# (key, path after /2010-04-01/Accounts/{AC}) of an Account's subresource_uris, as
# the official description's example of GET /2010-04-01/Accounts/{Sid}.json lists them.
SUBRESOURCES = (
    ("available_phone_numbers", "AvailablePhoneNumbers"),
    ("calls", "Calls"),
    ("conferences", "Conferences"),
    ("incoming_phone_numbers", "IncomingPhoneNumbers"),
    ("notifications", "Notifications"),
    ("outgoing_caller_ids", "OutgoingCallerIds"),
    ("recordings", "Recordings"),
    ("transcriptions", "Transcriptions"),
    ("addresses", "Addresses"),
    ("signing_keys", "SigningKeys"),
    ("connect_apps", "ConnectApps"),
    ("sip", "SIP"),
    ("authorized_connect_apps", "AuthorizedConnectApps"),
    ("usage", "Usage"),
    ("keys", "Keys"),
    ("applications", "Applications"),
    ("short_codes", "SMS/ShortCodes"),
    ("queues", "Queues"),
    ("messages", "Messages"),
    ("balance", "Balance"),
)


def account_token(sid: str) -> str:
    """A subaccount's auth token: 32 hex digits, the same for the same SID in every
    sandbox (so a new process, or the HTTP sandbox, accepts what an old one showed)."""
    return hashlib.sha256(f"a2pctl-sandbox-subaccount:{sid}".encode()).hexdigest()[:32]


def _requester(req: Request) -> str:
    """The Basic-auth username (the simulator has checked the header before routing)."""
    encoded = req.headers.get("authorization", "").partition(" ")[2]
    return base64.b64decode(encoded).decode("utf-8", "replace").partition(":")[0]


def fetch_account(world: World, req: Request, sid: str) -> Reply:
    # Imported here: the simulator imports this module to build its routes.
    from a2pctl.sandbox.simulator import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN

    if not ACCOUNT_SID.match(sid):
        raise not_found(req.path)
    requester = _requester(req)
    if sid == SANDBOX_ACCOUNT_SID:
        owner, token, name = sid, SANDBOX_AUTH_TOKEN, "a2pctl sandbox"
    else:
        owner = requester if ACCOUNT_SID.match(requester) else SANDBOX_ACCOUNT_SID
        if owner == sid:  # a subaccount reading itself
            owner = SANDBOX_ACCOUNT_SID
        token, name = account_token(sid), f"a2pctl sandbox subaccount {sid[-6:]}"
    created = rfc2822(ACCOUNTS_CREATED)
    base = ACCOUNT_PATH.format(sid)
    return 200, {
        "auth_token": token,
        "date_created": created,
        "date_updated": created,
        "friendly_name": name,
        "owner_account_sid": owner,
        "sid": sid,
        "status": "active",
        "subresource_uris": {key: f"{base}/{path}.json" for key, path in SUBRESOURCES},
        "type": "Full",
        "uri": f"{base}.json",
    }


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
    route("GET", ACCOUNT_PATH + ".json", fetch_account),
    route("POST", ACCOUNT_PATH + "/Addresses.json", create_address),
    route("GET", ACCOUNT_PATH + "/Addresses.json", list_addresses),
    route("GET", ACCOUNT_PATH + "/Addresses/{}", fetch_address),
    route("POST", ACCOUNT_PATH + "/Addresses/{}", update_address),
    route("DELETE", ACCOUNT_PATH + "/Addresses/{}", delete_address),
    route("GET", ACCOUNT_PATH + "/IncomingPhoneNumbers.json", list_numbers),
    route("GET", ACCOUNT_PATH + "/IncomingPhoneNumbers/{}", fetch_number),
]
