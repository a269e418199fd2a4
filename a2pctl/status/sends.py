"""Messages a2pctl sends a brand's contact on request (`otp resend`: the Sole Proprietor
OTP SMS; `brand 2fa resend`: the Authentication+ e-mail): the brands a command's
references name, and when and how often each was sent, kept in the store per brand."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from a2pctl.errors import UsageError
from a2pctl.gateway import Gateway
from a2pctl.state.store import Store


@dataclass(frozen=True)
class SendLog:
    """One kind of send, kept as a store blob per brand: {"sent_at": epoch s, "count": n}."""

    prefix: str  # the blob key's prefix, "otp:" or "2fa:"

    def last_sent(self, store: Store, brand_sid: str) -> float | None:
        """When a2pctl last sent this brand one, if it did."""
        value = self._read(store, brand_sid).get("sent_at")
        return float(value) if isinstance(value, int | float) else None

    def count(self, store: Store, brand_sid: str) -> int:
        value = self._read(store, brand_sid).get("count")
        return value if isinstance(value, int) else 0

    def record(self, store: Store, brand_sid: str, sent_at: float) -> None:
        count = self.count(store, brand_sid) + 1
        store.put_blob(self.prefix + brand_sid, json.dumps({"sent_at": sent_at, "count": count}))

    def _read(self, store: Store, brand_sid: str) -> dict[str, object]:
        raw = store.get_blob(self.prefix + brand_sid)
        value = json.loads(raw) if raw else {}
        return value if isinstance(value, dict) else {}


class Target(NamedTuple):
    """One brand a reference names. `brand_sid` None: the registration has no brand yet
    (`gateway` None then too)."""

    ref: str
    brand_sid: str | None
    name: str | None
    gateway: Gateway | None
    previous: float | None  # when a2pctl last sent it one (`SendLog`)


def targets(
    refs: Sequence[str],
    store: Store,
    make_gateway: Callable[[str | None], Gateway],
    log: SendLog,
) -> Iterator[Target]:
    """Every brand the references name, each with its account's gateway (one per account).
    Every reference is resolved first: an unknown name is a UsageError before anything is
    sent."""
    found = [t for ref in refs for t in resolve_brands(store, ref.strip())]
    gateways: dict[str | None, Gateway] = {}
    for ref, brand_sid, name, account in found:
        if brand_sid is None:
            yield Target(ref, None, name, None, None)
            continue
        if account not in gateways:
            gateways[account] = make_gateway(account)
        yield Target(ref, brand_sid, name, gateways[account], log.last_sent(store, brand_sid))


_Found = tuple[str, str | None, str | None, str | None]


def resolve_brands(store: Store, ref: str) -> list[_Found]:
    """(ref, brand SID or None, registration name, account) for each brand a ref names:
    a BN… SID or a registration name."""
    if ref.startswith("BN"):
        record = store.find_resource(ref)
        return [(ref, ref, record.name if record else None, record.account if record else None)]
    regs = store.find_registrations(ref)
    if not regs:
        raise UsageError(
            f"{ref!r} is neither a brand SID (BN…) nor a registration in {store.location}",
            hint="pass a BN… SID or a registration name (see `a2pctl status`)",
        )
    found: list[_Found] = []
    for reg in regs:
        brands = [
            r for r in store.resources(name=reg.name, account=reg.account) if r.kind == "brand"
        ]
        mine: list[_Found] = [(ref, b.sid, reg.name, reg.account) for b in brands]
        found += mine or [(ref, None, reg.name, reg.account)]
    return found
