"""Rendering of `status`, `otp resend` and `numbers report`: Rich tables and lines for
people, JSON documents for scripts (docs/contract.md §1). No business logic: the results
and their remediation come from the `status` package (live, otp, numbers) and
`remediation/catalogue.py`.

Twilio's texts (descriptions, failure reasons) are printed as plain `Text`, never as
Rich markup: "[address_sids] - Invalid Street" must not be read as a style tag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from a2pctl.remediation import catalogue as rem

if TYPE_CHECKING:
    from rich.console import Console

    from a2pctl.status.items import Item, Row, StatusReport
    from a2pctl.status.numbers import NumbersReport
    from a2pctl.status.otp import OtpResult

STYLE = {rem.OK: "green", rem.PENDING: "yellow", rem.FAILED: "red"}
_COLUMNS = (
    ("profile", "customer_profile"),
    ("bundle", "trust_product"),
    ("brand", "brand"),
    ("campaign", "campaign"),
    ("numbers", "phone_number"),
)
_ERROR_KINDS = frozenset({"customer_profile", "trust_product", "brand", "campaign"})


def _when(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# --- status -------------------------------------------------------------------------------


def status_document(report: StatusReport) -> dict[str, Any]:
    """`{"items": [...], "summary": {...}, ...}`: one object per resource (docs/contract.md §1)."""
    return {
        "items": [item_document(item) for item in report.items],
        "summary": summary_document(report),
        "checked_at": _when(report.checked_at),
        "offline": report.offline,
    }


def item_document(item: Item) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "registration": item.registration,
        "account": item.account,
        "kind": item.kind,
        "sid": item.sid,
        "status": item.status,
        "severity": item.severity,
        "updated_at": _when(item.seen_at),
        "stale": item.stale,
    }
    if item.kind == "brand":
        doc["identity_status"] = item.identity_status
        doc["failure_reason"] = item.failure_reason
    elif item.failure_reason is not None:
        doc["failure_reason"] = item.failure_reason
    doc.update(item.extra)
    if item.kind in _ERROR_KINDS:
        doc["errors"] = [
            {
                "code": p.code,
                "description": p.description,
                "field": p.field,
                "twilio_fields": list(p.twilio_fields),
            }
            for p in item.errors
        ]
    # The documented explanation and next step, for pending and failed states.
    doc["remediation"] = None if item.severity == rem.OK else item.remediation.as_dict()
    return doc


def _status_text(item: Item) -> str:
    if item.sid is None and item.status is None:
        return "not created"
    text = item.status or ("unknown" if item.kind == "phone_number" else "—")
    if item.kind == "brand" and item.identity_status:
        text += f" / {item.identity_status}"
    return text


def _cell(items: list[Item], kind: str) -> Any:
    from rich.text import Text

    if not items:
        return Text("—", style="dim")
    if kind == "phone_number" and len(items) > 1:
        counts = Counter(_status_text(i) for i in items)
        label = ", ".join(f"{n} {status}" for status, n in counts.items())
        return Text(label, style=STYLE[rem.worst(i.severity for i in items)])
    parts = [Text(_status_text(i), style=STYLE[i.severity]) for i in items]
    return Text(", ").join(parts)


def render_status(report: StatusReport, console: Console, *, details: bool | None = None) -> None:
    """The table (fitted to the console's width: columns dropped by priority, cells cut with
    an ellipsis, never folded), then each problem in full (`details`; None: for up to
    DETAIL_ROWS rows), then the summary."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    soft = console.width >= _WIDE  # narrower: long texts wrap between words (SIDs whole)
    if report.offline:
        console.print(Text(report.offline, style="bold yellow"), soft_wrap=soft)
    if not report.rows:
        console.print(
            "No registrations in the state store: run `a2pctl register FILE` first.",
            soft_wrap=soft,
        )
        return
    width = console.width  # columns by priority: the resources' own ones only when they fit
    columns = _COLUMNS if width >= _WIDE else _COLUMNS[2:] if width >= _MEDIUM else ()
    titles = ["registration", *(t for t, _ in columns), *([] if columns else ["state"])]
    titles += ["age", "next action"]
    lines = []
    for row in report.rows:
        label = row.name or (row.items[0].sid if row.items else None) or "—"
        cells = [_cell(row.of(kind), kind) for _, kind in columns] or [_state(row)]
        step = row.next_step
        action = step.remediation.action if step else None
        if action:
            action = _first_sentence(action)  # the whole text follows the table
        if step and action and step.remediation.field:
            action = f"{step.remediation.field}: {action}"
        next_cell = Text(action or "—", style=STYLE[row.severity] if action else "dim")
        lines.append([Text(label, style="bold"), *cells, _age(row, report.checked_at), next_cell])
    natural = [max([len(t), *(len(line[i].plain) for line in lines)]) for i, t in enumerate(titles)]
    table = Table(
        box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False, padding=(0, 1)
    )
    for title, size in zip(titles, _fit(natural, width - 3 * (len(titles) - 1)), strict=True):
        table.add_column(title, no_wrap=True, overflow="ellipsis", width=size)
    for line in lines:
        table.add_row(*line)
    console.print(table, soft_wrap=soft)
    if details if details is not None else len(report.rows) <= DETAIL_ROWS:
        for row in report.rows:
            _render_details(row, console)
    else:
        console.print(
            Text("Details: `a2pctl status NAME`, or -v for every row.", style="dim"),
            soft_wrap=soft,
        )
    console.print(Text(summary_line(report), style="dim"), soft_wrap=soft)


DETAIL_ROWS = 10  # more rows than this: the details only with -v or `status NAME`
_WIDE = 140  # from this width on, the profile and bundle columns are shown too
_MEDIUM = 110  # from this one, brand, campaign and numbers; below, one state column


def _fit(widths: list[int], room: int) -> list[int]:
    """Column widths within `room`: the last column (next action) gives way first, down to
    10, then the widest of the others, one character at a time (down to 4)."""
    widths = list(widths)
    while sum(widths) > room:
        if widths[-1] > 10:
            widths[-1] = max(10, room - sum(widths[:-1]))
            continue
        widest = max(range(len(widths) - 1), key=lambda i: widths[i])
        if widths[widest] <= 4:
            break
        widths[widest] -= 1
    return widths


def _state(row: Row) -> Any:
    """The row's outcome and what it waits on (`pending: campaign`), for narrow terminals."""
    from rich.text import Text

    word = dict(_SUMMARY)[row.severity]
    step = row.next_step
    text = f"{word}: {step.kind.replace('_', ' ')}" if step else word
    return Text(text, style=STYLE[row.severity])


def summary_line(report: StatusReport) -> str:
    counts = Counter(row.severity for row in report.rows)
    summary = ", ".join(f"{counts[s]} {word}" for s, word in _SUMMARY if counts[s])
    stale = sum(1 for row in report.rows if any(i.stale for i in row.items))
    more = f", {stale} stale" if stale else ""
    return f"Checked {_when(report.checked_at)}: {summary}{more}."


def summary_document(report: StatusReport) -> dict[str, int]:
    counts = Counter(row.severity for row in report.rows)
    return {word: counts[s] for s, word in _SUMMARY}


def _age(row: Row, now: float) -> Any:
    """How old the oldest state of the row is (`5m`, `2h`, `3d`); `stale` when Twilio could
    not be asked."""
    from rich.text import Text

    seen = [i.seen_at for i in row.items if i.seen_at is not None]
    if not seen:
        return Text("—", style="dim")
    text = age_label(now - min(seen))
    stale = any(i.stale for i in row.items)
    return Text(f"{text} stale" if stale else text, style="yellow" if stale else "dim")


def age_label(seconds: float) -> str:
    """An age in its largest whole unit: `45s`, `5m`, `2h`, `3d`."""
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def status_rows_csv(report: StatusReport) -> str:
    """One CSV line per resource (the JSON document's main fields)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_FIELDS)
    for item in report.items:
        doc = item_document(item)
        remedy = doc.get("remediation") or {}
        doc["next_action"] = remedy.get("action")
        writer.writerow(["" if doc.get(f) is None else doc.get(f) for f in _CSV_FIELDS])
    return out.getvalue()


_CSV_FIELDS = (
    "registration", "account", "kind", "sid", "status", "severity", "updated_at", "stale",
    "next_action",
)  # fmt: skip


_SUMMARY = ((rem.FAILED, "failed"), (rem.PENDING, "pending"), (rem.OK, "complete"))


def _first_sentence(text: str) -> str:
    for stop in (". ", "; "):
        head, found, _ = text.partition(stop)
        if found:
            return head + ("." if stop == ". " else "")
    return text


def _render_details(row: Row, console: Console) -> None:
    from rich.text import Text

    soft = console.width >= _WIDE
    for item in row.items:
        if item.severity == rem.OK or item.remediation is rem.NOT_CREATED:
            continue
        style = STYLE[item.severity]
        head = Text.assemble(
            (f"{row.name or '(not in the state store)'} ", "bold"),
            f"{item.kind.replace('_', ' ')} ",
            (item.sid or "", "dim"),
            (f" {_status_text(item)}", style),
        )
        console.print(head, soft_wrap=soft)
        console.print(Text(f"  {item.remediation.explanation}"), soft_wrap=soft)
        if _shows_reason(item):
            console.print(Text(f"  reason: {item.failure_reason}"), soft_wrap=soft)
        fields = set()
        for problem in item.errors:
            code = f"error {problem.code}: " if problem.code is not None else ""
            where = f" → {problem.field}" if problem.field else ""
            console.print(
                Text(f"  {code}{problem.description}{where}", style=style), soft_wrap=soft
            )
            fields.add(problem.field)
        if item.remediation.field and item.remediation.field not in fields:
            console.print(Text(f"  field: {item.remediation.field}"), soft_wrap=soft)
        if item.remediation.action:
            console.print(
                Text.assemble(("  next: ", "bold"), item.remediation.action), soft_wrap=soft
            )


def _shows_reason(item: Item) -> bool:
    """Twilio's failure_reason, unless the explanation already quotes it or (a brand's
    deprecated field) errors[] says it better."""
    reason = item.failure_reason
    if not reason or reason in item.remediation.explanation:
        return False
    return item.kind != "brand" or not item.errors


# --- otp resend ---------------------------------------------------------------------------


def otp_document(results: Sequence[OtpResult]) -> dict[str, Any]:
    return {
        "otp": [
            {
                "ref": r.ref,
                "brand": r.brand_sid,
                "registration": r.registration,
                "sent": r.sent,
                "sent_at": _when(r.sent_at),
                "valid_until": _when(r.valid_until),
                "previous_sent_at": _when(r.previous_sent_at),
                "error": None
                if r.error is None
                else {"code": r.error.code, "message": r.error.message, "hint": r.error.hint},
            }
            for r in results
        ]
    }


def render_otp(results: Sequence[OtpResult], console: Console, errors: Console) -> None:
    from rich.text import Text

    for r in results:
        who = r.brand_sid or r.ref
        if r.registration:
            who += f" ({r.registration})"
        if r.error is not None:
            where = f" ({r.registration})" if r.registration else ""
            errors.print(Text.assemble((f"refused{where}: ", "bold red"), r.error.message))
            if r.error.hint:
                errors.print(Text.assemble(("hint: ", "bold"), r.error.hint))
            continue
        before = (
            f"The previous OTP a2pctl sent went out {_when(r.previous_sent_at)}."
            if r.previous_sent_at is not None
            else "The first OTP was sent automatically when the brand was approved."
        )
        console.print(
            Text.assemble(
                ("OTP sent ", "green"),
                f"for {who} at {_when(r.sent_at)}; valid {rem.OTP_VALID_HOURS} hours, until "
                f"{_when(r.valid_until)}. {before} The customer replies YES to the SMS from "
                f"{rem.OTP_SENDER}.",
            )
        )


# --- numbers report -------------------------------------------------------------------------


def numbers_document(report: NumbersReport) -> dict[str, Any]:
    return {
        "file": report.source,
        "numbers": [
            {
                "phone_number": r.phone_number,
                "status": r.status,
                "campaign_sid": r.campaign_sid,
                "messaging_service_sid": r.messaging_service_sid,
                "line": r.line,
                "severity": r.remediation.severity,
                "remediation": r.remediation.as_dict(),
            }
            for r in report.rows
        ],
        "summary": dict(Counter(r.status for r in report.rows)),
        "problems": [{"line": p.line, "message": p.message} for p in report.problems],
    }


def render_numbers(report: NumbersReport, console: Console) -> None:
    from rich.table import Table
    from rich.text import Text

    for problem in report.problems:  # first: what the user must fix
        console.print(Text(f"{report.source}:{problem.line}: {problem.message}", style="red"))
    if not report.rows:
        console.print(f"{report.source}: the report lists no numbers.")
        return
    for status, rows in report.groups():
        remedies = list(dict.fromkeys(r.remediation for r in rows))
        severity = rem.worst(r.severity for r in remedies)
        console.print(Text(f"{status} ({len(rows)})", style=f"bold {STYLE[severity]}"))
        for remedy in remedies:
            console.print(Text(f"  {remedy.explanation}"))
            if remedy.action:
                console.print(Text.assemble(("  next: ", "bold"), remedy.action))
            table = Table(show_header=True, header_style="dim", box=None, padding=(0, 2))
            for title in ("number", "campaign", "messaging service", "line"):
                table.add_column(title)
            for r in rows:
                if r.remediation == remedy:
                    table.add_row(
                        r.phone_number,
                        r.campaign_sid or "—",
                        r.messaging_service_sid or "—",
                        str(r.line),
                    )
            console.print(table)
    counts = Counter(r.status for r in report.rows)
    summary = ", ".join(f"{n} {s}" for s, n in counts.most_common())
    console.print(Text(f"{len(report.rows)} numbers: {summary}.", style="dim"))
    if report.problems:
        console.print(Text(f"{len(report.problems)} lines not understood (above).", style="red"))
