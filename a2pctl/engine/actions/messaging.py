"""Messaging: the brand and its gate, the messaging service, the campaign, the numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from a2pctl.engine.actions.results import Done, Fail, Result, Wait, create_once, error, newest
from a2pctl.engine.changes import RESUBMIT_BRAND, deleted_campaign
from a2pctl.flows.model import (
    AttachNumber,
    BrandGate,
    CheckUsecase,
    CreateBrand,
    CreateCampaign,
    MessagingService,
    ResolveNumber,
    Step,
    fingerprint,
)
from a2pctl.gateway import GatewayError, Record
from a2pctl.state.store import campaign_key

if TYPE_CHECKING:
    from a2pctl.engine.executor import Run

ALREADY_IN_SERVICE = 21710  # "Phone number is already in the Messaging Service": done
_SID = re.compile(r"^PN[0-9a-fA-F]{32}$")


def create_brand(run: Run, step: Step, a: CreateBrand) -> Result:
    gw = run.gateway
    profile, trust = run.sid(a.profile_step), run.sid(a.trust_step)

    def lookup() -> Record | None:
        hits = [
            b
            for b in gw.list_brands()
            if b.get("customer_profile_bundle_sid") == profile
            and b.get("a2p_profile_bundle_sid") == trust
        ]
        return newest(hits)

    rec = create_once(
        run,
        step,
        lookup,
        lambda: gw.create_brand(
            customer_profile_bundle_sid=profile,
            a2p_profile_bundle_sid=trust,
            brand_type=a.brand_type,
            mock=True if a.mock else None,
            skip_automatic_sec_vet=a.skip_automatic_sec_vet,
        ),
        fee=True,
    )
    return Done(rec["sid"], rec.get("status"), record=rec)


def messaging_service(run: Run, step: Step, a: MessagingService) -> Result:
    gw = run.gateway
    if a.sid is not None:
        rec = gw.fetch_service(a.sid)
        return Done(rec["sid"], record=rec)
    name = a.friendly_name or run.name
    started = run.started_at(step.name)

    def lookup() -> Record | None:
        hits = [s for s in gw.list_services() if s.get("friendly_name") == name]
        fresh = [s for s in hits if run.created_since(s, started)]
        return newest(fresh)

    rec = create_once(
        run,
        step,
        lookup,
        lambda: gw.create_service(
            friendly_name=name,
            inbound_request_url=a.inbound_request_url,
            fallback_url=a.fallback_url,
        ),
    )
    return Done(rec["sid"], record=rec)


def brand_gate(run: Run, step: Step, a: BrandGate) -> Result:
    from a2pctl.remediation import catalogue as remediation

    brand = run.gateway.fetch_brand(run.sid(a.brand_step))
    run.remember(brand["sid"], "brand", brand.get("status"), brand)
    status, identity = brand.get("status"), brand.get("identity_status")
    if status == "APPROVED" and (not a.identity or identity in a.identity):
        return Done(brand["sid"], status, data={"identity_status": identity})
    requested = run.record(RESUBMIT_BRAND)
    if status == "FAILED" and requested is not None and requested.status == "started":
        return _resubmit(run, brand)
    if brand.get("mock") and str(brand.get("brand_type")).upper() == "SOLE_PROPRIETOR":
        return Fail(
            [
                error(
                    f"brand {brand['sid']} is a mock sole-proprietor brand: Twilio sends it no "
                    "OTP and gives it no campaign, so the registration ends here",
                    field="brand.mock",
                    code="mock",
                )
            ]
        )
    advice = remediation.for_brand(brand)
    if advice.severity == "failed" or status in ("FAILED", "SUSPENDED"):
        brand_type = brand.get("brand_type")
        errors = [
            error(
                str(e.get("description") or e.get("message") or e),
                code=e.get("error_code") or e.get("code"),
                field=remediation.from_error(e, "brand", object_type=brand_type).field,
            )
            for e in (brand.get("errors") or [])
            if isinstance(e, dict)
        ]
        reason = brand.get("failure_reason")
        summary = f"brand {brand['sid']} is {status}" + (f": {reason}" if reason else "")
        hint = f" — {run.personal(advice.action)}" if advice.action else ""
        return Fail([error(summary + hint, code=status), *errors])
    detail = f"status {status}" + (f", identity {identity}" if identity else "")
    action = f"; {run.personal(advice.action)}" if advice.action else ""
    return Wait(f"brand {brand['sid']} ({detail}){action}")


def _resubmit(run: Run, brand: Record) -> Result:
    """The corrected bundles were submitted again: resubmit the FAILED brand (no new fee)."""
    if not brand.get("tcr_id"):
        return Fail(
            [
                error(
                    f"brand {brand['sid']} cannot be resubmitted: it never reached The Campaign "
                    "Registry (no tcr_id); contact Twilio Support",
                    code=21725,
                )
            ]
        )
    rec = run.gateway.resubmit_brand(brand["sid"])
    run.store.mark_done(run.name, run.account, RESUBMIT_BRAND)
    run.remember(brand["sid"], "brand", rec.get("status") or "PENDING", rec)
    return Wait(f"brand {brand['sid']} resubmitted with the corrected data; review pending")


def check_usecase(run: Run, step: Step, a: CheckUsecase) -> Result:
    offered = run.gateway.fetch_usecases(run.sid(a.service_step), run.sid(a.brand_step))
    codes = [str(u.get("code")) for u in offered]
    if a.usecase in codes:
        return Done()
    return Fail(
        [
            error(
                f"the brand is not offered use case {a.usecase}; offered: {', '.join(codes)}",
                field="campaign.us_app_to_person_usecase",
                code=21720,
            )
        ]
    )


def create_campaign(run: Run, step: Step, a: CreateCampaign) -> Result:
    gw = run.gateway
    service, brand = run.sid(a.service_step), run.sid(a.brand_step)
    existing = gw.list_campaigns(service)
    if existing and not any(c.get("brand_registration_sid") == brand for c in existing):
        return Fail(
            [
                error(
                    f"messaging service {service} already has a campaign of another brand "
                    f"({existing[0].get('brand_registration_sid')}); use a new service",
                    field="messaging_service",
                )
            ]
        )
    listed = [existing]  # the list just fetched serves as the first lookup

    def lookup() -> Record | None:
        campaigns = listed.pop() if listed else gw.list_campaigns(service)
        ours = [c for c in campaigns if c.get("brand_registration_sid") == brand]
        return newest([c for c in ours if not deleted_campaign(run, c)])  # lists lag

    rec = create_once(
        run,
        step,
        lookup,
        lambda: gw.create_campaign(service, brand_registration_sid=brand, **a.params),
        fee=True,
    )
    detail = dict(rec, messaging_service_sid=service)
    run.remember(campaign_key(service), "campaign", rec.get("campaign_status"), detail)
    data = {"campaign_id": rec.get("campaign_id"), "hash": fingerprint(a.params)}
    return Done(rec.get("sid"), rec.get("campaign_status"), data=data)


def resolve_number(run: Run, step: Step, a: ResolveNumber) -> Result:
    gw = run.gateway
    if _SID.match(a.number):
        rec = gw.fetch_incoming_number(a.number)
    else:
        hits = [
            n
            for n in gw.find_incoming_numbers(phone_number=a.number)
            if n.get("phone_number") == a.number
        ]
        if not hits:
            return Fail(
                [
                    error(
                        f"the account does not own {a.number}; buy it or fix the file",
                        field=f"phone_numbers[{run.number_index(a.number)}]",
                    )
                ]
            )
        rec = hits[0]
    run.remember(rec["sid"], "phone_number", None, {"phone_number": rec.get("phone_number")})
    return Done(rec["sid"], data={"phone_number": rec.get("phone_number")})


def attach_number(run: Run, step: Step, a: AttachNumber) -> Result:
    gw = run.gateway
    service, number = run.sid(a.service_step), run.sid(a.number_step)
    run.store.mark_started(run.name, run.account, step.name)
    try:
        gw.add_service_phone_number(service, number)
    except GatewayError as err:
        if err.code != ALREADY_IN_SERVICE and not err.ambiguous:
            raise
        if err.ambiguous and not any(
            p.get("sid") == number for p in gw.list_service_phone_numbers(service)
        ):
            gw.add_service_phone_number(service, number)
    resolved = run.record(a.number_step)
    phone = resolved.data.get("phone_number") if resolved else None
    run.remember(
        number, "phone_number", None, {"phone_number": phone, "messaging_service_sid": service}
    )
    return Done(number)
