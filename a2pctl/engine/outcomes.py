"""What `register` and `plan` report for each file: its outcome, and the exit code.

`Outcome` is docs/contract.md §1's `registrations[]` item for register; `plan_for`
reads a file's registration from the store alone (no request); `exit_code`
ranks many outcomes into one code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from a2pctl.engine.plan import OutcomeKind, Plan, build_plan, resources
from a2pctl.engine.reconcile import Observed, reconcile
from a2pctl.errors import ExitCode
from a2pctl.flows import build_flow
from a2pctl.flows.model import Flow
from a2pctl.gateway.records import Brand, Campaign
from a2pctl.state.store import Store

if TYPE_CHECKING:
    from a2pctl.spec.customer import FileCheck


# How far `register --wait` goes: until the campaign is submitted, or verified.
Until = Literal["submitted", "verified"]


@dataclass
class Outcome:
    """What `register` did for one file (docs/contract.md §1 JSON `registrations[]`)."""

    name: str
    flow: str
    file: str
    account: str | None
    outcome: OutcomeKind
    waiting_for: str | None
    resources: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def invalid_outcome(check: FileCheck) -> Outcome:
    return Outcome(
        name=check.customer.name if check.customer else Path(check.file).stem,
        flow=check.customer.flow if check.customer else "unknown",
        file=check.file,
        account=None,
        outcome="invalid",
        waiting_for=None,
        resources=resources(Flow("unknown"), {}),
        errors=[
            {"code": "invalid", "message": p.message, "field": p.field, "line": p.line}
            for p in check.errors
        ],
    )


def plan_for(check: FileCheck, store: Store | None, default_account: str | None) -> Plan | Outcome:
    """What `register` would do next for a file, from the store alone (no request).
    Without a store (none yet at that path) every step is still to do."""
    if not check.valid or check.customer is None:
        return invalid_outcome(check)
    customer = check.customer
    flow = build_flow(customer)
    account = customer.account_sid or default_account
    if account is None:
        registered = store.find_registrations(customer.name) if store else []
        account = registered[0].account if len(registered) == 1 else "(unknown account)"
    records = store.steps(customer.name, account) if store else {}
    known = store.resources(name=customer.name, account=account) if store else []
    last = {r.kind: r.detail | {"status": r.status} for r in known if r.status is not None}
    seen = Observed(
        bundles={k: last[k]["status"] for k in ("customer_profile", "trust_product") if k in last},
        brand=Brand.from_twilio(last["brand"]) if "brand" in last else None,
        campaign=_campaign(last.get("campaign")),
    )
    return build_plan(
        flow,
        name=customer.name,
        file=check.file,
        account=account,
        records=records,
        known=known,
        fixes=reconcile(flow, records, seen),
    )


def _campaign(detail: dict[str, Any] | None) -> Campaign | None:
    """A campaign as the store last heard it, under the record's own status key (the
    stored detail is Twilio's answer: parsed as the gateway parses it)."""
    if detail is None:
        return None
    status = detail.get("campaign_status") or detail.get("status")
    return Campaign.from_twilio({**detail, "campaign_status": status})


def exit_code(outcomes: list[Outcome] | list[Plan | Outcome]) -> ExitCode:
    """Invalid input first, then failures, then pending reviews (see README)."""
    kinds = {o.outcome for o in outcomes}
    if "invalid" in kinds:
        return ExitCode.USAGE
    if "failed" in kinds:
        return ExitCode.FAILED
    if "pending" in kinds:
        return ExitCode.PENDING
    return ExitCode.OK  # complete, or submitted: the campaign's review is Twilio's now
