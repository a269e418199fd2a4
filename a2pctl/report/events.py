"""Rendering of Event Streams: decoded events (`events decode`, `events serve`) and the
sink and subscription `events setup` made. Drawing only, as in `report`.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from a2pctl.events.accounts import AccountSetup
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
_EVENT_KIND_LABEL = {
    "brand": "brand",
    "campaign": "campaign",
    "phone_number": "number",
    "sink_test": "sink",
}
_NUMBER_WORDS = {
    "PENDING_REGISTRATION": "registration pending",
    "REGISTERED": "registered",
    "PENDING_DEREGISTRATION": "deregistration pending",
    "UNREGISTERED": "deregistered (unregistered)",
}
_OUTCOME_NOTE = {
    "replay": "  [already recorded: nothing changed]",
    "stale": "  [older than the last event recorded: status kept]",
    "test": "  [kept for `a2pctl events setup`]",
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
    from a2pctl.events.catalog import TYPE_WORDS

    status = event.status
    errors = "; ".join(_event_errors(event)) if with_errors else ""
    if event.short_type in TYPE_WORDS:
        text = TYPE_WORDS[event.short_type]
    elif event.kind == "brand" and status == "APPROVED":
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
            "tested": result.sink_tested,
            "validated": result.sink_validated,
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
    if result.sink_validated:
        sink_verb += ", tested and validated" if result.sink_tested else ", validated"
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


def accounts_document(outcomes: list[AccountSetup]) -> dict[str, Any]:
    """`events setup --all-accounts --json`: one entry per account, set up or not."""
    accounts = []
    for outcome in outcomes:
        entry: dict[str, Any] = {
            "account_sid": outcome.account_sid,
            "registrations": outcome.registrations,
            "exit_code": outcome.exit_code,
        }
        if outcome.result is not None:
            entry.update(setup_document(outcome.result))
        if outcome.error is not None:
            entry["error"] = {"message": outcome.error.message, "hint": outcome.error.hint}
        accounts.append(entry)
    return {"accounts": accounts}


def render_accounts(outcomes: list[AccountSetup], out: Console, err: Console) -> None:
    for outcome in outcomes:
        plural = "s" if outcome.registrations != 1 else ""
        out.print(
            f"account {outcome.account_sid} ({outcome.registrations} registration{plural})",
            markup=False,
            style="bold",
        )
        if outcome.result is not None:
            render_setup(outcome.result, out)
            render_setup_warnings(outcome.result, err)
        if outcome.error is not None:
            err.print(
                f"error: account {outcome.account_sid}: {outcome.error.message}",
                markup=False,
                style="red",
            )
            if outcome.error.hint:
                err.print(f"hint: {outcome.error.hint}", markup=False)
    failed = sum(1 for o in outcomes if o.error is not None)
    out.print(f"{len(outcomes) - failed} of {len(outcomes)} accounts set up", markup=False)
