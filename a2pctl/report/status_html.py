"""The HTML report of `a2pctl status --format html` (docs/contract.md §1): one
self-contained page to share with support or with a customer.

Built from the JSON status document (`status.status_document`), so its numbers and
SIDs are those of `--format json`: a title with when it was checked, the summary
counts, an overview of the registrations, then one section per registration with each
resource (kind, SID in full, status, age, the documented next action, the reasons and
fields of a rejection). The CSS is inline; there is no script, font or link to load,
and a Content-Security-Policy says so to the browser. Every value is escaped: Twilio's
texts and customer data may hold `<`, `&` and quotes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from a2pctl.remediation import catalogue as rem
from a2pctl.report.status import age_label, status_document

if TYPE_CHECKING:
    from a2pctl.status.items import Item, Row, StatusReport

TITLE = "A2P 10DLC registration status"
OUTCOMES = ((rem.FAILED, "failed"), (rem.PENDING, "pending"), (rem.OK, "complete"))
_OUTCOME = dict(OUTCOMES)
_KIND = {
    "customer_profile": "customer profile",
    "trust_product": "A2P trust bundle",
    "brand": "brand",
    "messaging_service": "messaging service",
    "campaign": "campaign",
    "phone_number": "phone number",
}
# Facts of the JSON item worth showing beside the status (`extra`), with their labels.
_FACTS = (
    ("phone_number", "number"),
    ("brand_type", "type"),
    ("tcr_id", "TCR ID"),
    ("campaign_id", "TCR campaign"),
    ("us_app_to_person_usecase", "use case"),
    ("evaluation", "evaluation"),
)
_TICKS = re.compile(r"`([^`<>]+)`")  # on escaped text: no tag can be inside
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"
_STYLE = """
:root { color-scheme: light; --failed: #b42318; --pending: #9a6700; --ok: #1a7f37;
  --line: #d0d7de; --muted: #57606a; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; color: #1f2328; margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 0; }
header p, .muted { color: var(--muted); margin: 0; }
code, .sid { font: .9em/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.sid { user-select: all; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left;
  vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.count { font-variant-numeric: tabular-nums; text-align: right; width: 6rem; }
.badge { border-radius: 1em; color: #fff; display: inline-block; font-size: .8rem;
  font-weight: 600; padding: 0 .6em; vertical-align: middle; }
.badge.failed { background: var(--failed); } .badge.pending { background: var(--pending); }
.badge.ok { background: var(--ok); }
.failed .state { color: var(--failed); font-weight: 600; }
.pending .state { color: var(--pending); font-weight: 600; }
.ok .state { color: var(--ok); }
.stale { color: var(--pending); font-weight: 600; }
.offline { background: #fff8c5; border: 1px solid #d4a72c; padding: .5rem .75rem; }
section.registration { border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0;
  padding: .75rem 1rem 0; }
section.registration.failed { border-left: 6px solid var(--failed); }
section.registration.pending { border-left: 6px solid var(--pending); }
section.registration.ok { border-left: 6px solid var(--ok); }
ul.problems { margin: .25rem 0; padding-left: 1.2rem; }
p.detail { margin: .15rem 0; }
footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .85rem;
  margin-top: 2rem; padding-top: .5rem; }
@media print { body { max-width: none; padding: 0; } section.registration {
  break-inside: avoid; } }
"""


def e(value: Any) -> str:
    """`value` as HTML text or attribute value: `<`, `>`, `&` and both quotes escaped."""
    return escape("" if value is None else str(value), quote=True)


def prose(text: str) -> str:
    """A documented explanation or action, escaped, its `commands` set as code."""
    return _TICKS.sub(r"<code>\1</code>", e(text))


def status_page(report: StatusReport) -> str:
    """The whole page, from the same document as `status --format json`."""
    document = status_document(report)
    checked = document["checked_at"]
    docs = iter(document["items"])
    rows = [(row, [next(docs) for _ in row.items]) for row in report.rows]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(_CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="a2pctl status --format html">',
        f"<title>{e(TITLE)}, checked {e(checked)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{e(TITLE)}</h1>",
        f'<p>Checked <time id="checked-at">{e(checked)}</time>.</p>',
        "</header>",
    ]
    if document["offline"]:
        parts.append(
            f'<p class="offline" id="offline"><strong>Offline.</strong> {e(document["offline"])} '
            'States marked <span class="stale">stale</span> may be out of date.</p>'
        )
    parts += _summary(document["summary"], document["items"], report)
    if not rows:
        parts.append("<p>No registrations to show.</p>")
    else:
        parts += _overview(rows)
        for number, (row, items) in enumerate(rows, 1):
            parts += _registration(number, row, items, report.checked_at)
    parts += [
        "<footer>Made by <code>a2pctl status --format html</code>. The same data as "
        "<code>a2pctl status --format json</code>; each next action is the documented "
        "one for the resource's state.</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def _summary(
    summary: Mapping[str, int], items: list[dict[str, Any]], report: StatusReport
) -> list[str]:
    """The registrations by outcome (the JSON summary), the resources by severity, stale rows."""
    severities = Counter(item["severity"] for item in items)
    stale = sum(1 for row in report.rows if any(i.stale for i in row.items))
    lines = [
        '<section class="summary" id="summary">',
        "<h2>Summary</h2>",
        "<table>",
        "<thead><tr><th>Registrations</th><th>count</th></tr></thead>",
        "<tbody>",
    ]
    for severity, word in OUTCOMES:
        lines.append(
            f'<tr class="{severity}"><td class="state">{word}</td>'
            f'<td class="count" data-outcome="{word}">{summary[word]}</td></tr>'
        )
    lines.append(
        f'<tr><td>total</td><td class="count" data-outcome="total">{len(report.rows)}</td></tr>'
    )
    if stale:
        lines.append(
            '<tr><td class="stale">with stale states</td>'
            f'<td class="count" data-outcome="stale">{stale}</td></tr>'
        )
    lines += [
        "</tbody>",
        "</table>",
        "<table>",
        "<thead><tr><th>Resources</th><th>count</th></tr></thead>",
        "<tbody>",
    ]
    for severity, _ in OUTCOMES:
        lines.append(
            f'<tr class="{severity}"><td class="state">{severity}</td>'
            f'<td class="count" data-severity="{severity}">{severities[severity]}</td></tr>'
        )
    lines += ["</tbody>", "</table>", "</section>"]
    return lines


def _overview(rows: list[tuple[Row, list[dict[str, Any]]]]) -> list[str]:
    """One line per registration: its outcome and next action, linked to its section."""
    lines = [
        '<section class="overview" id="overview">',
        "<h2>Registrations</h2>",
        "<table>",
        "<thead><tr><th>registration</th><th>account</th><th>outcome</th>"
        "<th>next action</th></tr></thead>",
        "<tbody>",
    ]
    for number, (row, _) in enumerate(rows, 1):
        step = row.next_step
        action = step.remediation.action if step else None
        lines.append(
            f'<tr class="{row.severity}"><td><a href="#registration-{number}">'
            f"{e(_label(row))}</a></td>"
            f"<td>{_sid(row.account)}</td>"
            f'<td class="state">{_OUTCOME[row.severity]}</td>'
            f"<td>{_next(step, action)}</td></tr>"
        )
    lines += ["</tbody>", "</table>", "</section>"]
    return lines


def _registration(number: int, row: Row, items: list[dict[str, Any]], now: float) -> list[str]:
    facts = [f"account {_sid(row.account)}" if row.account else None]
    facts.append(f"flow <code>{e(row.flow)}</code>" if row.flow else None)
    lines = [
        f'<section class="registration {row.severity}" id="registration-{number}">',
        f'<h2>{e(_label(row))} <span class="badge {row.severity}">'
        f"{_OUTCOME[row.severity]}</span></h2>",
        f'<p class="muted">{", ".join(f for f in facts if f) or "not in the state store"}</p>',
        "<table>",
        "<thead><tr><th>resource</th><th>SID</th><th>status</th><th>updated</th>"
        "<th>what it means, what to do</th></tr></thead>",
        "<tbody>",
    ]
    for item, doc in zip(row.items, items, strict=True):
        lines.append(
            f'<tr class="{doc["severity"]}"><td>{e(_KIND.get(doc["kind"], doc["kind"]))}'
            f"{_facts(doc)}</td>"
            f"<td>{_sid(doc['sid']) if doc['sid'] else '<em>not created</em>'}</td>"
            f'<td class="state">{_status(doc)}</td>'
            f"<td>{_updated(item, doc, now)}</td>"
            f"<td>{_remedy(doc)}</td></tr>"
        )
    lines += ["</tbody>", "</table>", "</section>"]
    return lines


def _label(row: Row) -> str:
    return row.name or (row.items[0].sid if row.items else None) or "—"


def _sid(sid: str | None) -> str:
    """A SID whole, selected with one click (`user-select: all`)."""
    return f'<code class="sid">{e(sid)}</code>' if sid else "—"


def _next(step: Item | None, action: str | None) -> str:
    if step is None or not action:
        return "—"
    field = step.remediation.field
    where = f"<code>{e(field)}</code>: " if field else ""
    return f"{e(_KIND.get(step.kind, step.kind))}: {where}{prose(action)}"


def _facts(doc: Mapping[str, Any]) -> str:
    shown = [f"{label} {e(doc[key])}" for key, label in _FACTS if doc.get(key) not in (None, "")]
    return f'<br><span class="muted">{"; ".join(shown)}</span>' if shown else ""


def _status(doc: Mapping[str, Any]) -> str:
    if doc["sid"] is None and doc["status"] is None:
        return "not created"
    text = e(doc["status"] or ("unknown" if doc["kind"] == "phone_number" else "—"))
    if doc.get("identity_status"):
        text += f" / {e(doc['identity_status'])}"
    return text


def _updated(item: Item, doc: Mapping[str, Any], now: float) -> str:
    if doc["updated_at"] is None or item.seen_at is None:
        return "—"
    age = age_label(now - item.seen_at)
    stale = ' <span class="stale">stale</span>' if doc["stale"] else ""
    return f'{age} ago{stale}<br><span class="muted">{e(doc["updated_at"])}</span>'


def _remedy(doc: Mapping[str, Any]) -> str:
    """The documented explanation and next step (pending and failed states), Twilio's
    reason and errors with the customer-file field each one concerns."""
    remedy = doc.get("remediation")
    if remedy is None:
        return '<span class="muted">—</span>'
    parts = [f'<p class="detail">{prose(remedy["explanation"])}</p>']
    reason = doc.get("failure_reason")
    if reason and reason not in remedy["explanation"]:
        parts.append(f'<p class="detail">Reason: {e(reason)}</p>')
    errors = list(_errors(doc.get("errors") or []))
    if errors:
        parts.append(f'<ul class="problems">{"".join(errors)}</ul>')
    fields = {error.get("field") for error in doc.get("errors") or []}
    if remedy["field"] and remedy["field"] not in fields:
        parts.append(f'<p class="detail">Field: <code>{e(remedy["field"])}</code></p>')
    if remedy["action"]:
        parts.append(f'<p class="detail"><strong>Next:</strong> {prose(remedy["action"])}</p>')
    return "".join(parts)


def _errors(errors: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    for error in errors:
        code = f"error {e(error['code'])}: " if error.get("code") is not None else ""
        field = f" → <code>{e(error['field'])}</code>" if error.get("field") else ""
        twilio = error.get("twilio_fields") or []
        named = f' <span class="muted">(Twilio: {e(", ".join(twilio))})</span>' if twilio else ""
        yield f"<li>{code}{e(error['description'])}{field}{named}</li>"
