"""Messaging: the brand and its gate, the messaging service, the campaign, the numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from a2pctl.engine.actions.results import Done, Fail, Result, Wait, create_once, error, newest
from a2pctl.engine.fixes import deleted_campaign, forget_brand, remember_campaign, replaced_brands
from a2pctl.engine.reconcile import RESUBMIT_BRAND
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
from a2pctl.gateway import GatewayError
from a2pctl.gateway.records import Brand, Campaign, Service

if TYPE_CHECKING:
    from a2pctl.engine.executor import Run

# "Phone Number is already in the Messaging Service": done only if it is in ours (a GET
# tells), else it sits in another service, named in the message when Twilio names it.
ALREADY_IN_SERVICE = 21710
_SID = re.compile(r"^PN[0-9a-fA-F]{32}$")
_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
# Brand statuses that end a registration: the documented next step is a person's.
BRAND_ENDED = ("FAILED", "SUSPENDED", "EXPIRED", "DELETION_FAILED")


def create_brand(run: Run, step: Step, a: CreateBrand) -> Result:
    gw = run.gateway
    profile, trust = run.sid(a.profile_step), run.sid(a.trust_step)

    gone = replaced_brands(run)

    def lookup() -> Brand | None:
        hits = [
            b
            for b in gw.list_brands()
            if b.customer_profile_bundle_sid == profile
            and b.a2p_profile_bundle_sid == trust
            and b.sid not in gone
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
        # Bundles this run created have no brand yet: the list of every brand in the
        # account (a request per 1,000 brands) is for bundles found, or a lost answer.
        new_base={a.profile_step, a.trust_step} <= run.created and not gone,
    )
    return Done(rec.sid, rec.status, record=rec)


def messaging_service(run: Run, step: Step, a: MessagingService) -> Result:
    gw = run.gateway
    if a.sid is not None:
        found = gw.fetch_service(a.sid)
        return Done(found.sid, record=found)
    name = a.friendly_name or run.name
    started = run.started_at(step.name)

    def lookup() -> Service | None:
        hits = [s for s in gw.list_services() if s.friendly_name == name]
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
    return Done(rec.sid, record=rec)


def brand_gate(run: Run, step: Step, a: BrandGate) -> Result:
    from a2pctl.remediation import catalogue as remediation

    sid = run.sid(a.brand_step)
    try:
        brand = run.gateway.fetch_brand(sid)
    except GatewayError as err:
        if err.status != 404:
            raise
        return _brand_deleted(run, a, sid)
    run.remember(brand.sid, "brand", brand.status, brand.as_detail())
    status, identity = brand.status, brand.identity_status
    requested = run.record(RESUBMIT_BRAND)
    if requested is not None and requested.status == "started":
        if status == "FAILED":
            return _resubmit(run, brand, requested.data)
        # Sent already (its answer lost, or the run stopped after it): back in review.
        run.store.mark_done(run.name, run.account, RESUBMIT_BRAND, data=requested.data)
    if status == "APPROVED" and (not a.identity or identity in a.identity):
        return Done(brand.sid, status, data={"identity_status": identity})
    if brand.mock and str(brand.brand_type).upper() == "SOLE_PROPRIETOR":
        return Fail(
            [
                error(
                    f"brand {brand.sid} is a mock sole-proprietor brand: Twilio sends it no "
                    "OTP and gives it no campaign, so the registration ends here",
                    field="brand.mock",
                    code="mock",
                )
            ]
        )
    advice = remediation.for_brand(brand)
    if advice.severity == "failed" or status in BRAND_ENDED:
        _refresh_bundles(run)
        brand_type = brand.brand_type
        errors = [
            error(
                e.description,
                code=e.code,
                field=remediation.from_error(e, "brand", object_type=brand_type).field,
            )
            for e in brand.errors
        ]
        reason = brand.failure_reason
        summary = f"brand {brand.sid} is {status}" + (f": {reason}" if reason else "")
        hint = f" — {run.personal(advice.action)}" if advice.action else ""
        return Fail([error(summary + hint, code=status), *errors])
    detail = f"status {status}" + (f", identity {identity}" if identity else "")
    action = f"; {run.personal(advice.action)}" if advice.action else ""
    return Wait(f"brand {brand.sid} ({detail}){action}")


def _refresh_bundles(run: Run) -> None:
    """What the bundles are now, for the fix a FAILED brand needs (an approved bundle is
    set back to draft to be corrected) and for `plan` and `status` to show it."""
    for kind in ("customer_profile", "trust_product"):
        record = run.record(kind)
        if record is not None and record.sid:
            rec = run.gateway.fetch_bundle(kind, record.sid)
            run.remember(record.sid, kind, rec.status, rec.as_detail())


def _brand_deleted(run: Run, a: BrandGate, sid: str) -> Result:
    """The brand is gone (deleted in the Console, as Twilio asks for a FAILED brand that
    never reached TCR): the next advance creates a new one (fee), never adopting this."""
    forget_brand(run, sid)
    return Wait(f"brand {sid} was deleted; a new brand (fee) is created on the same bundles")


def _resubmit(run: Run, brand: Brand, marker: dict[str, object]) -> Result:
    """The corrected bundles were submitted again: resubmit the FAILED brand."""
    if not brand.tcr_id:  # the reconciler stops before this; a guard all the same
        return Fail(
            [
                error(
                    f"brand {brand.sid} cannot be resubmitted: it never reached The Campaign "
                    "Registry (no tcr_id); delete it in the Console and re-run register",
                    code=21725,
                )
            ]
        )
    rec = run.gateway.resubmit_brand(brand.sid)
    run.store.mark_done(run.name, run.account, RESUBMIT_BRAND, data=dict(marker))
    run.remember(brand.sid, "brand", rec.status or "PENDING", rec.as_detail())
    return Wait(f"brand {brand.sid} resubmitted with the corrected data; review pending")


def check_usecase(run: Run, step: Step, a: CheckUsecase) -> Result:
    offered = run.gateway.fetch_usecases(run.sid(a.service_step), run.sid(a.brand_step))
    codes = [str(u.code) for u in offered]
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
    if existing and not any(c.brand_registration_sid == brand for c in existing):
        return Fail(
            [
                error(
                    f"messaging service {service} already has a campaign of another brand "
                    f"({existing[0].brand_registration_sid}); use a new service",
                    field="messaging_service",
                )
            ]
        )
    listed = [existing]  # the list just fetched serves as the first lookup

    def lookup() -> Campaign | None:
        campaigns = listed.pop() if listed else gw.list_campaigns(service)
        ours = [c for c in campaigns if c.brand_registration_sid == brand]
        return newest([c for c in ours if not deleted_campaign(run, c)])  # lists lag

    rec = create_once(
        run,
        step,
        lookup,
        lambda: gw.create_campaign(service, brand_registration_sid=brand, **a.params),
        fee=True,
    )
    remember_campaign(run, service, rec)
    data = {"campaign_id": rec.campaign_id, "hash": fingerprint(a.params)}
    return Done(rec.sid or None, rec.campaign_status, data=data)


def resolve_number(run: Run, step: Step, a: ResolveNumber) -> Result:
    gw = run.gateway
    if _SID.match(a.number):
        rec = gw.fetch_incoming_number(a.number)
    else:
        hits = [
            n for n in gw.find_incoming_numbers(phone_number=a.number) if n.phone_number == a.number
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
    run.remember(rec.sid, "phone_number", None, {"phone_number": rec.phone_number})
    return Done(rec.sid, data={"phone_number": rec.phone_number})


def attach_number(run: Run, step: Step, a: AttachNumber) -> Result:
    gw = run.gateway
    service, number = run.sid(a.service_step), run.sid(a.number_step)
    run.store.mark_started(run.name, run.account, step.name)
    try:
        gw.add_service_phone_number(service, number)
    except GatewayError as err:
        if err.code != ALREADY_IN_SERVICE and not err.ambiguous:
            raise
        if not any(p.sid == number for p in gw.list_service_phone_numbers(service)):
            if not err.ambiguous:
                return _in_another_service(run, a, number, err)
            gw.add_service_phone_number(service, number)
    resolved = run.record(a.number_step)
    phone = resolved.data.get("phone_number") if resolved else None
    run.remember(
        number, "phone_number", None, {"phone_number": phone, "messaging_service_sid": service}
    )
    return Done(number)


def _in_another_service(run: Run, a: AttachNumber, number: str, err: GatewayError) -> Result:
    resolved = run.record(a.number_step)
    phone = str(resolved.data.get("phone_number") or number) if resolved else number
    ours = run.sid(a.service_step)
    holders = [sid for sid in _SERVICE_SID.findall(err.message or "") if sid != ours]
    where = f"messaging service {holders[0]}" if holders else "another messaging service"
    index = run.number_index(phone) if phone in run.customer.phone_numbers else None
    return Fail(
        [
            error(
                f"{phone} is already in {where}, not in this registration's service: a number "
                "belongs to one service at a time; remove it from that service (if it is not "
                "another customer's) or use another number",
                field=f"phone_numbers[{index}]" if index is not None else "phone_numbers",
                code=ALREADY_IN_SERVICE,
            )
        ]
    )
