"""Rendering only, for the bulk commands: `import`, `export`, `init` (files in and
out), `deregister` and `brand 2fa resend`. Core modules return typed results;
these functions draw them as lines for people or one JSON document for scripts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from a2pctl.engine.offboard import Change, Offboarding
    from a2pctl.spec.customer import Problem
    from a2pctl.spec.table import CellProblem, Table
    from a2pctl.status.twofa import TwoFaResult


def _line(out: Console, text: str, style: str | None = None) -> None:
    from rich.text import Text

    out.print(Text(text, style=style or ""))


# --- import / export --------------------------------------------------------------------


def import_document(table: Table, written: Mapping[int, Path]) -> dict[str, Any]:
    """`import --json`: {"source", "written", "problems", "rows": [{row, name, valid,
    file, errors, warnings}]}; `written` maps a row's number to the file written."""
    rows = []
    for row in table.rows:
        target = written.get(row.number)
        rows.append(
            {
                "row": row.number,
                "name": row.customer.name if row.customer else row.data.get("name"),
                "valid": row.valid,
                "file": str(target) if target else None,
                "errors": [_cell_json(p) for p in row.errors],
                "warnings": [_cell_json(p) for p in row.warnings],
            }
        )
    return {
        "source": table.source,
        "written": [str(path) for path in written.values()],
        "problems": [_cell_json(p) for p in table.problems],
        "rows": rows,
    }


def _cell_json(problem: CellProblem) -> dict[str, Any]:
    return {"row": problem.row, "column": problem.column or None, "message": problem.message}


def render_import(
    table: Table, written: Mapping[int, Path], keep_valid: bool, out: Console, err: Console
) -> None:
    """Each problem as `CSV:ROW:column: reason`, warnings marked, each file written."""
    for problem in table.problems:
        _line(out, str(problem))
    for row in table.rows:
        for problem in row.errors:
            _line(out, str(problem))
        for problem in row.warnings:
            _line(
                out, f"{problem.source}:{problem.row}:{problem.column}: warning: {problem.message}"
            )
    for number, path in written.items():
        _line(out, f"wrote {path} (row {number})")
    invalid = sum(1 for row in table.rows if not row.valid)
    total = len(table.rows)
    if table.problems or invalid:
        if written:
            tail = f"{len(written)} written, {invalid} invalid not written"
        elif keep_valid:
            tail = f"nothing written ({invalid} invalid)"
        else:
            tail = "nothing written: fix the cells above (--keep-valid writes the valid rows)"
    else:
        tail = f"{len(written)} written"
    _line(err, f"{total} row{'s' if total != 1 else ''}: {tail}")


def render_export_problems(problems: Sequence[Problem], err: Console) -> None:
    for problem in problems:
        _line(err, str(problem))
    _line(err, "nothing exported: fix the files above (`a2pctl validate FILE...`)")


# --- init ----------------------------------------------------------------------------------


def render_init(path: Path, warnings: Sequence[Problem], out: Console) -> None:
    for problem in warnings:
        where = f"{problem.file}:{problem.line}:" if problem.line else f"{problem.file}:"
        _line(out, f"{where} {problem.field}: warning: {problem.message}")
    _line(out, f"wrote {path}: valid")
    _line(out, f"next: a2pctl plan {path}   then: a2pctl register {path}")


def render_answer_problems(source: str, problems: Sequence[tuple[str, str]], out: Console) -> None:
    for field, message in problems:
        _line(out, f"{source}: {field}: {message}" if field else f"{source}: {message}")


# --- brand 2fa resend --------------------------------------------------------------------


def _when(epoch: float | None) -> str | None:
    import time

    return None if epoch is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def twofa_document(results: Sequence[TwoFaResult]) -> dict[str, Any]:
    """`brand 2fa resend --json`: {"two_factor": [{ref, brand, registration, sent, ...}]}."""
    return {
        "two_factor": [
            {
                "ref": r.ref,
                "brand": r.brand_sid,
                "registration": r.registration,
                "sent": r.sent,
                "sent_at": _when(r.sent_at),
                "brand_contact_email": r.contact,
                "previous_sent_at": _when(r.previous_sent_at),
                "error": None
                if r.error is None
                else {
                    "code": r.error.code,
                    "message": r.error.message,
                    "hint": r.error.hint,
                    "field": r.error.field,
                },
            }
            for r in results
        ]
    }


def render_twofa(results: Sequence[TwoFaResult], out: Console, err: Console) -> None:
    for r in results:
        who = r.brand_sid or r.ref
        if r.registration:
            who += f" ({r.registration})"
        if r.error is not None:
            code = f" [{r.error.code}]" if r.error.code is not None else ""
            _line(err, f"refused: {r.error.message}{code}", "bold red")
            if r.error.hint:
                _line(err, f"hint: {r.error.hint}")
            continue
        to = f" to {r.contact}" if r.contact else " to the brand contact"
        before = (
            f" The previous one a2pctl sent went out {_when(r.previous_sent_at)}."
            if r.previous_sent_at is not None
            else ""
        )
        _line(
            out,
            f"2FA e-mail sent for {who}{to} at {_when(r.sent_at)}: the brand contact has 7 days "
            f"to confirm it; `a2pctl status` shows the brand verified once they have.{before}",
        )


# --- deregister ------------------------------------------------------------------------------

_SYMBOLS = {"todo": "-", "done": "✓", "kept": "="}
_VERBS = {
    "remove_number": "remove",
    "delete_campaign": "delete",
    "delete_bundle": "delete",
    "keep": "keep",
}


def offboarding_document(plans: Sequence[Offboarding]) -> dict[str, Any]:
    """`deregister --json`: {"deregistrations": [{name, account, outcome, changes, errors}]}."""
    return {
        "deregistrations": [
            {
                "name": plan.name,
                "account": plan.account,
                "outcome": plan.outcome,
                "changes": [
                    {
                        "action": change.kind,
                        "target": change.what,
                        "sid": change.sid,
                        "state": change.state,
                        "note": change.note,
                    }
                    for change in plan.changes
                ],
                "errors": plan.errors,
            }
            for plan in plans
        ]
    }


def render_offboarding(plans: Sequence[Offboarding], out: Console) -> None:
    """Each registration's changes: `-` to do, `✓` done, `=` kept (with why)."""
    for plan in plans:
        head = f"deregister {plan.name} (account {plan.account})"
        if plan.outcome == "deregistered":
            head = f"deregistered {plan.name} (account {plan.account})"
        elif plan.outcome == "failed":
            head = f"failed to deregister {plan.name} (account {plan.account})"
        elif plan.already and not plan.todo:
            head += ": already taken off"
        _line(out, head + ":", "bold")
        for change in plan.changes:
            verb = _VERBS[change.kind] if change.state != "done" else "done:"
            note = f" — {change.note}" if change.note else ""
            style = {"todo": "yellow", "done": "green"}.get(change.state)
            _line(out, f"  {_SYMBOLS[change.state]} {verb} {change.what}{note}", style)
        for error in plan.errors:
            _line(out, f"  error: {error.get('message')}", "bold red")


def render_change(change: Change, err: Console) -> None:
    _line(err, f"✓ {_VERBS[change.kind]} {change.what}")


def render_offboarding_outcomes(plans: Sequence[Offboarding], out: Console) -> None:
    """After the run: one line per registration (the changes were shown before)."""
    for plan in plans:
        done = sum(1 for c in plan.changes if c.state == "done")
        kept = sum(1 for c in plan.changes if c.state == "kept")
        if plan.outcome == "failed":
            message = "; ".join(str(e.get("message")) for e in plan.errors)
            _line(out, f"failed: {plan.name}: {message}", "bold red")
            _line(out, "  what was done is recorded: re-run the same command to finish the rest")
            continue
        _line(out, f"deregistered {plan.name}: {done} done, {kept} kept", "green")
