"""Pure: (flow, step records, last known statuses) → what is done, next, waiting.

No I/O here: `a2pctl plan` and the executor both read a registration through
these functions, so what `plan` shows is exactly what `register` would do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from a2pctl.flows.model import (
    CreateAddress,
    CreateCampaign,
    CreateEndUser,
    Flow,
    Step,
    fingerprint,
)

if TYPE_CHECKING:  # the records are this module's input, read here, never the store
    from a2pctl.state.store import ResourceRecord, StepRecord

# What a step looks like to a person: done (with its SID), next, waiting on a
# review, failed last time, started but unconfirmed, or still to do.
DONE, NEXT, WAITING, FAILED, STARTED, TODO = "done", "next", "waiting", "failed", "started", "todo"
CHANGED = "changed"  # done, but the file now says something else: register sends it
CHANGED_NOTE = "changed in the file: register sends it where Twilio allows"


def sent_data(step: Step) -> Any:
    """What a step sent that a changed file can change (end users, addresses, campaign)."""
    action = step.action
    if isinstance(action, CreateEndUser):
        return action.attributes
    if isinstance(action, CreateAddress):
        return action.fields
    if isinstance(action, CreateCampaign):
        return action.params
    return None


def changed(step: Step, record: StepRecord) -> bool:
    data = sent_data(step)
    recorded = record.data.get("hash")
    return data is not None and recorded is not None and recorded != fingerprint(data)


@dataclass(frozen=True)
class StepView:
    name: str
    title: str
    state: str
    sid: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Plan:
    name: str
    flow: str
    file: str
    account: str
    steps: list[StepView]
    outcome: str  # complete | pending | failed | invalid
    waiting_for: str | None
    resources: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)


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
) -> Plan:
    """Each step as done / next / waiting / failed / todo, without changing anything."""
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
    if upcoming is None and any(view.state == CHANGED for view in views):
        outcome = "pending"
        waiting_for = "changes in the file, which register sends"
    elif upcoming is None:
        outcome = "complete"
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
    )
