"""Sending the fixes the reconciler planned: exactly those, in its order.

`observe` gathers what the reconciler compares the file with, asking Twilio only
when the store holds something to reconcile (a changed file, a deletion a stopped
run began). `apply` records every intent before the request it stands for (bundles
to evaluate and submit again, the brand resubmission, the campaign deletion), so a
kill at any point leaves a registration that a re-run finishes without paying twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from a2pctl.engine.reconcile import (
    BRAND_REPLACED,
    CAMPAIGN_DELETED,
    DELETED,
    EDITABLE_CAMPAIGN_FIELDS,
    RESUBMIT_BRAND,
    REVIEW_PARTS,
    Fix,
    Observed,
    needs_observation,
    reconcile,
    resubmissions,
)
from a2pctl.errors import UsageError
from a2pctl.flows.model import (
    BrandGate,
    BundleKind,
    CheckUsecase,
    CreateAddress,
    CreateBundle,
    CreateCampaign,
    CreateEndUser,
    Step,
    fingerprint,
)
from a2pctl.gateway import GatewayError
from a2pctl.gateway.records import Brand, Campaign
from a2pctl.state.store import campaign_key

if TYPE_CHECKING:
    from a2pctl.engine.executor import Run

# IsoCountry cannot be changed on an Address (docs/twilio/endpoints.md).
FIXED_ADDRESS_FIELDS = ("iso_country",)
# At least 5 s between deleting a campaign and creating one on the same service.
RECREATE_PAUSE_SECONDS = 5.0


class Stopped(Exception):
    """The reconciler found what only a person can fix; nothing was sent."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def observe(run: Run) -> Observed | None:
    """Twilio's side of what the file changed (None: nothing to reconcile, no request)."""
    if not needs_observation(run.flow, run.records):
        return None
    bundles: dict[str, str | None] = {}
    for kind in ("customer_profile", "trust_product"):
        record = run.record(kind)
        if record is not None and record.sid:
            rec = run.gateway.fetch_bundle(kind, record.sid)
            run.remember(record.sid, kind, rec.status, rec.as_detail())
            bundles[kind] = rec.status
    brand: Brand | None = None
    brand_step = run.record("brand")
    if brand_step is not None and brand_step.sid:
        try:
            brand = run.gateway.fetch_brand(brand_step.sid)
        except GatewayError as err:
            if err.status != 404:
                raise
            brand = Brand(sid=brand_step.sid, status=DELETED)  # in the Console
        else:
            run.remember(brand_step.sid, "brand", brand.status, brand.as_detail())
    campaign: Campaign | None = None
    step = campaign_step(run)
    record = run.record(step.name) if step else None
    if step is not None and record is not None and record.status == "done":
        assert isinstance(step.action, CreateCampaign)
        service = run.sid(step.action.service_step)
        campaign = run.gateway.fetch_campaign(service)
        remember_campaign(run, service, campaign)
    return Observed(bundles=bundles, brand=brand, campaign=campaign)


def apply(run: Run) -> list[str]:
    """Send the fixes the reconciler returns; returns notices for the person watching."""
    seen = observe(run)
    if seen is None:
        return []
    fixes = reconcile(run.flow, run.records, seen)
    stops = [fix.title for fix in fixes if fix.kind == "stop"]
    if stops:
        raise Stopped(stops)
    _check_address_country(run, fixes)
    notices = [fix.title for fix in fixes if fix.kind == "hold"]
    # The intents first: should this run die midway, the bundles are still evaluated
    # and submitted again, and the brand resubmitted, on the next run.
    review = [fix.target for fix in fixes if fix.kind == "resubmit_bundle"]
    steps = [f"{bundle}.{part}" for bundle in review for part in REVIEW_PARTS]
    if steps:
        run.store.reset_steps(run.name, run.account, steps)
    if any(fix.kind == "resubmit_brand" for fix in fixes):
        count = resubmissions(run.records) + 1  # counted before it is sent: never under
        run.store.mark_started(run.name, run.account, RESUBMIT_BRAND, data={"count": count})
    for fix in fixes:
        sent = _send(run, fix, seen)
        if sent:
            notices.append(sent)
    run.refresh()
    return notices


def _send(run: Run, fix: Fix, seen: Observed) -> str | None:
    """Send one fix (its intent recorded already); what a person reads, if anything."""
    step = run.flow.step(fix.target) if fix.target in _step_names(run) else None
    if fix.kind == "finish_campaign_delete":
        return _finish_campaign_deletion(run)
    if fix.kind == "reopen_bundle":
        kind = _kind(fix.target)
        rec = run.gateway.update_bundle(kind, run.sid(fix.target), status="draft")
        run.remember(run.sid(fix.target), kind, rec.status, rec.as_detail())
        return f"the {fix.target.replace('_', ' ')} is set back to draft to be corrected"
    if fix.kind in ("update_end_user", "update_address", "update_bundle") and step is not None:
        return _update(run, step)
    if fix.kind == "resubmit_bundle":
        return f"the {fix.target.replace('_', ' ')} is evaluated and submitted again"
    if fix.kind == "resubmit_brand":
        return "the brand is resubmitted once the corrected bundles are submitted again"
    if fix.kind == "new_brand":
        forget_brand(run, run.sid(fix.target))
        return "a new brand (fee) is created once the corrected bundles are submitted again"
    if fix.kind in ("edit_campaign", "recreate_campaign") and step is not None:
        assert seen.campaign is not None  # the reconciler edits only a campaign it has seen
        return _fix_campaign(run, step, seen.campaign, recreate=fix.kind == "recreate_campaign")
    return None


def _step_names(run: Run) -> set[str]:
    return {step.name for step in run.flow.steps}


def _kind(bundle_step: str) -> BundleKind:
    """A bundle step is named after its kind (flows/common.py `bundle_step`)."""
    if bundle_step == "customer_profile":
        return "customer_profile"
    if bundle_step == "trust_product":
        return "trust_product"
    raise ValueError(f"not a bundle step: {bundle_step}")


def _check_address_country(run: Run, fixes: list[Fix]) -> None:
    for fix in fixes:
        if fix.kind != "update_address":
            continue
        step, record = run.flow.step(fix.target), run.record(fix.target)
        assert isinstance(step.action, CreateAddress)
        country = record.data.get("iso_country") if record else None
        if country and country != step.action.fields.get("iso_country"):
            raise UsageError(
                f"address.iso_country cannot change once the address exists ({country})",
                field="address.iso_country",
                hint="Twilio does not update an address's country; register a new customer",
            )


def _update(run: Run, step: Step) -> str:
    """Update an end user, an address or a bundle's e-mail and callback in place."""
    sid = run.sid(step.name)
    action = step.action
    if isinstance(action, CreateEndUser):
        run.gateway.update_end_user(sid, attributes=action.attributes)
        new_hash = fingerprint(action.attributes)
    elif isinstance(action, CreateAddress):
        fields = {k: v for k, v in action.fields.items() if k not in FIXED_ADDRESS_FIELDS}
        run.gateway.update_address(sid, **fields)
        new_hash = fingerprint(action.fields)
    else:
        assert isinstance(action, CreateBundle)
        rec = run.gateway.update_bundle(
            action.kind, sid, email=action.email, status_callback=action.status_callback
        )
        run.remember(sid, action.kind, rec.status, rec.as_detail())
        new_hash = fingerprint({"email": action.email, "status_callback": action.status_callback})
    record = run.record(step.name)
    data = {**(record.data if record else {}), "hash": new_hash}
    run.store.mark_done(run.name, run.account, step.name, sid=sid, data=data)
    return f"{step.title}: updated from the changed file"


def campaign_step(run: Run) -> Step | None:
    return next((s for s in run.flow.steps if isinstance(s.action, CreateCampaign)), None)


def _fix_campaign(run: Run, step: Step, campaign: Campaign, *, recreate: bool) -> str:
    """Edit the FAILED campaign in place, or delete it to be created anew."""
    assert isinstance(step.action, CreateCampaign)
    record = run.record(step.name)
    assert record is not None
    service = run.sid(step.action.service_step)
    if recreate:
        _replace_campaign(run, step, service, campaign)
        return "FAILED campaign deleted; a new one follows after 5 s"
    params = step.action.params
    edit: dict[str, Any] = {name: params.get(name) for name in EDITABLE_CAMPAIGN_FIELDS}
    for flag in ("age_gated", "direct_lending"):  # required on update
        edit[flag] = bool(edit[flag])
    rec = run.gateway.update_campaign(service, **edit)
    run.store.mark_done(
        run.name,
        run.account,
        step.name,
        sid=record.sid,
        data={**record.data, "hash": fingerprint(params)},
    )
    remember_campaign(run, service, rec)
    return "FAILED campaign edited from the changed file and resubmitted"


def _replace_campaign(run: Run, step: Step, service: str, campaign: Campaign) -> None:
    """Record the deletion (and that the campaign is to be created again) before sending
    it, so a kill in between cannot leave a registration that believes in a campaign."""
    usecase_checks = [s.name for s in run.flow.steps if isinstance(s.action, CheckUsecase)]
    run.store.reset_steps(run.name, run.account, [*usecase_checks, step.name])
    gone = {"date_created": campaign.date_created}
    run.store.mark_started(run.name, run.account, CAMPAIGN_DELETED, data=gone)
    _delete_campaign(run, service, gone)


def deleted_campaign(run: Run, campaign: Campaign) -> bool:
    """Whether `campaign` is the one this registration deleted (or is deleting)."""
    marker = run.record(CAMPAIGN_DELETED)
    created = campaign.date_created
    return marker is not None and created is not None and marker.data == {"date_created": created}


def forget_brand(run: Run, sid: str) -> None:
    """A brand deleted in the Console: kept as replaced (a new brand's look-up never adopts
    it), and the brand steps to run again, which creates the new one."""
    gone = sorted(replaced_brands(run) | {sid})
    run.store.mark_done(run.name, run.account, BRAND_REPLACED, data={"sids": gone})
    run.remember(sid, "brand", DELETED, {"sid": sid})
    gates = [s.name for s in run.flow.steps if isinstance(s.action, BrandGate)]
    run.store.reset_steps(run.name, run.account, ["brand", *gates, RESUBMIT_BRAND])
    run.refresh()


def replaced_brands(run: Run) -> set[str]:
    """Brands deleted in the Console after they FAILED: a new brand never adopts one."""
    marker = run.record(BRAND_REPLACED)
    return set(marker.data.get("sids", [])) if marker is not None else set()


def _finish_campaign_deletion(run: Run) -> str | None:
    """A deletion a killed run recorded but may not have sent: sent now, unless the
    service has since got another campaign (that one is left alone)."""
    marker, step = run.record(CAMPAIGN_DELETED), campaign_step(run)
    if marker is None or marker.status != "started" or step is None:
        return None
    assert isinstance(step.action, CreateCampaign)
    service = run.sid(step.action.service_step)
    try:
        current: Campaign | None = run.gateway.fetch_campaign(service)
    except GatewayError as err:
        if err.status != 404:
            raise
        current = None
    if current is not None and not deleted_campaign(run, current):
        _delete_campaign(run, None, marker.data)
        return None
    _delete_campaign(run, service, marker.data)
    return "the campaign deletion a stopped run began is finished; a new one follows after 5 s"


def _delete_campaign(run: Run, service: str | None, gone: dict[str, Any]) -> None:
    """DELETE the service's campaign (None: it is gone already), then record it done."""
    if service is not None:
        try:
            run.gateway.delete_campaign(service)
        except GatewayError as err:
            if err.status != 404:  # already gone: what we wanted
                raise
    run.store.mark_done(run.name, run.account, CAMPAIGN_DELETED, data=gone)
    run.refresh()


def remember_campaign(run: Run, service: str, campaign: Campaign) -> None:
    detail = dict(campaign.as_detail(), messaging_service_sid=service)
    run.remember(campaign_key(service), "campaign", campaign.campaign_status, detail)
