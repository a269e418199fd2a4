"""Messaging v1 brand registrations and the sole-proprietor OTP
(messaging.twilio.com/v1/a2p/BrandRegistrations, docs/twilio/endpoints.md §3.1–3.2).

Rules enforced: both bundles must exist in the account, be of the kinds the
brand type needs, and be submitted (pending-review, in-review or
twilio-approved), else 30793; one brand per customer profile (30703);
resubmission only of a FAILED brand that reached TCR (21725), at most three
times (21724); OTP re-sends only for unverified, non-mock sole-proprietor
brands that are APPROVED.
"""

from __future__ import annotations

from a2pctl.sandbox import reviews
from a2pctl.sandbox.policies import (
    SECONDARY_PROFILE,
    SOLE_PROPRIETOR_TRUST,
    STANDARD_TRUST,
    STARTER_PROFILE,
)
from a2pctl.sandbox.routing import Route, route
from a2pctl.sandbox.wire import MESSAGING, Json, Reply, Request, invalid, iso, public
from a2pctl.sandbox.wire import v1_page as page
from a2pctl.sandbox.world import World

BUNDLE_INVALID = 30793
DUPLICATE_RECORD = 30703
TOO_MANY_RESUBMISSIONS = 21724
NOT_RESUBMITTABLE = 21725
STARTER_DISABLED = 21726
MAX_RESUBMISSIONS = 3  # free API resubmissions (docs/twilio/flows.md §4.3)

KIND_NAMES = {"customer_profiles": "customer profile", "trust_products": "trust product"}
SUBMITTED = frozenset({"pending-review", "in-review", "twilio-approved"})
# brand type -> (customer profile policy, trust product policy)
BUNDLE_POLICIES = {
    "SOLE_PROPRIETOR": (STARTER_PROFILE, SOLE_PROPRIETOR_TRUST),
    "STANDARD": (SECONDARY_PROFILE, STANDARD_TRUST),
}


def _check_bundle(
    world: World, account: str, table: str, param: str, sid: str, policy: str
) -> None:
    bundle = world.find(table, sid, account)
    other = "trust_products" if table == "customer_profiles" else "customer_profiles"
    if bundle is None and world.find(other, sid, account) is not None:
        wanted, found = (KIND_NAMES[t] for t in (table, other))
        raise invalid(
            f"{param} {sid} is a {found}, not a {wanted}: check that the two bundle SIDs are "
            "not swapped",
            BUNDLE_INVALID,
        )
    if bundle is None:
        raise invalid(f"{param} {sid} is not a bundle of this account", BUNDLE_INVALID)
    if bundle["policy_sid"] != policy:
        raise invalid(
            f"{param} {sid} has policy {bundle['policy_sid']}, not {policy}: check that the "
            "two bundle SIDs are not swapped and match the brand type",
            BUNDLE_INVALID,
        )
    if bundle["status"] not in SUBMITTED:
        raise invalid(
            f"{param} {sid} is {bundle['status']}: both bundles must be submitted "
            "(pending-review, in-review or twilio-approved) before the brand",
            BUNDLE_INVALID,
        )


def create_brand(world: World, req: Request) -> Reply:
    profile = req.required("CustomerProfileBundleSid")
    trust = req.required("A2PProfileBundleSid")
    brand_type = (req.get("BrandType") or "STANDARD").upper()
    if brand_type == "STARTER":
        raise invalid("The STARTER brand type is disabled; use SOLE_PROPRIETOR", STARTER_DISABLED)
    if brand_type not in BUNDLE_POLICIES:
        raise invalid(f"Invalid BrandType {brand_type!r}: expected STANDARD or SOLE_PROPRIETOR")
    profile_policy, trust_policy = BUNDLE_POLICIES[brand_type]
    account = req.account
    _check_bundle(
        world, account, "customer_profiles", "CustomerProfileBundleSid", profile, profile_policy
    )
    _check_bundle(world, account, "trust_products", "A2PProfileBundleSid", trust, trust_policy)
    for other in world.owned("brands", account):
        if other["customer_profile_bundle_sid"] == profile:
            raise invalid(
                f"Duplicate record detected: brand {other['sid']} already registers {profile}",
                DUPLICATE_RECORD,
            )
    now = world.now()
    sid = world.new_sid("BN")
    url = f"{MESSAGING}/v1/a2p/BrandRegistrations/{sid}"
    record: Json = {
        "sid": sid,
        "account_sid": account,
        "customer_profile_bundle_sid": profile,
        "a2p_profile_bundle_sid": trust,
        "date_created": iso(now),
        "date_updated": iso(now),
        "brand_type": brand_type,
        "status": "PENDING",
        "tcr_id": None,
        "failure_reason": None,
        "errors": [],
        "url": url,
        "brand_score": None,
        "brand_feedback": None,
        "identity_status": None,
        "russell_3000": False,
        "government_entity": False,
        "tax_exempt_status": None,
        "skip_automatic_sec_vet": bool(req.flag("SkipAutomaticSecVet")),
        "mock": bool(req.flag("Mock")),
        "links": {
            "brand_vettings": f"{url}/Vettings",
            "brand_registration_otps": f"{url}/SmsOtp",
        },
        "_resubmissions": 0,
        "_otp_sent": 0,
        "_updated": now,
    }
    world.insert("brands", sid, record, account)
    reviews.submit_brand(world, record)
    return 201, public(record)


def list_brands(world: World, req: Request) -> Reply:
    return 200, page(req, MESSAGING, world.owned("brands", req.account), "data")


def fetch_brand(world: World, req: Request, sid: str) -> Reply:
    return 200, public(world.get("brands", sid, req.account, req.path))


def resubmit_brand(world: World, req: Request, sid: str) -> Reply:
    brand = world.get("brands", sid, req.account, req.path)
    if brand["status"] != "FAILED" or brand["tcr_id"] is None:
        raise invalid(
            f"Brand {sid} cannot be resubmitted: only a FAILED brand with a tcr_id can be "
            f"(status {brand['status']}, tcr_id {brand['tcr_id']})",
            NOT_RESUBMITTABLE,
        )
    if brand["_resubmissions"] >= MAX_RESUBMISSIONS:
        raise invalid(
            f"Brand {sid} was already resubmitted {MAX_RESUBMISSIONS} times; contact Support",
            TOO_MANY_RESUBMISSIONS,
        )
    now = world.now()
    brand.update(status="PENDING", failure_reason=None, errors=[], identity_status=None)
    brand["_resubmissions"] += 1
    brand["date_updated"] = iso(now)
    brand["_updated"] = now
    reviews.submit_brand(world, brand)
    return 202, public(brand)


def send_otp(world: World, req: Request, sid: str) -> Reply:
    brand = world.get("brands", sid, req.account, req.path)
    reason = None
    if brand["brand_type"] != "SOLE_PROPRIETOR":
        reason = "it is not a SOLE_PROPRIETOR brand"
    elif brand["mock"]:
        reason = "it is a mock brand (mock sole-proprietor brands send no OTP)"
    elif brand["status"] != "APPROVED":
        reason = f"its status is {brand['status']}, not APPROVED"
    elif brand["identity_status"] != "UNVERIFIED":
        reason = f"its identity_status is already {brand['identity_status']}"
    if reason is not None:
        raise invalid(f"Cannot send an OTP for brand {sid}: {reason}")
    reviews.send_otp(world, brand, world.now())
    body: Json = {"account_sid": req.account, "brand_registration_sid": sid}
    return 201, body


ROUTES: list[Route] = [
    route("POST", "/v1/a2p/BrandRegistrations", create_brand),
    route("GET", "/v1/a2p/BrandRegistrations", list_brands),
    route("GET", "/v1/a2p/BrandRegistrations/{}", fetch_brand),
    route("POST", "/v1/a2p/BrandRegistrations/{}", resubmit_brand),
    route("POST", "/v1/a2p/BrandRegistrations/{}/SmsOtp", send_otp),
]
