"""Reviews that move on the simulator's own clock: every transition of
bundles, brands, campaigns, senders and sinks, with the events it emits.

Each review step takes `review_seconds` of simulated time (scaled down from
Twilio's minutes or days) and is a timer in the world; `run_due` performs
every timer due by `now`, in order, chaining the next step from the previous
step's own time so that one late tick still plays the whole story.

Which way a review goes is the scenario's choice (see `scenarios`).
"""

from __future__ import annotations

from collections.abc import Callable

from a2pctl.sandbox import authplus, notify
from a2pctl.sandbox.policies import SOLE_PROPRIETOR_POLICIES
from a2pctl.sandbox.scenarios import (
    ADDRESS_REJECTION,
    BUNDLE_FETCH_FAILURES,
    BUNDLE_REJECTED_CODE,
    CAMPAIGN_RATE_LIMITS,
    CAMPAIGN_REJECTION,
    EMAIL_REJECTION,
    LEGAL_NAME_MISMATCH,
    NUMBER_FAILURE_REASON,
    QUICK_VALIDATION_FACTOR,
    SLOW_REVIEW_FACTOR,
    SOLE_PROPRIETOR_TCR_FAILURE,
    campaign_error,
    scenario_of,
)
from a2pctl.sandbox.wire import Json, iso
from a2pctl.sandbox.world import World

# --- bundles ----------------------------------------------------------------------


def set_bundle_status(world: World, bundle: Json, status: str, at: float, reason: str = "") -> None:
    bundle["status"] = status
    bundle["date_updated"] = iso(at)
    bundle["errors"] = [{"code": BUNDLE_REJECTED_CODE, "message": reason}] if reason else None
    notify.status_callback(world, bundle, reason or None)


def submit_bundle(world: World, kind: str, bundle: Json) -> None:
    """pending-review is accepted and becomes in-review at once; schedule the review."""
    now = world.now()
    bundle["status"] = "in-review"
    bundle["date_updated"] = iso(now)
    bundle["errors"] = None
    scenario = scenario_of(world)
    profile = kind == "customer_profiles"
    first_email = bundle.setdefault("_first_email", bundle.get("email"))
    reason = ""
    if scenario.reject_profiles and profile and bundle["_reviews"] == 0:
        reason = ADDRESS_REJECTION
    elif scenario.reject_profile_email and profile and bundle.get("email") == first_email:
        reason = EMAIL_REJECTION
    bundle["_reviews"] += 1
    delay = world.review_seconds * (QUICK_VALIDATION_FACTOR if reason else 1.0)
    world.schedule(now + delay, "bundle_review", bundle["sid"], kind=kind, reject=reason)


def _bundle_review(world: World, timer: Json, at: float) -> None:
    bundle = world.find(timer["data"]["kind"], timer["key"])
    if bundle is None or bundle["status"] != "in-review":
        return
    reason = timer["data"]["reject"]
    if reason:  # older dumps kept a flag: the address rejection
        set_bundle_status(
            world,
            bundle,
            "twilio-rejected",
            at,
            str(reason) if reason is not True else ADDRESS_REJECTION,
        )
    elif bundle["policy_sid"] not in SOLE_PROPRIETOR_POLICIES:
        set_bundle_status(world, bundle, "twilio-approved", at)
    # Sole-proprietor bundles stay in-review until their brand is OTP-verified.


def _brand_bundles(world: World, brand: Json) -> list[Json]:
    found = [
        world.find("customer_profiles", brand["customer_profile_bundle_sid"], brand["_account"]),
        world.find("trust_products", brand["a2p_profile_bundle_sid"], brand["_account"]),
    ]
    return [b for b in found if b is not None]


# --- brands -------------------------------------------------------------------------


def submit_brand(world: World, brand: Json) -> None:
    world.schedule(world.now() + world.review_seconds, "brand_review", brand["sid"])


def _touch(record: Json, at: float) -> None:
    record["date_updated"] = iso(at)
    record["_updated"] = at


def _brand_review(world: World, timer: Json, at: float) -> None:
    brand = world.find("brands", timer["key"])
    if brand is None or brand["status"] != "PENDING":
        return
    if scenario_of(world).slow_brand_review:
        brand["status"] = "IN_REVIEW"
        _touch(brand, at)
        later = at + world.review_seconds * SLOW_REVIEW_FACTOR
        world.schedule(later, "brand_decide", brand["sid"])
        return
    _brand_decide(world, timer, at)


def _bundle_problem(world: World, brand: Json) -> str | None:
    for field, kind in (
        ("customer_profile_bundle_sid", "customer_profiles"),
        ("a2p_profile_bundle_sid", "trust_products"),
    ):
        bundle = world.find(kind, brand[field], brand["_account"])
        if bundle is None or bundle["status"] in ("draft", "twilio-rejected"):
            return field
    return None


def _brand_decide(world: World, timer: Json, at: float) -> None:
    brand = world.find("brands", timer["key"])
    if brand is None or brand["status"] not in ("PENDING", "IN_REVIEW"):
        return
    sole = brand["brand_type"] == "SOLE_PROPRIETOR"
    problem = _bundle_problem(world, brand)
    if problem is not None:
        error = campaign_error(
            30793, problem, "Brand Registration Failure: the bundle is missing or not compliant."
        )
        _fail_brand(world, brand, at, BUNDLE_FETCH_FAILURES[problem], [error], registered=False)
    elif scenario_of(world).fail_brands and brand["_resubmissions"] == 0:
        if sole:
            error = campaign_error(30799, "", SOLE_PROPRIETOR_TCR_FAILURE)
            _fail_brand(world, brand, at, SOLE_PROPRIETOR_TCR_FAILURE, [error], registered=True)
        else:
            reason = LEGAL_NAME_MISMATCH["description"]
            _fail_brand(world, brand, at, reason, [dict(LEGAL_NAME_MISMATCH)], registered=True)
    else:
        _approve_brand(world, brand, at)


def _fail_brand(
    world: World, brand: Json, at: float, reason: str, errors: list[Json], *, registered: bool
) -> None:
    brand.update(status="FAILED", failure_reason=reason, errors=errors)
    if registered and brand["tcr_id"] is None:
        brand["tcr_id"] = world.new_tcr_id("B")
    _touch(brand, at)
    data = {**notify.brand_data(brand), "brandstatus": "registration_failed"}
    notify.emit(
        world, brand["_account"], "brand-registration.brand-failure", data,
        at=at, errors_key="brandregistrationerrors", errors=errors,
    )  # fmt: skip
    if brand["brand_type"] == "SOLE_PROPRIETOR":
        # Sole-proprietor bundles are reviewed with their brand: they fail with it, which
        # makes their end users editable for the remediation (docs/twilio/flows.md §2 step 1.9).
        for bundle in _brand_bundles(world, brand):
            if bundle["status"] == "in-review":
                set_bundle_status(world, bundle, "twilio-rejected", at, reason)


def _approve_brand(world: World, brand: Json, at: float) -> None:
    brand.update(status="APPROVED", failure_reason=None, errors=[])
    if brand["tcr_id"] is None:
        brand["tcr_id"] = world.new_tcr_id("B")
    _touch(brand, at)
    data = {**notify.brand_data(brand), "brandstatus": "registered"}
    data["externalbrandid"] = brand["tcr_id"]
    if brand["brand_type"] == "SOLE_PROPRIETOR":
        brand["identity_status"] = "UNVERIFIED"
        notify.emit(
            world, brand["_account"], "brand-registration.brand-unverified",
            {**data, "identitystatus": "unverified"}, at=at,
        )  # fmt: skip
        if not brand["mock"]:  # mock SP brands send no OTP (docs/twilio/endpoints.md §3.1)
            send_otp(world, brand, at)
        return
    vetted = not brand["skip_automatic_sec_vet"]
    brand["brand_score"] = 75 if vetted else None
    if authplus.expire_on_approval(world, brand):
        notify.emit(
            world, brand["_account"], "brand-registration.brand-unverified",
            {**data, "identitystatus": "unverified"}, at=at,
        )  # fmt: skip
        return
    brand["identity_status"] = "VETTED_VERIFIED" if vetted else "VERIFIED"
    notify.emit(
        world, brand["_account"], "brand-registration.brand-registered",
        {**data, "identitystatus": brand["identity_status"].lower()}, at=at,
    )  # fmt: skip


def send_otp(world: World, brand: Json, at: float) -> None:
    """The OTP SMS goes out; in scenarios that answer it, the customer replies YES later."""
    brand["_otp_sent"] += 1
    if scenario_of(world).answer_otp:
        world.schedule(at + world.review_seconds, "otp_answer", brand["sid"])


def _otp_answer(world: World, timer: Json, at: float) -> None:
    brand = world.find("brands", timer["key"])
    if brand is None or brand["status"] != "APPROVED" or brand["identity_status"] != "UNVERIFIED":
        return
    brand["identity_status"] = "VERIFIED"
    _touch(brand, at)
    data = {**notify.brand_data(brand), "brandstatus": "registered"}
    data.update(externalbrandid=brand["tcr_id"], identitystatus="verified")
    notify.emit(world, brand["_account"], "brand-registration.brand-registered", data, at=at)
    for bundle in _brand_bundles(world, brand):
        if bundle["status"] == "in-review":
            set_bundle_status(world, bundle, "twilio-approved", at)


# --- campaigns and numbers ------------------------------------------------------------


def submit_campaign(world: World, campaign: Json) -> None:
    world.schedule(world.now() + world.review_seconds, "campaign_submit", campaign["_key"])


def _campaign_submit(world: World, timer: Json, at: float) -> None:
    campaign = world.find("campaigns", timer["key"])
    if campaign is None or campaign["campaign_status"] != "PENDING":
        return
    campaign["campaign_status"] = "IN_PROGRESS"
    if campaign["campaign_id"] is None:
        campaign["campaign_id"] = world.new_tcr_id("C")
    _touch(campaign, at)
    data = notify.campaign_data(campaign, "pending")
    notify.emit(
        world, campaign["_account"], "campaign-registration.campaign-submitted", data, at=at
    )
    world.schedule(at + world.review_seconds, "campaign_decide", timer["key"])


def _campaign_decide(world: World, timer: Json, at: float) -> None:
    campaign = world.find("campaigns", timer["key"])
    if campaign is None or campaign["campaign_status"] != "IN_PROGRESS":
        return
    account = campaign["_account"]
    if scenario_of(world).reject_campaigns and campaign["_edits"] == 0:
        errors = [dict(e) for e in CAMPAIGN_REJECTION]
        campaign.update(campaign_status="FAILED", errors=errors)
        _touch(campaign, at)
        notify.emit(
            world, account, "campaign-registration.campaign-failure",
            notify.campaign_data(campaign, "failure"), at=at,
            errors_key="campaignregistrationerrors", errors=errors,
        )  # fmt: skip
        return
    campaign.update(campaign_status="VERIFIED", errors=[], rate_limits=CAMPAIGN_RATE_LIMITS)
    _touch(campaign, at)
    data = notify.campaign_data(campaign, "success")
    data["externalcampaignid"] = campaign["campaign_id"]
    notify.emit(world, account, "campaign-registration.campaign-approved", data, at=at)
    service = world.find("services", campaign["messaging_service_sid"])
    if service is not None:
        service["us_app_to_person_registered"] = True
    for number in senders_of(world, account, campaign["messaging_service_sid"]):
        register_number(world, number, campaign, at)


def senders_of(world: World, account: str, service_sid: str) -> list[Json]:
    """The service's senders (Services PhoneNumbers records), oldest first."""
    return [n for n in world.owned("service_numbers", account) if n["service_sid"] == service_sid]


def register_number(world: World, number: Json, campaign: Json, at: float) -> None:
    """Twilio registers each sender of a VERIFIED campaign's service with the
    carriers; a sole-proprietor campaign registers only one (docs/twilio/flows.md §2 step 6)."""
    brand = world.find("brands", campaign["brand_registration_sid"])
    if brand is not None and brand["brand_type"] == "SOLE_PROPRIETOR":
        others = [
            n
            for n in world.owned("service_numbers", campaign["_account"])
            if n is not number
            and n["service_sid"] == number["service_sid"]
            and n["_a2p"] != "unregistered"
        ]
        if others:
            return
    number["_a2p"] = "pending_registration"
    data = notify.number_data(world, number, "pending_registration", campaign["_campaign_sid"], at)
    notify.emit(world, number["_account"], "number-registration.pending", data, at=at)
    world.schedule(
        at + world.review_seconds, "number_register", number["_key"],
        campaign_sid=campaign["_campaign_sid"],
    )  # fmt: skip


def _number_register(world: World, timer: Json, at: float) -> None:
    number = world.find("service_numbers", timer["key"])
    if number is None or number["_a2p"] != "pending_registration":
        return
    campaign_sid = timer["data"]["campaign_sid"]
    if scenario_of(world).fail_numbers:
        number["_a2p"] = "failure"
        data = notify.number_data(world, number, "failure", campaign_sid, at)
        data["failureReason"] = NUMBER_FAILURE_REASON
        notify.emit(world, number["_account"], "number-registration.failed", data, at=at)
        return
    number["_a2p"] = "registered"
    data = notify.number_data(world, number, "registered", campaign_sid, at)
    notify.emit(world, number["_account"], "number-registration.successful", data, at=at)


def deregister_number(world: World, number: Json, campaign_sid: str, at: float) -> None:
    """A registered (or registering) sender leaves its campaign."""
    if number["_a2p"] not in ("pending_registration", "registered"):
        return
    number["_a2p"] = "pending_deregistration"
    data = notify.number_data(world, number, "pending_deregistration", campaign_sid, at)
    notify.emit(world, number["_account"], "number-deregistration.pending", data, at=at)
    snapshot = {"sid": number["sid"], "phone_number": number["phone_number"]}
    world.schedule(
        at + world.review_seconds, "number_deregister", number["_key"],
        account=number["_account"], number=snapshot,
    )  # fmt: skip


def _number_deregister(world: World, timer: Json, at: float) -> None:
    number = world.find("service_numbers", timer["key"])
    if number is not None:
        number["_a2p"] = "unregistered"
    data = notify.number_data(world, timer["data"]["number"], "unregistered", None, at)
    notify.emit(world, timer["data"]["account"], "number-deregistration.successful", data, at=at)


def _sink_activate(world: World, timer: Json, at: float) -> None:
    """Kept for sandboxes saved when new sinks turned active on their own."""
    sink = world.find("sinks", timer["key"])
    if sink is not None and sink["status"] == "initialized":
        sink["status"] = "active"
        sink["date_updated"] = iso(at)


ACTIONS: dict[str, Callable[[World, Json, float], None]] = {
    "bundle_review": _bundle_review,
    "brand_review": _brand_review,
    "brand_decide": _brand_decide,
    "otp_answer": _otp_answer,
    "campaign_submit": _campaign_submit,
    "campaign_decide": _campaign_decide,
    "number_register": _number_register,
    "number_deregister": _number_deregister,
    "sink_activate": _sink_activate,
    "twofa_click": authplus.click,
}


def run_due(world: World, now: float) -> None:
    """Play every timer due by `now`, including those the played ones schedule."""
    while (timer := world.pop_due_timer(now)) is not None:
        ACTIONS[timer["action"]](world, timer, timer["at"])
