"""Pure: (flow, step records, last known statuses) → what is done, next, waiting.

No I/O here: `a2pctl plan` and the executor both read a registration through
these functions, so what `plan` shows is exactly what `register` would do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from a2pctl.flows.model import (
    CreateAddress,
    CreateBrand,
    CreateBundle,
    CreateCampaign,
    CreateEndUser,
    Flow,
    Step,
    fingerprint,
)

if TYPE_CHECKING:  # the records are this module's input, read here, never the store
    from a2pctl.engine.reconcile import Fix
    from a2pctl.state.store import ResourceRecord, StepRecord

# What a step looks like to a person: done (with its SID), next, waiting on a
# review, failed last time, started but unconfirmed, or still to do.
StepState = Literal["done", "changed", "next", "waiting", "failed", "started", "todo"]
DONE: StepState = "done"
NEXT: StepState = "next"
WAITING: StepState = "waiting"
FAILED: StepState = "failed"
STARTED: StepState = "started"
TODO: StepState = "todo"
CHANGED: StepState = "changed"  # done, but the file now says something else: register sends it
# DESIGN's outcomes: complete (campaign VERIFIED, every number confirmed in the service),
# submitted (everything sent, the campaign in review), pending (waiting on a review before
# we can go on), failed (SUSPENDED or EXPIRED included), invalid (the file).
OutcomeKind = Literal["complete", "submitted", "pending", "failed", "invalid"]
CHANGED_NOTE = "changed in the file: register sends it where Twilio allows"


def sent_data(step: Step) -> Any:
    """What a step sent that a changed file can change (end users, addresses, a bundle's
    e-mail and status callback, the campaign)."""
    action = step.action
    if isinstance(action, CreateBundle):
        return bundle_contact(action.email, action.status_callback)
    if isinstance(action, CreateEndUser):
        return action.attributes
    if isinstance(action, CreateAddress):
        return action.fields
    if isinstance(action, CreateCampaign):
        return action.params
    return None


def bundle_contact(email: str | None, status_callback: str | None) -> dict[str, str | None]:
    """A bundle's fields a file can change after its creation."""
    return {"email": email, "status_callback": status_callback}


def changed(step: Step, record: StepRecord) -> bool:
    data = sent_data(step)
    recorded = record.data.get("hash")
    return data is not None and recorded is not None and recorded != fingerprint(data)


@dataclass(frozen=True)
class StepView:
    name: str
    title: str
    state: StepState
    sid: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class PlannedAction:
    """One request (or wait) `register` would make next, marked when it can cost a fee."""

    kind: str  # a fix kind (update_end_user, resubmit_brand, recreate_campaign, ...) or a step's
    target: str  # the flow step it acts on
    title: str
    fee: bool = False


# Flow steps that can cost a fee when they run.
FEE_ACTIONS = (CreateBrand, CreateCampaign)


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


@dataclass(frozen=True)
class Plan:
    name: str
    flow: str
    file: str
    account: str
    steps: list[StepView]
    outcome: OutcomeKind
    waiting_for: str | None
    resources: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    actions: list[PlannedAction] = field(default_factory=list)


def next_step(flow: Flow, records: Mapping[str, StepRecord]) -> Step | None:
    """The first step not done yet, in flow order (needs are always earlier steps)."""
    for step in flow.steps:
        record = records.get(step.name)
        if record is None or record.status != "done":
            return step
    return None


def resources(flow: Flow, records: Mapping[str, StepRecord]) -> dict[str, Any]:
    """The SIDs known so far, in the shape of docs/contract.md §1's `resources`."""
    found: dict[str, Any] = {
        "customer_profile": None,
        "trust_product": None,
        "brand": None,
        "messaging_service": None,
        "campaign": None,
        "phone_numbers": [],
    }
    for step in flow.steps:
        record = records.get(step.name)
        if step.records is None or record is None or record.sid is None:
            continue
        if step.records == "phone_number":
            found["phone_numbers"].append(record.sid)
        else:
            found[step.records] = record.sid
    return found


def _gate_note(brand: ResourceRecord | None) -> str | None:
    if brand is None:
        return None
    identity = brand.detail.get("identity_status")
    return f"brand {brand.status}" + (f", identity {identity}" if identity else "")


def build_plan(
    flow: Flow,
    *,
    name: str,
    file: str,
    account: str,
    records: Mapping[str, StepRecord],
    known: list[ResourceRecord],
    fixes: list[Fix] | None = None,
) -> Plan:
    """Each step as done / next / waiting / failed / todo, and the actions a re-run would
    send (the reconciler's fixes first, then the steps still to do), without changing
    anything."""
    fixes = fixes or []
    brand = next((r for r in known if r.kind == "brand"), None)
    views: list[StepView] = []
    upcoming = next_step(flow, records)
    waiting_for: str | None = None
    errors: list[dict[str, Any]] = []
    for step in flow.steps:
        record = records.get(step.name)
        sid = record.sid if record else None
        if record is not None and record.status == "done":
            if changed(step, record):
                views.append(StepView(step.name, step.title, CHANGED, sid, CHANGED_NOTE))
            else:
                views.append(StepView(step.name, step.title, DONE, sid))
            continue
        if step is upcoming:
            if record is not None and record.status == "failed":
                error = record.error or {}
                errors.append(error)
                views.append(StepView(step.name, step.title, FAILED, sid, error.get("message")))
            elif step.waits_on and brand is not None:
                note = _gate_note(brand)
                waiting_for = f"{step.waits_on} ({note})" if note else step.waits_on
                views.append(StepView(step.name, step.title, WAITING, sid, note))
            elif record is not None and record.status == "started":
                note = "started; will be looked up before anything is created again"
                views.append(StepView(step.name, step.title, STARTED, sid, note))
            else:
                views.append(StepView(step.name, step.title, NEXT, sid))
            continue
        views.append(StepView(step.name, step.title, TODO, sid))
    planned = [PlannedAction(f.kind, f.target, f.title, f.fee) for f in fixes]
    planned += [
        PlannedAction(
            _snake(type(step.action).__name__),
            step.name,
            step.title,
            isinstance(step.action, FEE_ACTIONS),
        )
        for step in flow.steps
        if step.name not in records or records[step.name].status != "done"
    ]
    outcome: OutcomeKind
    stops = [f.title for f in fixes if f.kind == "stop"]
    sending = [f for f in fixes if f.kind not in ("hold", "stop")]
    campaign = next((r for r in known if r.kind == "campaign"), None)
    if stops:
        outcome, waiting_for = "failed", None
        errors.append({"code": "stop", "message": "; ".join(stops), "field": None})
    elif sending:
        outcome = "pending"
        waiting_for = "fixes for the changed file, which register sends"
    elif upcoming is None and any(view.state == CHANGED for view in views):
        outcome = "pending"
        waiting_for = "changes in the file, which register sends"
    elif upcoming is None:
        outcome, waiting_for = _registered(campaign)
    elif errors:
        outcome = "failed"
    else:
        outcome = "pending"
        if waiting_for is None:
            waiting_for = f"next: {upcoming.title}"
    return Plan(
        name=name,
        flow=flow.name,
        file=file,
        account=account,
        steps=views,
        outcome=outcome,
        waiting_for=waiting_for,
        resources=resources(flow, records),
        errors=errors,
        actions=planned,
    )


def _registered(campaign: ResourceRecord | None) -> tuple[OutcomeKind, str | None]:
    """Every step done: what the campaign's last known review says."""
    status = campaign.status if campaign is not None else None
    if status == "VERIFIED":
        return "complete", None
    if status in ("FAILED", "SUSPENDED", "EXPIRED"):
        return "failed", f"campaign {status}"
    return "submitted", f"campaign review ({status or 'status not known yet'})"
