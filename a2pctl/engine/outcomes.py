"""What `register` and `plan` report for each file: its outcome, and the exit code.

`Outcome` is docs/contract.md §1's `registrations[]` item for register; `plan_for`
reads a file's registration from the store alone (no request); `exit_code`
ranks many outcomes into one code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from a2pctl.engine.plan import Plan, build_plan, resources
from a2pctl.errors import ExitCode
from a2pctl.flows import build_flow
from a2pctl.flows.model import Flow
from a2pctl.state.store import Store

if TYPE_CHECKING:
    from a2pctl.spec.customer import FileCheck


@dataclass
class Outcome:
    """What `register` did for one file (docs/contract.md §1 JSON `registrations[]`)."""

    name: str
    flow: str
    file: str
    account: str | None
    outcome: str  # complete | pending | failed | invalid
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
        known = store.find_registrations(customer.name) if store else []
        account = known[0].account if len(known) == 1 else "(unknown account)"
    return build_plan(
        flow,
        name=customer.name,
        file=check.file,
        account=account,
        records=store.steps(customer.name, account) if store else {},
        known=store.resources(name=customer.name, account=account) if store else [],
    )


def exit_code(outcomes: list[Outcome] | list[Plan | Outcome]) -> ExitCode:
    """Invalid input first, then failures, then pending reviews (see README)."""
    kinds = {o.outcome for o in outcomes}
    if "invalid" in kinds:
        return ExitCode.USAGE
    if "failed" in kinds:
        return ExitCode.FAILED
    if "pending" in kinds:
        return ExitCode.PENDING
    return ExitCode.OK
