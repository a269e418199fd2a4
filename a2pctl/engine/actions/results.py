"""What a handler returns, and the one way every handler creates a resource.

A handler returns `Done` (with the SID it produced), `Wait` (an outside review
is not finished) or `Fail` (a documented rejection). Creates go through
`create_once`: the intent is recorded before the request, the SID the moment the
answer arrives, and a step found `started` without a SID is looked up before
anything is created again. Fee-bearing resources (brand, campaign) and the
bundles (found by their deterministic friendly names) are looked up before
every create, so even a lost state store cannot cause a second brand; only a
brand on bundles this very process created is not (it cannot exist yet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from a2pctl.flows.model import Step
from a2pctl.gateway import GatewayError
from a2pctl.gateway.records import TwilioRecord

if TYPE_CHECKING:
    from a2pctl.engine.executor import Run

# Not a flow step: recorded once a resource is found that this store never recorded.
# The registration's other resources then exist too, most likely: each is looked up
# (by its deterministic name, its bundle's assignments...) before anything is created.
ADOPTING = "registration.adopting"

R = TypeVar("R", bound=TwilioRecord)


@dataclass(frozen=True)
class Done:
    sid: str | None = None
    status: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    record: TwilioRecord | None = None  # the Twilio record, for the resource's last known status


@dataclass(frozen=True)
class Wait:
    reason: str


@dataclass(frozen=True)
class Fail:
    errors: list[dict[str, Any]]


Result = Done | Wait | Fail


class Ambiguous(Exception):
    """A fee-bearing create may have happened: look again later before creating."""


def error(
    message: str, *, field: str | None = None, code: int | str | None = None
) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field}


def create_once(
    run: Run,
    step: Step,
    lookup: Callable[[], R | None],
    create: Callable[[], R],
    *,
    fee: bool = False,
    look_first: bool = False,
    new_base: bool = False,
) -> R:
    """Create once. `look_first`: always look the resource up before creating it;
    `fee`: that, and never create again after a lost answer until a later look.
    `new_base`: what the resource is built on was created by this very run (a brand on
    bundles created minutes ago), so it cannot exist yet: no look first, unless this
    step was started before or the registration is adopting.
    Once a resource turns up that the store never recorded (the store was lost or
    replaced), the registration is `ADOPTING`: every later create looks first too."""
    record = run.record(step.name)
    adopting = is_adopting(run)
    started = record is not None and record.status == "started"
    if ((fee or look_first) and not new_base) or adopting or started:
        found = lookup()
        if found is not None:
            if record is None and not adopting:
                run.store.mark_done(run.name, run.account, ADOPTING)
            run.note(step, "found the resource a previous run created; not creating it again")
            return found
    run.store.mark_started(run.name, run.account, step.name)
    try:
        created = create()
    except GatewayError as err:
        if not err.ambiguous:
            raise
        found = lookup()
        if found is not None:
            return found
        if fee:
            # The answer was lost and the list does not show it (yet): look once
            # more after a poll interval before paying for a second create.
            raise Ambiguous(str(err)) from err
        created = create()
    sid = created.sid
    if sid:
        run.store.record_sid(run.name, run.account, step.name, str(sid))
        run.created.add(step.name)
    return created


def is_adopting(run: Run) -> bool:
    return run.record(ADOPTING) is not None


def newest(records: list[R]) -> R | None:
    return max(records, key=lambda r: r.date_created or "", default=None)
