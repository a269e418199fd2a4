"""Rendering only: Rich tables and lines for people, JSON documents for scripts.

No business logic here: core modules return typed results, these functions
draw them. `--json` output is exactly one document on stdout.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from a2pctl.spec import FileCheck, Problem


def _x(text: str) -> str:
    """Data (paths, names, Twilio's messages) inside markup: never read as markup."""
    from rich.markup import escape

    return escape(text)


def print_json(document: Any) -> None:
    """Print one JSON document on stdout, nothing else."""
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


# --- validate (spec) ---------------------------------------------------------------


def validation_document(results: list[FileCheck]) -> dict[str, Any]:
    """`validate --json`: {"files": [{file, valid, errors, warnings}]}."""
    return {
        "files": [
            {
                "file": result.file,
                "valid": result.valid,
                "errors": [_problem_json(p) for p in result.errors],
                "warnings": [_problem_json(p) for p in result.warnings],
            }
            for result in results
        ]
    }


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {"line": problem.line, "field": problem.field or None, "message": problem.message}


def render_validation(results: list[FileCheck], out: Console, err: Console) -> None:
    """One line per problem (`FILE:LINE: field.path: reason`), warnings marked as such,
    `FILE: valid` for good files; a count on stderr when several files were checked."""
    from rich.text import Text

    for result in results:
        for problem in result.errors:
            out.print(Text(str(problem)))
        for problem in result.warnings:
            where = f"{problem.file}:{problem.line}:" if problem.line else f"{problem.file}:"
            field = f" {problem.field}:" if problem.field else ""
            out.print(
                Text.assemble(f"{where}{field} ", ("warning:", "yellow"), f" {problem.message}")
            )
        if result.valid:
            count = len(result.warnings)
            note = f" ({count} warning{'s' if count != 1 else ''})" if count else ""
            out.print(Text.assemble(f"{result.file}: ", ("valid", "green"), note))
    if len(results) > 1:
        valid = sum(1 for r in results if r.valid)
        invalid = len(results) - valid
        err.print(f"{len(results)} files checked: {valid} valid, {invalid} invalid", markup=False)


# --- register / plan (engine) ----------------------------------------------------------

_OUTCOME_STYLE = {
    "complete": "green",
    "pending": "yellow",
    "failed": "red",
    "invalid": "red",
}
_STEP_MARK = {
    "done": ("✓", "green"),
    "next": ("→", "bold"),
    "waiting": ("…", "yellow"),
    "failed": ("✗", "red"),
    "changed": ("~", "yellow"),
    "started": ("?", "yellow"),
    "todo": ("·", "dim"),
}


_RESOURCE_LABELS = (
    ("customer_profile", "customer profile"),
    ("trust_product", "trust bundle"),
    ("brand", "brand"),
    ("messaging_service", "messaging service"),
    ("campaign", "campaign"),
)


class Progress:
    """The live view of `register`: a line per step done, a countdown while waiting.

    On a terminal the countdown is one transient status line; elsewhere each
    distinct wait is printed once, so logs stay readable.
    """

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self._console = console
        self._quiet = quiet
        self._status: Any = None
        self._last_wait: dict[str, str] = {}

    def step_done(self, registration: str, title: str, sid: str | None) -> None:
        self._clear()
        if not self._quiet:
            sid_text = f"  [dim]{_x(sid)}[/]" if sid else ""
            self._console.print(f"{_x(registration)}  [green]✓[/] {_x(title)}{sid_text}")

    def notice(self, registration: str, message: str) -> None:
        self._clear()
        if not self._quiet:
            self._console.print(f"{_x(registration)}  [yellow]![/] {_x(message)}")

    def waiting(self, registration: str, reason: str, remaining: float) -> None:
        if self._quiet:
            return
        text = f"{registration}  waiting {remaining:0.0f}s: {reason}"
        text = _x(text)
        if self._console.is_terminal:
            if self._status is None:
                self._status = self._console.status(text)
                self._status.start()
            else:
                self._status.update(text)
        elif self._last_wait.get(registration) != reason:
            self._last_wait[registration] = reason
            self._console.print(f"{registration}  … waiting: {reason}", markup=False)

    def _clear(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def close(self) -> None:
        self._clear()


def _registration_json(item: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": item.name,
        "flow": item.flow,
        "file": item.file,
        "account_sid": item.account,
        "outcome": item.outcome,
        "waiting_for": item.waiting_for,
        "resources": item.resources,
        "warnings": list(getattr(item, "warnings", [])),
        "errors": [
            {
                "code": e.get("code"),
                "message": e.get("message"),
                "field": e.get("field"),
                "line": e.get("line"),
            }
            for e in item.errors
        ],
    }
    steps = getattr(item, "steps", None)
    if steps is not None:
        doc["steps"] = [
            {"name": s.name, "title": s.title, "state": s.state, "sid": s.sid, "note": s.note}
            for s in steps
        ]
    return doc


def registrations_document(items: list[Any]) -> dict[str, Any]:
    """DESIGN.md §1: `{"registrations": [...]}` for register and plan."""
    return {"registrations": [_registration_json(item) for item in items]}


def _errors(item: Any, err: Console) -> None:
    for e in item.errors:
        line = f":{e['line']}" if e.get("line") else ""
        where = f" {e.get('field')}:" if e.get("field") else ""
        code = f" [{e.get('code')}]" if e.get("code") not in (None, "invalid") else ""
        err.print(f"{item.file}{line}:{where} {e.get('message')}{code}", markup=False)


def render_outcomes(outcomes: list[Any], out: Console, err: Console) -> None:
    for item in outcomes:
        style = _OUTCOME_STYLE.get(item.outcome, "")
        line = f"[{style}]{item.outcome}[/]  {_x(item.name)} ({item.flow})"
        if item.waiting_for:
            line += f" — waiting for {_x(item.waiting_for)}"
        out.print(line)
        labelled = [
            f"{label} {item.resources[key]}"
            for key, label in _RESOURCE_LABELS
            if item.resources.get(key)
        ]
        labelled += [f"number {sid}" for sid in item.resources.get("phone_numbers") or []]
        for text in labelled:
            out.print(f"  {text}", style="dim", markup=False)
        _errors(item, err)
        for warning in getattr(item, "warnings", []):
            err.print(f"warning: {warning}", markup=False)
        if item.outcome == "pending":
            out.print(
                f"  re-run `a2pctl register {item.file}` later (--wait polls)",
                style="dim",
                markup=False,
            )
        if item.outcome == "failed":
            out.print(
                f"  `a2pctl status {item.name}` shows each resource and the documented fix;"
                " fix the file and re-run `register`",
                style="dim",
                markup=False,
            )


def render_plans(plans: list[Any], out: Console, err: Console) -> None:
    for item in plans:
        style = _OUTCOME_STYLE.get(item.outcome, "")
        out.print(
            f"[bold]{_x(item.name)}[/] ({item.flow}, {_x(item.file)}): [{style}]{item.outcome}[/]"
        )
        for step in getattr(item, "steps", []):
            mark, colour = _STEP_MARK.get(step.state, ("·", "default"))
            sid = f"  {step.sid}" if step.sid else ""
            note = f"  ({step.note})" if step.note else ""
            out.print(f"  [{colour}]{mark}[/] {_x(step.title)}[dim]{_x(sid + note)}[/]")
        _errors(item, err)


# --- status / otp / numbers ------------------------------------------------------------

# Drawn in report_status.py (kept apart for size); the names are part of this module.
from a2pctl.report_status import numbers_document as numbers_document  # noqa: E402
from a2pctl.report_status import otp_document as otp_document  # noqa: E402
from a2pctl.report_status import render_numbers as render_numbers  # noqa: E402
from a2pctl.report_status import render_otp as render_otp  # noqa: E402
from a2pctl.report_status import render_status as render_status  # noqa: E402
from a2pctl.report_status import status_document as status_document  # noqa: E402

# --- events ---------------------------------------------------------------------------

if TYPE_CHECKING:
    from a2pctl.events.decode import DecodedEvent
    from a2pctl.events.record import ReceivedEvent
    from a2pctl.events.setup import SetupResult

_EVENT_STYLE = {
    "APPROVED": "green",
    "VERIFIED": "green",
    "REGISTERED": "green",
    "FAILED": "red",
    "FAILURE": "red",
    "PENDING": "yellow",
    "PENDING_REGISTRATION": "yellow",
    "PENDING_DEREGISTRATION": "yellow",
    "UNREGISTERED": "yellow",
}
_EVENT_KIND_LABEL = {"brand": "brand", "campaign": "campaign", "phone_number": "number"}
_NUMBER_WORDS = {
    "PENDING_REGISTRATION": "registration pending",
    "REGISTERED": "registered",
    "PENDING_DEREGISTRATION": "deregistration pending",
    "UNREGISTERED": "deregistered (unregistered)",
}
_OUTCOME_NOTE = {
    "replay": "  [already recorded: nothing changed]",
    "stale": "  [older than the last event recorded: status kept]",
}


def _event_errors(event: DecodedEvent) -> list[str]:
    parts = []
    for error in event.errors:
        fields = ", ".join(error.get("fields") or [])
        text = f"{error.get('error_code')} {error.get('description') or ''}".strip()
        parts.append(f"{text} ({fields})" if fields else text)
    if event.failure_reason:
        parts.append(event.failure_reason)
    return [" ".join(part.split()) for part in parts]


def event_summary(event: DecodedEvent, *, with_errors: bool = True) -> str:
    """What the event says, in words: "registered, identity verified"."""
    status = event.status
    errors = "; ".join(_event_errors(event)) if with_errors else ""
    if event.kind == "brand" and status == "APPROVED":
        identity = (event.identity_status or "unknown").lower()
        text = f"registered, identity {identity}"
    elif event.kind == "brand" and status == "FAILED":
        text = "registration failed"
    elif event.kind == "campaign" and status == "PENDING":
        text = "submitted, in review"
    elif event.kind == "campaign" and status == "VERIFIED":
        text = "approved" + (f", campaign ID {event.campaign_id}" if event.campaign_id else "")
    elif event.kind == "campaign" and status == "FAILED":
        text = "failed or rejected"
    elif event.kind == "phone_number" and status == "FAILURE":
        text = event.short_type.split(".")[0].replace("-", " ") + " failed"
    elif event.kind == "phone_number" and status in _NUMBER_WORDS:
        text = _NUMBER_WORDS[status]
    else:
        text = event.event_status or event.short_type
    if event.kind == "phone_number" and event.phone_number:
        text = f"{event.phone_number} {text}"
    return f"{text}: {errors}" if errors else text


def event_line(event: DecodedEvent, outcome: str | None = None) -> str:
    """One line per event: "2026-… brand BN… (jane-doe-pottery): registered, identity verified"."""
    kind = _EVENT_KIND_LABEL.get(event.kind, "event")
    what = f"{kind} {event.sid}" if event.sid else f"{kind} {event.type}"
    owner = event.registration or "no registration in this state store"
    return f"{event.time or '-'} {what} ({owner}): {event_summary(event)}" + _OUTCOME_NOTE.get(
        outcome or "", ""
    )


def event_document(event: DecodedEvent, outcome: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": event.id,
        "type": event.type,
        "short_type": event.short_type,
        "time": event.time,
        "registration": event.registration,
        "kind": event.kind,
        "sid": event.sid,
        "status": event.status,
        "event_status": event.event_status,
        "identity_status": event.identity_status,
        "errors": [dict(error) for error in event.errors],
        "failure_reason": event.failure_reason,
        "account_sid": event.account,
        "brand_sid": event.brand_sid,
        "messaging_service_sid": event.messaging_service_sid,
        "campaign_sid": event.campaign_sid,
        "campaign_id": event.campaign_id,
        "brand_id": event.brand_id,
        "phone_number": event.phone_number,
        "schema_version": event.schema_version,
        "summary": event_summary(event),
        "notes": list(event.notes),
        "data": event.data,
    }
    if outcome is not None:
        doc["outcome"] = outcome
    return doc


def events_document(events: list[DecodedEvent], problems: list[str]) -> dict[str, Any]:
    """`events decode --json`: {"events": [...], "problems": [...]}."""
    return {"events": [event_document(e) for e in events], "problems": list(problems)}


def render_events(
    events: list[DecodedEvent], problems: list[str], out: Console, err: Console
) -> None:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("time", no_wrap=True)
    table.add_column("resource", overflow="fold")
    table.add_column("registration", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("what happened", min_width=24)
    for event in events:
        kind = _EVENT_KIND_LABEL.get(event.kind, "event")
        table.add_row(
            event.time or "-",
            f"{kind} {event.sid or event.type}",
            event.registration or "-",
            event.status or "-",
            event_summary(event, with_errors=False),
            style=_EVENT_STYLE.get(event.status or "", ""),
        )
    out.print(table)
    for event in events:  # error details are too long for a table cell
        for line in _event_errors(event):
            out.print(f"{event.sid}: {line}", markup=False)
    for problem in problems:
        err.print(f"malformed: {problem}", markup=False, style="red")


class EventLog:
    """`events serve` output: one line per event on stdout (JSON Lines with --json),
    rejected requests and malformed events on stderr."""

    def __init__(self, out: Console, err: Console, *, json_lines: bool = False) -> None:
        self._out = out
        self._err = err
        self._json = json_lines

    def serving(self, local_url: str, public_url: str) -> None:
        self._err.print(
            f"listening on {local_url} for deliveries to {public_url} (Ctrl-C to stop)",
            markup=False,
        )

    def event(self, received: ReceivedEvent) -> None:
        if self._json:
            document = event_document(received.event, received.outcome)
            sys.stdout.write(json.dumps(document, default=str) + "\n")
            sys.stdout.flush()
            return
        status = received.event.status or ""
        style = "dim" if received.outcome == "replay" else _EVENT_STYLE.get(status, "")
        self._out.print(event_line(received.event, received.outcome), markup=False, style=style)

    def problem(self, line: str) -> None:
        self._err.print(line, markup=False, style="red")


def setup_document(result: SetupResult) -> dict[str, Any]:
    return {
        "account_sid": result.account_sid,
        "sink": {
            "sid": result.sink_sid,
            "created": result.sink_created,
            "destination": result.url,
            "method": result.method,
            "batch_events": result.batch_events,
            "status": result.sink_status,
        },
        "subscription": {
            "sid": result.subscription_sid,
            "created": result.subscription_created,
            "types": [{"type": t, "schema_version": v} for t, v in result.types.items()],
            "types_added": list(result.types_added),
        },
        "warnings": list(result.warnings),
    }


def render_setup_warnings(result: SetupResult, err: Console) -> None:
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False, style="yellow")


def render_setup(result: SetupResult, out: Console) -> None:
    delivery = "batches" if result.batch_events else "single events"
    sink_verb = "created" if result.sink_created else "reused"
    out.print(
        f"sink {result.sink_sid} {sink_verb}: {result.method} {result.url} ({delivery})",
        markup=False,
    )
    count = len(result.types)
    if result.subscription_created:
        detail = f"{count} A2P event types subscribed"
    elif result.types_added:
        detail = f"added {len(result.types_added)} missing of {count} A2P event types"
    else:
        detail = f"all {count} A2P event types already subscribed"
    sub_verb = "created" if result.subscription_created else "reused"
    out.print(f"subscription {result.subscription_sid} {sub_verb}: {detail}", markup=False)
    out.print(f"account {result.account_sid}", markup=False, style="dim")
