"""Helpers of `status/live.py`: references, a registration taken off, the catalogue's
placeholders filled in, the filters and the --watch loop. No I/O of their own."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from a2pctl.errors import UsageError
from a2pctl.pacing import Clock
from a2pctl.remediation import catalogue as rem
from a2pctl.remediation import codes
from a2pctl.remediation.catalogue import Remediation
from a2pctl.state.records import campaign_key
from a2pctl.state.store import Registration, ResourceRecord
from a2pctl.status.items import Item, Row, StatusReport

CAMPAIGN_KEY = campaign_key("")  # the store keys a campaign by its messaging service (one each)
_SID_KINDS = {"BN": "brand", "MG": "messaging_service", "PN": "phone_number"}
_SID_LENGTH = 34
GLOB = frozenset("*?[")  # a reference with one of these is a pattern of registration names


def campaign_service(record: ResourceRecord) -> str:
    service = record.detail.get("messaging_service_sid")
    if isinstance(service, str) and service:
        return service
    return record.sid.removeprefix(CAMPAIGN_KEY)


def e164_number(ref: str) -> str:
    """A +… reference in E.164, as the store and Twilio write it: `+1 503 555 0150` is
    `+15035550150` (the rule of customer files)."""
    from a2pctl.spec.rules import e164

    try:
        return e164(ref)
    except ValueError as exc:
        raise UsageError(
            f"not a phone number: {exc}",
            hint="give a number as +1… (E.164), a SID or a registration name",
        ) from None


def sid_kind(ref: str) -> str | None:
    if len(ref) == _SID_LENGTH and ref[:2] in _SID_KINDS:
        return _SID_KINDS[ref[:2]]
    return None


def personal(item: Item, name: str, file: str | None) -> Item:
    """The catalogue's REF and FILE placeholders, filled in for this registration."""
    action = item.remediation.action
    if not action:
        return item
    action = codes.personal(action, name, file)
    return replace(item, remediation=replace(item.remediation, action=action))


def taken_off(reg: Registration, when: float, records: Sequence[ResourceRecord]) -> Row:
    """A registration `a2pctl deregister` took off: nothing left to refresh or to do."""
    day = time.strftime("%Y-%m-%d", time.gmtime(when))
    kept = Remediation(rem.OK, "Kept: Twilio documents no API to delete a brand.", None)
    items = [
        Item("brand", r.sid, r.status, kept, reg.name, reg.account)
        for r in records
        if r.kind == "brand"
    ]
    gone = Remediation(
        rem.OK,
        f"Taken off with `a2pctl deregister` on {day}: its numbers left the messaging service "
        "and its campaign was deleted; the brand and its bundles stay.",
        None,
    )
    items.append(Item("campaign", None, "DELETED", gone, reg.name, reg.account))
    return Row(reg.name, reg.account, reg.flow, tuple(items))


def only(report: StatusReport, *, failed: bool, pending: bool) -> StatusReport:
    """The rows that failed (`failed`) or are pending (`pending`); every row when neither."""
    wanted = {rem.FAILED} if failed else set()
    wanted |= {rem.PENDING} if pending else set()
    if not wanted:
        return report
    return replace(report, rows=tuple(r for r in report.rows if r.severity in wanted))


def number_pending(record: ResourceRecord) -> bool:
    status = rem.number_status(record.status) or None
    return rem.for_number(status).severity == rem.PENDING


def watch(
    check_once: Callable[[], StatusReport],
    *,
    clock: Clock,
    interval: float,
    on_report: Callable[[StatusReport], None],
) -> StatusReport:
    """Check, hand each report over, sleep `interval` seconds; stop when nothing is pending."""
    while True:
        report = check_once()
        on_report(report)
        if not report.pending:
            return report
        clock.sleep(interval)
