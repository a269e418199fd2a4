"""Rendering only: Rich tables and lines for people, JSON documents for scripts.

No business logic here: core modules return typed results, these functions
draw them. `--json` output is exactly one document on stdout. Here: `validate`,
`register` and `plan`; `report/status.py` and `report/events.py` draw the others.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, get_args

if TYPE_CHECKING:
    from rich.console import Console

    from a2pctl.spec.customer import FileCheck, Problem


def _x(text: str) -> str:
    """Data (paths, names, Twilio's messages) inside markup: never read as markup."""
    from rich.markup import escape

    return escape(text)


def print_json(document: Any) -> None:
    """Print one JSON document on stdout, nothing else."""
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


def json_line(document: Any) -> str:
    """One JSON document on one line (JSON lines, for `--watch --json`)."""
    return json.dumps(document, default=str) + "\n"


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
    "submitted": "green",
    "pending": "yellow",
    "failed": "red",
    "invalid": "red",
}
# The reconciler's fix kinds (what `plan` lists before the steps), each with a mark.
_FIX_MARK = {
    "recreate_campaign": "-/+",
    "finish_campaign_delete": "-",
    "new_brand": "+",
    "hold": "!",
    "stop": "✗",
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
    actions = getattr(item, "actions", None)
    if actions is not None:
        doc["actions"] = [
            {"kind": a.kind, "target": a.target, "title": a.title, "fee": a.fee} for a in actions
        ]
    steps = getattr(item, "steps", None)
    if steps is not None:
        doc["steps"] = [
            {"name": s.name, "title": s.title, "state": s.state, "sid": s.sid, "note": s.note}
            for s in steps
        ]
    return doc


def registrations_document(items: list[Any]) -> dict[str, Any]:
    """docs/contract.md §1: `{"registrations": [...]}` for register and plan."""
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
        if item.outcome == "submitted":
            out.print(
                f"  the campaign is in review: `a2pctl status {item.name}` shows it; "
                f"`a2pctl register --wait --until verified {item.file}` waits for it",
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
    if len(outcomes) > 1:  # a batch ends with its counts, the worst first
        out.print(counts_line(outcomes))


_WORST_FIRST = ("failed", "invalid", "pending", "submitted", "complete")


def counts_line(outcomes: list[Any]) -> str:
    """`5 registrations: 1 failed, 2 pending, 2 complete.`"""
    counts = {kind: sum(o.outcome == kind for o in outcomes) for kind in _WORST_FIRST}
    parts = [
        f"[{_OUTCOME_STYLE[kind]}]{count} {kind}[/]" for kind, count in counts.items() if count
    ]
    return f"{len(outcomes)} registrations: {', '.join(parts)}."


def render_plans(plans: list[Any], out: Console, err: Console) -> None:
    # Imported here: `validate` prints through this module and must not load the engine.
    from a2pctl.engine.reconcile import FixKind

    fix_kinds = frozenset(get_args(FixKind))
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
        fixes = [a for a in getattr(item, "actions", []) if a.kind in fix_kinds]
        if fixes:
            out.print("  register would first:")
        for action in fixes:
            fee = " [yellow](fee)[/]" if action.fee else ""
            out.print(f"    {_FIX_MARK.get(action.kind, '~')} {_x(action.title)}{fee}")
        _errors(item, err)
