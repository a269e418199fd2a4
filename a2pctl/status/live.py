"""Status of registrations, brands, campaigns and numbers, with the next action.

`check` resolves references through the state store (registration names, BN…,
MG…, PN… SIDs, +1… numbers) and starts from the last known state of each
resource in the store. It asks Twilio only about what `refresh` names ("none":
nothing; "pending": what can still change; "all": everything, and anything the
store does not know), writes what it learnt back (source "status"), and returns
a typed `StatusReport`. When Twilio cannot be reached it says so once, asks
nothing more, and shows the stored state marked stale; `report/status.py` draws it.
Numbers' A2P registration statuses have no REST resource: they come from the
store (what `register` saw and what Event Streams delivered). The meaning of every
status lives in `remediation/catalogue.py`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from a2pctl.errors import UsageError
from a2pctl.gateway import BundleKind, Gateway, GatewayError
from a2pctl.gateway.records import PhoneNumber
from a2pctl.pacing import Clock
from a2pctl.remediation import catalogue as rem
from a2pctl.remediation.catalogue import Remediation
from a2pctl.state.markers import deregistered_at
from a2pctl.state.records import campaign_key
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
    stored_detail,
    unreachable,
)
from a2pctl.status.refs import (
    GLOB,
    campaign_service,
    e164_number,
    number_pending,
    only,
    personal,
    sid_kind,
    taken_off,
    watch,
)

__all__ = ["REFRESH_MODES", "Item", "Row", "StatusReport", "check", "only", "watch"]

REFRESH_MODES = ("none", "pending", "all")

BUNDLE_KINDS: tuple[BundleKind, ...] = ("customer_profile", "trust_product")
_NUMBER_OK = frozenset({"REGISTERED", "PENDING_REGISTRATION"})
SERVICE_EXISTS = Remediation(rem.OK, "The messaging service exists.", None)
_NOT_KNOWN = Remediation(rem.PENDING, "Not known: Twilio could not be reached.", None)


def check(
    refs: Sequence[str],
    *,
    store: Store,
    make_gateway: Callable[[str | None], Gateway],
    clock: Clock,
    refresh: str = "all",
    chosen: Callable[[Registration], bool] | None = None,
) -> StatusReport:
    """The status of what `refs` name (every registration in the store when empty, of those
    `chosen` keeps), asking Twilio about what `refresh` names (REFRESH_MODES)."""
    checker = _Checker(store, make_gateway, clock, refresh, chosen)
    rows: dict[_Key, Row] = {}
    for key, row in checker.targets(list(refs)):
        if key in rows:  # two references into one registration: one row, no duplicates
            seen = {(i.kind, i.sid) for i in rows[key].items}
            more = tuple(i for i in row.items if (i.kind, i.sid) not in seen)
            row = replace(rows[key], items=rows[key].items + more)
        rows[key] = row
    offline = None
    if checker.offline is not None:
        offline = (
            f"Twilio could not be reached ({checker.offline.message}); last known states shown."
        )
    return StatusReport(tuple(rows.values()), clock.now(), offline, checker.requests)


_Key = tuple[str, str | None, str | None]  # ("registration", name, account) or ("ref", ref, None)


class _Checker:
    def __init__(
        self,
        store: Store,
        make_gateway: Callable[[str | None], Gateway],
        clock: Clock,
        refresh: str,
        chosen: Callable[[Registration], bool] | None,
    ) -> None:
        self.store = store
        self._make_gateway = make_gateway
        self._gateways: dict[str | None, Gateway] = {}
        self.clock = clock
        self.refresh = refresh
        self.chosen = chosen or (lambda reg: True)
        self.offline: GatewayError | None = None  # set by the first failure to reach Twilio
        self.requests = 0

    def gateway(self, account: str | None) -> Gateway:
        if self.offline is not None:
            raise self.offline  # said once: no request, no retries, for what follows
        self.requests += 1
        if account not in self._gateways:
            self._gateways[account] = self._make_gateway(account)
        return self._gateways[account]

    def asks(self, stored: Item | None) -> bool:
        """Whether to ask Twilio about a resource whose last known state is `stored`."""
        if self.offline is not None:
            return False
        if stored is None or self.refresh == "all":
            return True
        return self.refresh == "pending" and stored.severity == rem.PENDING

    def aged(self, item: Item, record: ResourceRecord | None) -> Item:
        """The last known state, with when it was seen; stale when Twilio was unreachable."""
        seen = record.updated_at if record is not None else None
        return replace(item, seen_at=seen, stale=self.offline is not None)

    def failed(
        self, kind: str, sid: str, record: ResourceRecord | None, err: GatewayError,
        stored: Item | None, name: str | None, account: str | None,
    ) -> Item:  # fmt: skip
        """A request that failed: Twilio unreachable (the stored state, stale) or a 404."""
        if err.status is None or err.status >= 500 or err.status == 429:
            self.offline = self.offline or err
            if stored is None:  # nothing known: not a failure of the customer's
                stored = Item(kind, sid, None, _NOT_KNOWN, name, account)
            return self.aged(stored, record)
        return unreachable(kind, sid, record, err, name, account)

    # --- resolving references --------------------------------------------------------
    def targets(self, refs: list[str]) -> Iterator[tuple[_Key, Row]]:
        if not refs:
            for reg in filter(self.chosen, self.store.registrations()):
                yield ("registration", reg.name, reg.account), self.registration(reg)
            return
        for ref in refs:
            if GLOB & set(ref):  # a pattern of names: what matches (maybe nothing)
                for reg in self.store.registrations():
                    if fnmatch.fnmatchcase(reg.name, ref) and self.chosen(reg):
                        yield ("registration", reg.name, reg.account), self.registration(reg)
                continue
            ref = e164_number(ref.strip()) if ref.strip().startswith("+") else ref.strip()
            kind = sid_kind(ref) or ("phone_number" if ref.startswith("+") else None)
            if kind is None:
                regs = self.store.find_registrations(ref)
                if not regs:
                    raise UsageError(
                        f"no registration named {ref!r} in the state store {self.store.location}",
                        hint="`a2pctl status` lists every registration; check --state, or pass "
                        "a BN…, MG…, PN… SID or a +1… number",
                    )
                for reg in filter(self.chosen, regs):
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
            return taken_off(reg, gone, self.store.resources(name=reg.name, account=reg.account))
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
            service = campaign_service(record)
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
        return Row(name, account, reg.flow, tuple(personal(i, name, reg.file) for i in items))

    # --- refreshing each kind ------------------------------------------------------------
    def bundle(
        self,
        kind: BundleKind,
        sid: str,
        record: ResourceRecord | None,
        name: str | None,
        account: str | None,
    ) -> Item:
        stored = bundle_item(kind, sid, stored_detail(record), name, account) if record else None
        if stored is not None and not self.asks(stored):
            return self.aged(stored, record)
        try:
            gateway = self.gateway(account)
            fetched = gateway.fetch_bundle(kind, sid)
            rejected = record is None or fetched.status == "twilio-rejected"
            evaluations = (  # what is wrong: only asked for a rejected bundle
                gateway.list_evaluations(kind, sid) if rejected or self.refresh == "all" else []
            )
        except GatewayError as err:
            return self.failed(kind, sid, record, err, stored, name, account)
        detail = {**(record.detail if record else {}), **fetched.as_detail()}
        if evaluations:
            newest = sorted(evaluations, key=lambda e: str(e.date_created))[-1]
            detail["evaluation"] = newest.as_detail()
        self._remember(sid, kind, fetched.status, detail, record)
        return replace(bundle_item(kind, sid, detail, name, account), seen_at=self.clock.now())

    def brand(
        self, sid: str, record: ResourceRecord | None, name: str | None, account: str | None
    ) -> Item:
        stored = brand_item(sid, stored_detail(record), name, account) if record else None
        if stored is not None and not self.asks(stored):
            return self.aged(stored, record)
        try:
            fetched = self.gateway(account).fetch_brand(sid)
        except GatewayError as err:
            return self.failed("brand", sid, record, err, stored, name, account)
        detail = {**(record.detail if record else {}), **fetched.as_detail()}
        self._remember(sid, "brand", fetched.status, detail, record)
        return replace(brand_item(sid, detail, name, account), seen_at=self.clock.now())

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
        exists = Item("messaging_service", sid, None, SERVICE_EXISTS, name, account)
        members: list[PhoneNumber] = []
        if record is not None and (self.refresh != "all" or self.offline is not None):
            items = [self.aged(exists, record)]  # its numbers: as recorded
            mine = [
                r for r in recorded_numbers if r.detail.get("messaging_service_sid", sid) == sid
            ]
            members = [
                PhoneNumber(sid=r.sid, phone_number=r.detail.get("phone_number")) for r in mine
            ]
            if self.refresh == "pending" and any(map(number_pending, mine)):
                try:  # one request for the service's pending numbers (their verdicts: events)
                    members = self.gateway(account).list_service_phone_numbers(sid)
                except GatewayError as err:
                    self.failed("phone_number", sid, record, err, items[0], name, account)
        else:
            try:
                gateway = self.gateway(account)
                fetched = gateway.fetch_service(sid)
                members = gateway.list_service_phone_numbers(sid)
            except GatewayError as err:
                known = exists if record is not None else None
                return [self.failed("messaging_service", sid, record, err, known, name, account)]
            detail = {**(record.detail if record else {}), **fetched.as_detail()}
            status = record.status if record else None
            self._remember(sid, "messaging_service", status, detail, record)
            items = [replace(exists, seen_at=self.clock.now())]
        campaign = self.campaign(sid, name, account)
        items.append(campaign)
        sole_proprietor = sole_proprietor or (
            str(campaign.extra.get("us_app_to_person_usecase") or "") == rem.SOLE_PROPRIETOR
        )
        verified = campaign.status == "VERIFIED"
        recorded = {r.sid: r for r in recorded_numbers}
        for member in members:
            pn = member.sid
            stored = recorded.get(pn) or self.store.find_resource(pn)
            status = rem.number_status(stored.status if stored else None) or None
            if sole_proprietor and len(members) > 1 and status not in _NUMBER_OK:
                remedy = rem.SOLE_PROPRIETOR_EXTRA_NUMBERS
            elif status is None and verified:
                remedy = NUMBER_ATTACHED
            else:
                remedy = rem.for_number(status, sole_proprietor=sole_proprietor)
            phone = member.phone_number or (stored.detail.get("phone_number") if stored else None)
            extra = {"phone_number": phone, "messaging_service_sid": sid}
            number = number_item(pn, stored, remedy, name, account, extra)
            items.append(self.aged(number, stored))
        return items

    def campaign(self, service: str, name: str | None, account: str | None) -> Item:
        key = campaign_key(service)
        record = self.store.find_resource(key)
        stored = None
        if record is not None:
            detail = {**stored_detail(record, "campaign_status"), "messaging_service_sid": service}
            stored = campaign_item(detail, name, account)
        if stored is not None and not self.asks(stored):
            return self.aged(stored, record)
        if record is None and self.refresh == "none" and name is not None:
            extra = {"messaging_service_sid": service}  # none recorded: none created yet
            return Item("campaign", None, None, rem.NO_CAMPAIGN, name, account, extra=extra)
        try:
            fetched = self.gateway(account).fetch_campaign(service)
        except GatewayError as err:
            if err.status != 404:
                return self.failed("campaign", key, record, err, stored, name, account)
            remedy = rem.NO_CAMPAIGN if record is None else CAMPAIGN_GONE
            extra = {"messaging_service_sid": service}
            return Item("campaign", None, None, remedy, name, account, extra=extra)
        answer = fetched.as_detail()
        detail = {**(record.detail if record else {}), **answer, "messaging_service_sid": service}
        if name is not None:  # a registration's campaign: keep its last known status
            self.store.record_resource(
                key,
                kind="campaign",
                status=fetched.campaign_status,
                detail=detail,
                name=name,
                account=account,
                source="status",
            )
        return replace(campaign_item(detail, name, account), seen_at=self.clock.now())

    def lone_number(self, ref: str, record: ResourceRecord | None, account: str | None) -> Item:
        """A PN… or +1… reference: the last known status, or the number looked up live."""
        if record is not None:
            status = rem.number_status(record.status) or None
            remedy = rem.for_number(status)
            return self.aged(number_item(record.sid, record, remedy, record.name, account), record)
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
        extra = {"phone_number": fetched.phone_number}
        return Item("phone_number", fetched.sid or None, None, rem.NUMBER_UNKNOWN, extra=extra)

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
