"""Runs plans: pauses, gates, interleaving; each step through `actions`.

Each registration is a `Run` that performs one step per `advance()` (`actions`
records the intent, sends through the gateway and its limiter, records the SID). The
scheduler (`schedule`) always advances the run that is ready soonest, so while one
customer waits out a pause or a review, the others' requests proceed, and runs each
account in its own thread; every request of an account passes the one shared rate
limiter inside the gateway. Nothing is slept except through the injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from a2pctl.engine import actions, completion, fixes
from a2pctl.engine.actions.results import error
from a2pctl.engine.fixes import RECREATE_PAUSE_SECONDS
from a2pctl.engine.outcomes import Outcome, Until, invalid_outcome
from a2pctl.engine.plan import OutcomeKind, next_step, resources
from a2pctl.engine.reconcile import CAMPAIGN_DELETED
from a2pctl.engine.schedule import by_account as _schedule  # a thread per account
from a2pctl.errors import A2pError, UsageError
from a2pctl.flows import build_flow
from a2pctl.flows.model import Flow, Step
from a2pctl.gateway import Gateway, GatewayError
from a2pctl.gateway.records import TwilioRecord
from a2pctl.pacing import Clock
from a2pctl.state.store import StepRecord, Store

if TYPE_CHECKING:
    from a2pctl.spec.customer import Customer, FileCheck

# The first look at a review comes this soon; each next one twice as late, up to
# --poll-seconds (a review that ends in seconds is seen in seconds, a long one costs
# one request a minute).
FIRST_POLL_SECONDS = 5.0
# A service created after this much before the step started may be ours (clock skew).
CLOCK_SKEW_SECONDS = 300.0


class Observer(Protocol):
    def step_done(self, registration: str, title: str, sid: str | None) -> None: ...
    def waiting(self, registration: str, reason: str, remaining: float) -> None: ...
    def notice(self, registration: str, message: str) -> None: ...


class SilentObserver:
    def step_done(self, registration: str, title: str, sid: str | None) -> None:
        return None

    def waiting(self, registration: str, reason: str, remaining: float) -> None:
        return None

    def notice(self, registration: str, message: str) -> None:
        return None


class Run:
    """One registration being advanced step by step."""

    def __init__(
        self,
        customer: Customer,
        path: Path,
        account: str,
        gateway: Gateway,
        store: Store,
        clock: Clock,
        observer: Observer,
    ) -> None:
        self.customer = customer
        self.name = customer.name
        self.path = path
        self.account = account
        self.gateway = gateway
        self.store = store
        self.clock = clock
        self.observer = observer
        self.flow: Flow = build_flow(customer)
        self.records: dict[str, StepRecord] = {}
        self.ready_at = 0.0
        self.waiting: str | None = None  # set while polling a gate
        self.outcome: Outcome | None = None
        self.warnings: list[str] = []
        self.line_of: Callable[[str], int | None] = lambda field: None  # the file's lines
        self._changes_applied = False
        self.poll_seconds = 0.0  # set by each advance; fee-bearing look-ups are spaced by it
        self.until: Until = "submitted"  # or "verified": wait through the campaign review
        self.polls = 0  # looks at the same review so far: the back-off grows with them
        self.timed_out_at: float | None = None
        self.numbers_rechecked = False
        # Steps whose resource this process created (not found): what is built on them
        # cannot exist yet, so it is not looked up first (`create_once`).
        self.created: set[str] = set()

    # --- helpers the action handlers use ---------------------------------------------
    def record(self, step: str) -> StepRecord | None:
        return self.records.get(step)

    def sid(self, step: str) -> str:
        record = self.records.get(step)
        if record is None or not record.sid:
            raise A2pError(f"internal: step {step!r} has no SID recorded yet")
        return record.sid

    def started_at(self, step: str) -> float | None:
        record = self.records.get(step)
        return record.started_at if record else None

    def created_since(self, rec: TwilioRecord, started: float | None) -> bool:
        if started is None:
            return True
        created = rec.date_created or ""
        try:
            when = datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return True
        return when >= started - CLOCK_SKEW_SECONDS

    def note(self, step: Step, message: str) -> None:
        self.observer.notice(self.name, f"{step.title}: {message}")

    def remember(
        self,
        sid: str,
        kind: str,
        status: str | None,
        detail: dict[str, Any],
        *,
        keep_status: bool = False,
    ) -> None:
        """Update the last known status of a resource (what `status` shows)."""
        known = self.store.find_resource(sid)
        if known is not None:
            if keep_status:
                status = known.status
            detail = {**known.detail, **detail}
        self.store.record_resource(
            sid, kind=kind, status=status, detail=detail, name=self.name, account=self.account
        )

    def personal(self, action: str) -> str:
        """A catalogue action with this registration's own name and file filled in."""
        from a2pctl.remediation.codes import personal

        return personal(action, self.name, str(self.path))

    def number_index(self, number: str) -> int:
        numbers: list[str] = list(self.customer.phone_numbers)
        return numbers.index(number)

    # --- advancing -----------------------------------------------------------------------
    def refresh(self) -> None:
        self.records = self.store.steps(self.name, self.account)

    def advance(self, *, wait: bool, deadline: float, poll_seconds: float, pause: float) -> None:
        self.poll_seconds = poll_seconds
        self.refresh()
        step: Step | None = None
        try:
            if not self._changes_applied:
                self._changes_applied = True
                for notice in fixes.apply(self):
                    self.observer.notice(self.name, notice)
            step = next_step(self.flow, self.records)
            if step is None:
                completion.finish(self, wait=wait, deadline=deadline)
                return
            not_before, why = self._not_before(step, pause)
            if not_before > self.clock.now():
                self.ready_at, self.waiting = not_before, why
                return
            result = actions.perform(self, step)
        except fixes.Stopped as stop:
            failures = [error(reason, code="stop") for reason in stop.reasons]
            self.finish("failed", errors=failures)
            return
        except actions.Ambiguous as err:
            what = step.title if step else "request"
            self.observer.notice(self.name, f"{what}: {err}; looking again before any create")
            self.ready_at = self.clock.now() + poll_seconds
            return
        except (GatewayError, UsageError) as err:
            failure = err.as_dict() if isinstance(err, GatewayError) else _error_dict(err)
            if isinstance(err, GatewayError) and err.field and step and step.section:
                failure["field"] = _file_path(step.section, err.field)
            if step is not None:
                self.store.mark_failed(self.name, self.account, step.name, failure)
            # A usage problem (a file change Twilio cannot take, credentials) is bad input.
            self.finish("failed" if isinstance(err, GatewayError) else "invalid", errors=[failure])
            return
        if isinstance(result, actions.Fail):
            self.store.mark_failed(self.name, self.account, step.name, result.errors[0])
            self.finish("failed", errors=result.errors)
            return
        if isinstance(result, actions.Wait):
            if not (wait and self.wait_again(result.reason, deadline)):
                self.finish("pending", waiting_for=self.timed_out(result.reason, wait))
            return
        self._record_done(step, result)
        self.waiting, self.polls = None, 0

    def wait_again(self, reason: str, deadline: float) -> bool:
        """Schedule the next look at a review: back-off from seconds to `poll_seconds`,
        and one last look at the deadline itself. False once the deadline has passed."""
        now = self.clock.now()
        if now >= deadline:
            self.timed_out_at = deadline
            return False
        delay = min(self.poll_seconds, FIRST_POLL_SECONDS * 2**self.polls)
        self.polls += 1
        self.waiting, self.ready_at = reason, min(now + delay, deadline)
        return True

    def timed_out(self, reason: str, wait: bool) -> str:
        if wait and self.timed_out_at is not None:
            return f"{reason} (--timeout reached; still waiting)"
        return reason

    def _not_before(self, step: Step, pause: float) -> tuple[float, str]:
        """When `step` may run: Twilio's documented pause after the step before it, and
        5 s after a campaign deletion. Read from the store, so a kill cannot shorten it."""
        index = self.flow.steps.index(step)
        earlier = self.flow.steps[index - 1] if index else None
        done = self.records.get(earlier.name) if earlier else None
        if earlier and earlier.pause_after and done and done.finished_at and pause > 0:
            reason = f"Twilio's documented {pause:g} s pause after: {earlier.title.lower()}"
            return done.finished_at + pause, reason
        deleted = self.records.get(CAMPAIGN_DELETED)
        # Done means the DELETE was answered: a deletion still `started` is finished first.
        if step.records == "campaign" and deleted and deleted.finished_at:
            reason = f"{RECREATE_PAUSE_SECONDS:g} s after deleting a campaign, as documented"
            return deleted.finished_at + RECREATE_PAUSE_SECONDS, reason
        return 0.0, ""

    def _record_done(self, step: Step, result: actions.Done) -> None:
        data = dict(result.data)
        if result.status is not None:
            data["status"] = result.status
        self.store.mark_done(self.name, self.account, step.name, sid=result.sid, data=data)
        if step.records and result.sid and step.records not in ("campaign", "phone_number"):
            detail = result.record.as_detail() if result.record is not None else {}
            known = self.store.find_resource(result.sid)
            status = result.status or (known.status if known else None)
            self.remember(result.sid, step.records, status, detail)
        self.observer.step_done(self.name, step.title, result.sid)

    def finish(
        self,
        outcome: OutcomeKind,
        *,
        waiting_for: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.refresh()
        errors = [_with_line(error, self.line_of) for error in errors or []]
        self.outcome = Outcome(
            name=self.name,
            flow=self.customer.flow,
            file=str(self.path),
            account=self.account,
            outcome=outcome,
            waiting_for=waiting_for,
            resources=resources(self.flow, self.records),
            errors=errors,
            warnings=self.warnings,
        )


def _with_line(error: dict[str, Any], line_of: Callable[[str], int | None]) -> dict[str, Any]:
    """Point an error at the line of its field in the customer file (as it was loaded)."""
    field = error.get("field")
    if not field or error.get("line") is not None:
        return error
    return {**error, "line": line_of(field)}


def _error_dict(err: A2pError) -> dict[str, Any]:
    return {"code": err.code, "message": err.message, "field": err.field}


def _file_path(section: str, twilio_field: str) -> str:
    """`MessageSamples` in a campaign request → `campaign.message_samples`."""
    snake = "".join("_" + c.lower() if c.isupper() else c for c in twilio_field).lstrip("_")
    return f"{section}.{snake}"


def _registered_as(store: Store, path: Path, name: str, account: str) -> str | None:
    """The other name this very file was registered under in this store, if any."""
    here = str(path.resolve())
    for known in store.registrations():
        if known.file == here and known.account == account and known.name != name:
            return known.name
    return None


def account_for(customer: Customer, default_account: str) -> str:
    return customer.account_sid or default_account


def register(
    checks: list[FileCheck],
    *,
    store: Store,
    clock: Clock,
    make_gateway: Callable[[str | None], Gateway],
    default_account: str,
    pause_seconds: float,
    poll_seconds: float,
    wait: bool,
    timeout: float,
    observer: Observer | None = None,
    until: Until = "submitted",
) -> list[Outcome]:
    """Run every valid file's flow, interleaved, to completion or its first gate."""
    watcher = observer or SilentObserver()
    gateways: dict[str, Gateway] = {}
    runs: list[Run] = []
    outcomes: dict[str, Outcome] = {}
    seen: set[tuple[str, str]] = set()
    for check in checks:
        if not check.valid or check.customer is None:
            outcomes[check.file] = invalid_outcome(check)
            continue
        customer = check.customer
        account = account_for(customer, default_account)
        if (customer.name, account) in seen:
            outcome = invalid_outcome(check)
            outcome.errors = [
                {"code": "invalid", "message": "another file has the same name", "field": "name"}
            ]
            outcomes[check.file] = outcome
            continue
        seen.add((customer.name, account))
        renamed = _registered_as(store, Path(check.file), customer.name, account)
        if renamed is not None:
            outcome = invalid_outcome(check)
            outcome.errors = [
                {
                    "code": "invalid",
                    "message": f"this file was registered as {renamed!r} in this state store: "
                    "under a new name the customer would be registered (and pay) again; "
                    f"put back `name: {renamed}`",
                    "field": "name",
                }
            ]
            outcomes[check.file] = outcome
            continue
        if account not in gateways:
            gateways[account] = make_gateway(customer.account_sid)
        run = Run(customer, Path(check.file), account, gateways[account], store, clock, watcher)
        run.warnings = [str(problem) for problem in check.warnings]
        run.line_of = check.line_of
        run.until = until
        runs.append(run)
    deadline = clock.now() + timeout
    with ExitStack() as locks:
        for run in runs:
            locks.enter_context(store.lock(run.name, run.account))
            store.upsert_registration(
                run.name, run.account, run.customer.flow, str(run.path.resolve())
            )
        _schedule(
            runs,
            clock,
            watcher,
            wait=wait,
            deadline=deadline,
            poll=poll_seconds,
            pause=pause_seconds,
        )
        for run in runs:  # while the leases are held: a worker's claim skips these now
            assert run.outcome is not None
            store.record_outcome(run.name, run.account, run.outcome.outcome)
    for run in runs:
        assert run.outcome is not None
        outcomes[str(run.path)] = run.outcome
    return [outcomes[check.file] for check in checks]
