"""Authentication+ for public for-profit brands, and its 2FA resend
(`POST /v1/a2p/BrandRegistrations/{BN}/2fa`; the OpenAPI description lists the path
with no operation, Twilio's "Brand 2FA Verification Resource" page documents it).

A STANDARD brand whose trust product says `company_type: public` is verified once
its brand contact confirms a 2FA e-mail. In the `2fa-expired` scenario that e-mail
expires (the brand stays APPROVED, identity UNVERIFIED, error 21737) until a resend,
which the contact confirms one review step later. Resends are refused for other
brands, with 21740 for a free-mail contact address (the changelog's codes).
"""

from __future__ import annotations

from a2pctl.sandbox import notify
from a2pctl.sandbox.routing import Route, route
from a2pctl.sandbox.scenarios import DOCS_ERRORS, scenario_of
from a2pctl.sandbox.wire import Json, Reply, Request, invalid, iso
from a2pctl.sandbox.world import World

EXPIRED = 21737  # 2FA Verification Expired
INVALID_DOMAIN = 21740  # Invalid Brand Contact Email Domain
PROFILE_TYPE = "us_a2p_messaging_profile_information"
FREE_MAIL = frozenset({"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com"})
VERIFIED = ("VERIFIED", "VETTED_VERIFIED")


def messaging_profile(world: World, brand: Json) -> Json:
    """The attributes of the brand's `us_a2p_messaging_profile_information` end user."""
    account = brand["_account"]
    for assignment in world.owned("assignments", account):
        if assignment["_bundle"] != brand["a2p_profile_bundle_sid"]:
            continue
        user = world.find("end_users", assignment["object_sid"], account)
        if user is not None and user["type"] == PROFILE_TYPE:
            attributes = user.get("attributes")
            return attributes if isinstance(attributes, dict) else {}
    return {}


def public(world: World, brand: Json) -> bool:
    if brand["brand_type"] != "STANDARD" or brand["mock"]:
        return False
    return messaging_profile(world, brand).get("company_type") == "public"


def expire_on_approval(world: World, brand: Json) -> bool:
    """At approval: whether this brand's first 2FA e-mail expires (2fa-expired scenario)."""
    if not scenario_of(world).expire_2fa or brand.get("_2fa_sent", 0) or not public(world, brand):
        return False
    brand["identity_status"] = "UNVERIFIED"
    brand["errors"] = [
        {
            "error_code": EXPIRED,
            "fields": ["brand_contact_email"],
            "url": DOCS_ERRORS + str(EXPIRED),
            "description": "2FA Verification Expired: the 2FA verification link or token "
            "expired before being used.",
        }
    ]
    return True


def resend(world: World, req: Request, sid: str) -> Reply:
    brand = world.get("brands", sid, req.account, req.path)
    reason = None
    if brand["brand_type"] != "STANDARD":
        reason = "it is not a STANDARD brand (sole proprietors verify by OTP)"
    elif brand["mock"]:
        reason = "it is a mock brand"
    elif not public(world, brand):
        reason = "Authentication+ applies to public for-profit brands only"
    elif brand["identity_status"] in VERIFIED:
        reason = f"its identity_status is already {brand['identity_status']}"
    elif brand["status"] not in ("APPROVED", "FAILED"):
        reason = f"its status is {brand['status']}: not registered with TCR yet"
    if reason is not None:
        raise invalid(f"Cannot start a 2FA verification for brand {sid}: {reason}")
    contact = str(messaging_profile(world, brand).get("brand_contact_email") or "")
    if contact.rpartition("@")[2].lower() in FREE_MAIL:
        raise invalid(
            "Invalid Brand Contact Email Domain: the domain used for the brand contact email is "
            "not acceptable for Authentication+",
            INVALID_DOMAIN,
        )
    now = world.now()
    brand["_2fa_sent"] = brand.get("_2fa_sent", 0) + 1
    brand["errors"] = [e for e in brand["errors"] if e.get("error_code") != EXPIRED]
    brand["date_updated"], brand["_updated"] = iso(now), now
    world.schedule(now + world.review_seconds, "twofa_click", sid)
    return 201, {"account_sid": req.account, "brand_registration_sid": sid}


def click(world: World, timer: Json, at: float) -> None:
    """The brand contact confirms the new 2FA e-mail."""
    brand = world.find("brands", timer["key"])
    if brand is None or brand["status"] != "APPROVED" or brand["identity_status"] in VERIFIED:
        return
    brand["identity_status"] = "VERIFIED" if brand["skip_automatic_sec_vet"] else "VETTED_VERIFIED"
    brand["date_updated"], brand["_updated"] = iso(at), at
    data = {**notify.brand_data(brand), "brandstatus": "registered"}
    data.update(externalbrandid=brand["tcr_id"], identitystatus=brand["identity_status"].lower())
    notify.emit(world, brand["_account"], "brand-registration.brand-registered", data, at=at)


ROUTES: list[Route] = [route("POST", "/v1/a2p/BrandRegistrations/{}/2fa", resend)]
