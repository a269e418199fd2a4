"""Messaging v1 US A2P campaigns of a service, and the use cases a brand may
register (messaging.twilio.com/v1/Services/{MG}/Compliance/Usa2p…,
docs/twilio/endpoints.md §3.5–3.6).

Rules enforced on a campaign: required parameters (21727) and lengths (21728)
as docs/twilio/flows.md §3.1; a valid use case (21720); a brand of the account that is
APPROVED and valid for the use case (21717), VERIFIED for sole proprietors
(30991); one campaign per service (409) and per sole-proprietor brand (21732).
"""

from __future__ import annotations

import re

from a2pctl.sandbox import catalog, reviews
from a2pctl.sandbox.routing import Route, route
from a2pctl.sandbox.wire import MESSAGING, Json, Reply, Request, invalid, iso, not_found, public
from a2pctl.sandbox.wire import v1_page as page
from a2pctl.sandbox.world import World

CAMPAIGN_SID = "QE2c6890da8086d771620e9b13fadeba0b"  # the fixed US A2P compliance SID

BRAND_NOT_VALID = 21717
MISSING_PARAMETERS = 21727
LENGTH_INVALID = 21728
USECASE_INVALID = 21720
SOLE_PROPRIETOR_LIMIT = 21732
BRAND_UNVERIFIED = 30991
SERVICE_HAS_CAMPAIGN = 21711  # not in our sources; the simulator's choice
KEYWORD = re.compile(r"^[A-Za-z0-9]{1,255}$")
# (parameter, min, max) of docs/twilio/flows.md §3.1.
LENGTHS = (
    ("Description", 40, 4096),
    ("MessageFlow", 40, 2048),
    ("OptInMessage", 20, 320),
    ("OptOutMessage", 20, 320),
    ("HelpMessage", 20, 320),
)
SAMPLES = (2, 5)
SAMPLE_LENGTH = (20, 1024)
# --- campaigns ------------------------------------------------------------------------------


def _check_lengths(req: Request) -> None:
    for param, low, high in LENGTHS:
        value = req.get(param)
        if value is not None and not low <= len(value) <= high:
            raise invalid(
                f"{param} must be {low} to {high} characters (got {len(value)})", LENGTH_INVALID
            )
    samples = req.values("MessageSamples")
    if samples and not SAMPLES[0] <= len(samples) <= SAMPLES[1]:
        raise invalid(
            f"MessageSamples must have {SAMPLES[0]} to {SAMPLES[1]} items (got {len(samples)})",
            LENGTH_INVALID,
        )
    for index, sample in enumerate(samples, 1):
        if not SAMPLE_LENGTH[0] <= len(sample) <= SAMPLE_LENGTH[1]:
            raise invalid(
                f"MessageSamples item {index} must be {SAMPLE_LENGTH[0]} to {SAMPLE_LENGTH[1]} "
                f"characters (got {len(sample)})",
                LENGTH_INVALID,
            )
    for param in ("OptInKeywords", "OptOutKeywords", "HelpKeywords"):
        for word in req.values(param):
            if not KEYWORD.match(word):
                raise invalid(f"{param} item {word!r} must be alphanumeric, at most 255 chars")


def _require(req: Request, *names: str) -> None:
    for name in names:
        if not req.values(name) or req.get(name) == "":
            raise invalid(f"Missing required parameter {name} in the post body", MISSING_PARAMETERS)


def _check_brand(world: World, req: Request, service_sid: str, usecase: str) -> Json:
    sid = req.required("BrandRegistrationSid", MISSING_PARAMETERS)
    brand = world.find("brands", sid, req.account)
    if brand is None:
        raise invalid(f"BrandRegistrationSid {sid} is not a registered brand", BRAND_NOT_VALID)
    if brand["status"] != "APPROVED":
        raise invalid(
            f"Brand {sid} is {brand['status']}: campaigns need an APPROVED brand",
            BRAND_NOT_VALID,
        )
    sole = brand["brand_type"] == "SOLE_PROPRIETOR"
    if sole != (usecase == "SOLE_PROPRIETOR"):
        raise invalid(
            f"Use case {usecase} is not valid for {brand['brand_type']} brand {sid}",
            BRAND_NOT_VALID,
        )
    if sole and brand["identity_status"] != "VERIFIED":
        raise invalid(
            f"Campaign registration failed: brand {sid} is in unverified state (OTP not confirmed)",
            BRAND_UNVERIFIED,
        )
    if sole:
        for other in world.owned("campaigns", req.account):
            if other["brand_registration_sid"] == sid and other["_key"] != service_sid:
                raise invalid(
                    f"Brand {sid} already has its one Sole Proprietor campaign "
                    f"(service {other['messaging_service_sid']})",
                    SOLE_PROPRIETOR_LIMIT,
                )
    return brand


def _campaign_params(record: Json, req: Request) -> None:
    for param, key in (
        ("Description", "description"),
        ("MessageFlow", "message_flow"),
        ("OptInMessage", "opt_in_message"),
        ("OptOutMessage", "opt_out_message"),
        ("HelpMessage", "help_message"),
        ("PrivacyPolicyUrl", "_privacy_policy_url"),
        ("TermsAndConditionsUrl", "_terms_and_conditions_url"),
    ):
        if req.has(param):
            record[key] = req.get(param)
    for param, key in (
        ("MessageSamples", "message_samples"),
        ("OptInKeywords", "opt_in_keywords"),
        ("OptOutKeywords", "opt_out_keywords"),
        ("HelpKeywords", "help_keywords"),
    ):
        if req.has(param):
            record[key] = req.values(param)
    for param, key in (
        ("HasEmbeddedLinks", "has_embedded_links"),
        ("HasEmbeddedPhone", "has_embedded_phone"),
        ("SubscriberOptIn", "subscriber_opt_in"),
        ("AgeGated", "age_gated"),
        ("DirectLending", "direct_lending"),
    ):
        if req.has(param):
            record[key] = req.flag(param)


def render_campaign(campaign: Json, req: Request) -> Json:
    """The v1 shape, or v2 (adds the policy URLs) with `X-Twilio-Api-Version: v1.2`."""
    body = public(campaign)
    if req.headers.get("x-twilio-api-version", "").lower() == "v1.2":
        body["privacy_policy_url"] = campaign["_privacy_policy_url"]
        body["terms_and_conditions_url"] = campaign["_terms_and_conditions_url"]
    return body


def create_campaign(world: World, req: Request, service_sid: str) -> Reply:
    world.get("services", service_sid, req.account, req.path)
    _require(req, "BrandRegistrationSid", "Description", "MessageFlow", "MessageSamples")
    _require(req, "UsAppToPersonUsecase", "HasEmbeddedLinks", "HasEmbeddedPhone")
    _check_lengths(req)
    usecase = req.required("UsAppToPersonUsecase")
    if usecase not in catalog.all_usecase_codes():
        raise invalid(f"Invalid UsAppToPersonUsecase {usecase!r}", USECASE_INVALID)
    brand = _check_brand(world, req, service_sid, usecase)
    if world.find("campaigns", service_sid, req.account) is not None:
        raise invalid(
            f"Messaging Service {service_sid} already has a US A2P campaign; delete it first",
            SERVICE_HAS_CAMPAIGN,
            status=409,
        )
    now = world.now()
    record: Json = {
        "sid": CAMPAIGN_SID,
        "account_sid": req.account,
        "brand_registration_sid": brand["sid"],
        "messaging_service_sid": service_sid,
        "description": None,
        "message_samples": [],
        "us_app_to_person_usecase": usecase,
        "has_embedded_links": None,
        "has_embedded_phone": None,
        "subscriber_opt_in": False,
        "age_gated": False,
        "direct_lending": False,
        "campaign_status": "PENDING",
        "campaign_id": None,
        "is_externally_registered": False,
        "rate_limits": None,
        "message_flow": None,
        "opt_in_message": None,
        "opt_out_message": None,
        "help_message": None,
        "opt_in_keywords": [],
        "opt_out_keywords": [],
        "help_keywords": [],
        "date_created": iso(now),
        "date_updated": iso(now),
        "url": f"{MESSAGING}/v1/Services/{service_sid}/Compliance/Usa2p/{CAMPAIGN_SID}",
        "mock": bool(brand["mock"]),
        "errors": [],
        "_key": service_sid,
        "_campaign_sid": world.new_sid("CM"),  # the campaign's id in event payloads
        "_edits": 0,
        "_privacy_policy_url": None,
        "_terms_and_conditions_url": None,
        "_updated": now,
    }
    _campaign_params(record, req)
    world.insert("campaigns", service_sid, record, req.account)
    reviews.submit_campaign(world, record)
    return 201, render_campaign(record, req)


def _campaign(world: World, req: Request, service_sid: str, sid: str) -> Json:
    campaign = world.get("campaigns", service_sid, req.account, req.path)
    if sid not in (CAMPAIGN_SID, campaign["_campaign_sid"]):
        raise not_found(req.path)
    return campaign


def list_campaigns(world: World, req: Request, service_sid: str) -> Reply:
    world.get("services", service_sid, req.account, req.path)
    campaign = world.find("campaigns", service_sid, req.account)
    body = page(req, MESSAGING, [], "compliance")
    if campaign is not None and (req.integer("Page") or 0) == 0:
        body["compliance"] = [render_campaign(campaign, req)]
    return 200, body


def fetch_campaign(world: World, req: Request, service_sid: str, sid: str) -> Reply:
    return 200, render_campaign(_campaign(world, req, service_sid, sid), req)


def update_campaign(world: World, req: Request, service_sid: str, sid: str) -> Reply:
    campaign = _campaign(world, req, service_sid, sid)
    if campaign["campaign_status"] not in ("FAILED", "VERIFIED"):
        raise invalid(
            f"The campaign of {service_sid} is {campaign['campaign_status']}: it can be edited "
            "once its review ends (FAILED or VERIFIED)"
        )
    _require(req, "HasEmbeddedLinks", "HasEmbeddedPhone", "MessageSamples", "MessageFlow")
    _require(req, "Description", "AgeGated", "DirectLending")
    _check_lengths(req)
    _campaign_params(campaign, req)
    now = world.now()
    campaign.update(campaign_status="PENDING", errors=[], date_updated=iso(now), _updated=now)
    campaign["_edits"] += 1
    reviews.submit_campaign(world, campaign)
    return 200, render_campaign(campaign, req)


def delete_campaign_of(world: World, service_sid: str) -> None:
    """Delete the service's campaign, if any: its senders leave it (deregistration)."""
    campaign = world.find("campaigns", service_sid)
    if campaign is None:
        return
    now = world.now()
    for number in reviews.senders_of(world, campaign["_account"], service_sid):
        reviews.deregister_number(world, number, campaign["_campaign_sid"], now)
    service = world.find("services", service_sid)
    if service is not None:
        service["us_app_to_person_registered"] = False
    world.remove("campaigns", service_sid)


def delete_campaign(world: World, req: Request, service_sid: str, sid: str) -> Reply:
    _campaign(world, req, service_sid, sid)
    delete_campaign_of(world, service_sid)
    return 204, None


def fetch_usecases(world: World, req: Request, service_sid: str) -> Reply:
    world.get("services", service_sid, req.account, req.path)
    sole = False
    brand_sid = req.get("BrandRegistrationSid")
    if brand_sid is not None:
        brand = world.find("brands", brand_sid, req.account)
        if brand is None:
            raise invalid(f"BrandRegistrationSid {brand_sid} is not a registered brand")
        sole = brand["brand_type"] == "SOLE_PROPRIETOR"
    return 200, {"us_app_to_person_usecases": catalog.usecase_records(sole)}


USA2P = "/v1/Services/{}/Compliance/Usa2p"
ROUTES: list[Route] = [
    route("GET", USA2P + "/Usecases", fetch_usecases),  # before Usa2p/{Sid}
    route("POST", USA2P, create_campaign),
    route("GET", USA2P, list_campaigns),
    route("GET", USA2P + "/{}", fetch_campaign),
    route("POST", USA2P + "/{}", update_campaign),
    route("DELETE", USA2P + "/{}", delete_campaign),
]
