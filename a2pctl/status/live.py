"""Live status of registrations, brands, campaigns and numbers, with the next action.

`check` resolves references through the state store (registration names, BN…,
MG…, PN… SIDs, +1… numbers), refreshes each resource through the Gateway,
writes what it learnt back to the store (source "status"), and returns a typed
`StatusReport`; `report/status.py` draws it. Numbers' A2P registration statuses have no
REST resource: they come from the store (what `register` saw and what Event
Streams delivered). The meaning of every status lives in `remediation/catalogue.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from a2pctl.errors import UsageError
from a2pctl.gateway import BundleKind, Gateway, GatewayError
from a2pctl.pacing import Clock
from a2pctl.remediation import catalogue as rem
from a2pctl.remediation.catalogue import Remediation
from a2pctl.state.markers import deregistered_at
from a2pctl.state.store import Registration, ResourceRecord, Store
from a2pctl.status.items import (
    CAMPAIGN_GONE,
    NOT_IN_SERVICE,
    NUMBER_ATTACHED,
    Item,
    Row,
    StatusReport,
    brand_item,
    bundle_item,
    campaign_item,
    missing,
    number_item,
    unreachable,
)

__all__ = ["Item", "Row", "StatusReport", "check", "watch"]

CAMPAIGN_KEY = "campaign:"  # the store keys a campaign by its messaging service (one each)
BUNDLE_KINDS: tuple[BundleKind, ...] = ("customer_profile", "trust_product")
_SID_KINDS = {"BN": "brand", "MG": "messaging_service", "PN": "phone_number"}
_SID_LENGTH = 34
_NUMBER_OK = frozenset({"REGISTERED", "PENDING_REGISTRATION"})
SERVICE_EXISTS = Remediation(rem.OK, "The messaging service exists.", None)


def check(
    refs: Sequence[str],
    *,
    store: Store,
    make_gateway: Callable[[str | None], Gateway],
    clock: Clock,
) -> StatusReport:
    """Refresh what `refs` name (every registration in the store when empty)."""
    checker = _Checker(store, make_gateway)
    rows: dict[_Key, Row] = {}
    for key, row in checker.targets(list(refs)):
        if key in rows:  # two references into one registration: one row, no duplicates
            seen = {(i.kind, i.sid) for i in rows[key].items}
            more = tuple(i for i in row.items if (i.kind, i.sid) not in seen)
            row = replace(rows[key], items=rows[key].items + more)
        rows[key] = row
    return StatusReport(rows=tuple(rows.values()), checked_at=clock.now())


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


_Key = tuple[str, str | None, str | None]  # ("registration", name, account) or ("ref", ref, None)


class _Checker:
    def __init__(self, store: Store, make_gateway: Callable[[str | None], Gateway]) -> None:
        self.store = store
        self._make_gateway = make_gateway
        self._gateways: dict[str | None, Gateway] = {}

    def gateway(self, account: str | None) -> Gateway:
        if account not in self._gateways:
            self._gateways[account] = self._make_gateway(account)
        return self._gateways[account]

    # --- resolving references --------------------------------------------------------
    def targets(self, refs: list[str]) -> Iterator[tuple[_Key, Row]]:
        if not refs:
            for reg in self.store.registrations():
                yield ("registration", reg.name, reg.account), self.registration(reg)
            return
        for ref in refs:
            ref = _number(ref.strip()) if ref.strip().startswith("+") else ref.strip()
            kind = _sid_kind(ref) or ("phone_number" if ref.startswith("+") else None)
            if kind is None:
                regs = self.store.find_registrations(ref)
                if not regs:
                    raise UsageError(
                        f"no registration named {ref!r} in the state store {self.store.path}",
                        hint="`a2pctl status` lists every registration; check --state, or pass "
                        "a BN…, MG…, PN… SID or a +1… number",
                    )
                for reg in regs:
                    yield ("registration", reg.name, reg.account), self.registration(reg)
                continue
            record = self._record_for(ref, kind)
            name = record.name if record else None
            account = record.account if record else None
            flow = self._flow(name, account)
            key: _Key = ("registration", name, account) if name else ("ref", ref, None)
            items = self.reference(ref, kind, record, flow)
            yield key, Row(name, account, flow, tuple(items))

    def _record_for(self, ref: str, kind: str) -> ResourceRecord | None:
        if not ref.startswith("+"):
            return self.store.find_resource(ref)
        return next(
            (
                r
                for r in self.store.resources()
                if r.kind == "phone_number" and r.detail.get("phone_number") == ref
            ),
            None,
        )

    def _flow(self, name: str | None, account: str | None) -> str | None:
        regs = [r for r in self.store.find_registrations(name or "") if r.account == account]
        return regs[0].flow if regs else None

    def reference(
        self, ref: str, kind: str, record: ResourceRecord | None, flow: str | None
    ) -> list[Item]:
        name = record.name if record else None
        account = record.account if record else None
        if kind == "brand":
            return [self.brand(ref, record, name, account)]
        if kind == "messaging_service":
            sole_proprietor = flow == "sole_proprietor"
            return self.service(ref, record, name, account, sole_proprietor=sole_proprietor)
        return [self.lone_number(ref, record, account)]

    # --- a registration ----------------------------------------------------------------------
    def registration(self, reg: Registration) -> Row:
        gone = deregistered_at(self.store, reg.name, reg.account)
        if gone is not None:
            return _taken_off(reg, gone, self.store.resources(name=reg.name, account=reg.account))
        records = self.store.resources(name=reg.name, account=reg.account)
        by_kind: dict[str, list[ResourceRecord]] = {}
        for record in records:
            by_kind.setdefault(record.kind, []).append(record)
        name, account = reg.name, reg.account
        items: list[Item] = []
        for kind in BUNDLE_KINDS:
            found = by_kind.get(kind) or []
            items += [self.bundle(kind, r.sid, r, name, account) for r in found]
            items += [] if found else [missing(kind, name, account)]
        brands = by_kind.get("brand") or []
        items += [self.brand(r.sid, r, name, account) for r in brands]
        items += [] if brands else [missing("brand", name, account)]
        sole_proprietor = reg.flow == "sole_proprietor" or any(
            str(i.extra.get("brand_type") or "").upper() == rem.SOLE_PROPRIETOR for i in items
        )
        services = [r.sid for r in by_kind.get("messaging_service") or []]
        for record in by_kind.get("campaign") or []:
            service = _campaign_service(record)
            services += [] if service in services else [service]
        if not services:
            items += [missing(k, name, account) for k in ("messaging_service", "campaign")]
        for service in services:
            items += self.service(
                service,
                self.store.find_resource(service),
                name,
                account,
                sole_proprietor=sole_proprietor,
                recorded_numbers=by_kind.get("phone_number") or [],
            )
        numbered = {i.sid for i in items if i.kind == "phone_number"}
        for record in by_kind.get("phone_number") or []:
            if record.sid not in numbered:  # recorded but in no known service
                items.append(number_item(record.sid, record, NOT_IN_SERVICE, name, account))
        if not any(i.kind == "phone_number" for i in items):
            items.append(missing("phone_number", name, account))
        return Row(name, account, reg.flow, tuple(_personal(i, name, reg.file) for i in items))

    # --- refreshing each kind ------------------------------------------------------------
    def bundle(
        self,
        kind: BundleKind,
        sid: str,
        record: ResourceRecord | None,
        name: str | None,
        account: str | None,
    ) -> Item:
        try:
            gateway = self.gateway(account)
            fetched = gateway.fetch_bundle(kind, sid)
            evaluations = gateway.list_evaluations(kind, sid)
        except GatewayError as err:
            return unreachable(kind, sid, record, err, name, account)
        detail = {**(record.detail if record else {}), **fetched}
        if evaluations:
            detail["evaluation"] = sorted(evaluations, key=lambda e: str(e.get("date_created")))[-1]
        self._remember(sid, kind, fetched.get("status"), detail, record)
        return bundle_item(kind, sid, detail, name, account)

    def brand(
        self, sid: str, record: ResourceRecord | None, name: str | None, account: str | None
    ) -> Item:
        try:
            fetched = self.gateway(account).fetch_brand(sid)
        except GatewayError as err:
            return unreachable("brand", sid, record, err, name, account)
        detail = {**(record.detail if record else {}), **fetched}
        self._remember(sid, "brand", fetched.get("status"), detail, record)
        return brand_item(sid, detail, name, account)

    def service(
        self,
        sid: str,
        record: ResourceRecord | None,
        name: str | None,
        account: str | None,
        *,
        sole_proprietor: bool,
        recorded_numbers: Sequence[ResourceRecord] = (),
    ) -> list[Item]:
        gateway = self.gateway(account)
        try:
            fetched = gateway.fetch_service(sid)
            members = gateway.list_service_phone_numbers(sid)
        except GatewayError as err:
            return [unreachable("messaging_service", sid, record, err, name, account)]
        detail = {**(record.detail if record else {}), **fetched}
        self._remember(sid, "messaging_service", record.status if record else None, detail, record)
        items = [Item("messaging_service", sid, None, SERVICE_EXISTS, name, account)]
        campaign = self.campaign(sid, name, account)
        items.append(campaign)
        sole_proprietor = sole_proprietor or (
            str(campaign.extra.get("us_app_to_person_usecase") or "") == rem.SOLE_PROPRIETOR
        )
        verified = campaign.status == "VERIFIED"
        recorded = {r.sid: r for r in recorded_numbers}
        for member in members:
            pn = str(member.get("sid") or "")
            stored = recorded.get(pn) or self.store.find_resource(pn)
            status = rem.number_status(stored.status if stored else None) or None
            if sole_proprietor and len(members) > 1 and status not in _NUMBER_OK:
                remedy = rem.SOLE_PROPRIETOR_EXTRA_NUMBERS
            elif status is None and verified:
                remedy = NUMBER_ATTACHED
            else:
                remedy = rem.for_number(status, sole_proprietor=sole_proprietor)
            phone = member.get("phone_number") or (
                stored.detail.get("phone_number") if stored else None
            )
            extra = {"phone_number": phone, "messaging_service_sid": sid}
            items.append(number_item(pn, stored, remedy, name, account, extra))
        return items

    def campaign(self, service: str, name: str | None, account: str | None) -> Item:
        key = CAMPAIGN_KEY + service
        record = self.store.find_resource(key)
        try:
            fetched = self.gateway(account).fetch_campaign(service)
        except GatewayError as err:
            if err.status == 404:
                remedy = rem.NO_CAMPAIGN if record is None else CAMPAIGN_GONE
                extra = {"messaging_service_sid": service}
                return Item("campaign", None, None, remedy, name, account, extra=extra)
            return unreachable("campaign", key, record, err, name, account)
        detail = {**(record.detail if record else {}), **fetched, "messaging_service_sid": service}
        if name is not None:  # a registration's campaign: keep its last known status
            self.store.record_resource(
                key,
                kind="campaign",
                status=fetched.get("campaign_status"),
                detail=detail,
                name=name,
                account=account,
                source="status",
            )
        return campaign_item(detail, name, account)

    def lone_number(self, ref: str, record: ResourceRecord | None, account: str | None) -> Item:
        """A PN… or +1… reference: the last known status, or the number looked up live."""
        if record is not None:
            status = rem.number_status(record.status) or None
            return number_item(record.sid, record, rem.for_number(status), record.name, account)
        gateway = self.gateway(None)
        try:
            if ref.startswith("+"):
                found = gateway.find_incoming_numbers(phone_number=ref)
                fetched = found[0] if found else None
            else:
                fetched = gateway.fetch_incoming_number(ref)
        except GatewayError as err:
            if err.status != 404:
                return unreachable("phone_number", ref, None, err, None, None)
            fetched = None
        if fetched is None:
            remedy = Remediation(
                rem.FAILED,
                f"{ref} is not a number of this account.",
                "Check the number and the account (a subaccount's numbers need its SID).",
            )
            return Item("phone_number", ref, None, remedy, extra={"phone_number": ref})
        extra = {"phone_number": fetched.get("phone_number")}
        return Item("phone_number", fetched.get("sid"), None, rem.NUMBER_UNKNOWN, extra=extra)

    def _remember(
        self,
        sid: str,
        kind: str,
        status: str | None,
        detail: dict[str, Any],
        record: ResourceRecord | None,
    ) -> None:
        """Write a refreshed resource back; resources the store does not know stay out."""
        if record is None:
            return
        self.store.record_resource(
            sid,
            kind=kind,
            status=status,
            detail=detail,
            name=record.name,
            account=record.account,
            source="status",
        )


def _campaign_service(record: ResourceRecord) -> str:
    service = record.detail.get("messaging_service_sid")
    if isinstance(service, str) and service:
        return service
    return record.sid.removeprefix(CAMPAIGN_KEY)


def _number(ref: str) -> str:
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


def _sid_kind(ref: str) -> str | None:
    if len(ref) == _SID_LENGTH and ref[:2] in _SID_KINDS:
        return _SID_KINDS[ref[:2]]
    return None


def _personal(item: Item, name: str, file: str | None) -> Item:
    """The catalogue's REF and FILE placeholders, filled in for this registration."""
    action = item.remediation.action
    if not action:
        return item
    action = action.replace("REF", name).replace("FILE", file or "FILE")
    return replace(item, remediation=replace(item.remediation, action=action))


def _taken_off(reg: Registration, when: float, records: Sequence[ResourceRecord]) -> Row:
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
