"""How a registration whose every step is done ends: what Twilio says of its campaign.

`complete` only once the campaign is VERIFIED and a GET shows every number in the
service (a missing one is attached again, once); `submitted` while the campaign is in
review, unless `--until verified` asks to wait through it; `failed` with the
documented next step when the campaign FAILED, or is SUSPENDED or EXPIRED.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from a2pctl.engine.actions.results import error
from a2pctl.engine.fixes import remember_campaign
from a2pctl.flows.model import AttachNumber

if TYPE_CHECKING:
    from a2pctl.engine.executor import Run
    from a2pctl.engine.plan import OutcomeKind


def finish(run: Run, *, wait: bool, deadline: float) -> None:
    """Every step is done: the campaign's review decides the outcome (one GET), and
    "complete" also needs every number confirmed in the service (one more)."""
    from a2pctl.remediation import catalogue as remediation

    service = run.records.get("messaging_service")
    if service is None or not service.sid:  # a flow without a campaign
        run.finish("complete")
        return
    campaign = run.gateway.fetch_campaign(service.sid)
    remember_campaign(run, service.sid, campaign)
    status = str(campaign.campaign_status or "")
    if status == "VERIFIED":
        _confirm_numbers(run, service.sid)
        return
    advice = remediation.for_campaign(campaign)
    if advice.severity != "failed":
        reason = f"campaign review ({status}): {advice.explanation}"
        if run.until == "verified" and wait and run.wait_again(reason, deadline):
            return
        kind: OutcomeKind = "submitted" if status in ("PENDING", "IN_PROGRESS") else "pending"
        run.finish(kind, waiting_for=run.timed_out(reason, wait and run.until == "verified"))
        return
    errors = [
        error(e.description, code=e.code, field=remediation.from_error(e, "campaign").field)
        for e in campaign.errors
    ]
    if status == "FAILED":
        text = (
            "the campaign FAILED review: fix the campaign section of the file and re-run "
            "register, which edits and resubmits it (or recreates it, as Twilio requires)"
        )
        summary = error(text, code="FAILED", field="campaign")
    else:
        text = f"the campaign is {status}: {advice.explanation}"
        summary = error(text + (f" {advice.action}" if advice.action else ""), code=status)
    run.finish("failed", errors=[summary, *errors])


def _confirm_numbers(run: Run, service: str) -> None:
    """Complete only with every number in the service (a GET); a missing one is
    attached again by the next advance."""
    attached = {p.sid for p in run.gateway.list_service_phone_numbers(service)}
    missing = [
        step.name
        for step in run.flow.steps
        if isinstance(step.action, AttachNumber)
        and (record := run.records.get(step.action.number_step)) is not None
        and record.sid not in attached
    ]
    if not missing:
        _settle_bundles(run)
        run.finish("complete")
        return
    if run.numbers_rechecked:
        text = "Twilio does not list every number in the service after attaching it again"
        run.finish("failed", errors=[error(text, field="phone_numbers")])
        return
    run.numbers_rechecked = True
    run.store.reset_steps(run.name, run.account, missing)
    run.observer.notice(run.name, "a number is missing from the service: attaching it again")
    run.ready_at = run.clock.now()


def _settle_bundles(run: Run) -> None:
    """The bundles as they are once the campaign is verified (a sole proprietor's are
    approved only after the OTP), so `status` from the store does not show them in
    review; asked once, until the store knows them approved."""
    for kind in ("customer_profile", "trust_product"):
        record = run.record(kind)
        if record is None or not record.sid:
            continue
        known = run.store.find_resource(record.sid)
        if known is None or known.status != "twilio-approved":
            rec = run.gateway.fetch_bundle(kind, record.sid)
            run.remember(record.sid, kind, rec.status, rec.as_detail())
