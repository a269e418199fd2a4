"""The simulator's whole state, as one JSON-serialisable document, and the
helpers every handler shares: SIDs, clock, records per account, timers and
the outbox of webhooks waiting to be delivered.

Records are stored as Twilio shows them, plus private keys starting with `_`
(the owning account, review counters...) that `wire.public` strips.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from a2pctl.sandbox.wire import Json, not_found

STATE_VERSION = 1

# Every collection the simulator keeps, by name.
KINDS = (
    "customer_profiles",
    "trust_products",
    "assignments",  # entity assignments of both bundle kinds
    "evaluations",  # of both bundle kinds
    "end_users",
    "supporting_documents",
    "addresses",
    "incoming_numbers",
    "brands",
    "services",
    "service_numbers",  # keyed by "<MG>/<PN>"
    "campaigns",  # keyed by the messaging service SID (one campaign per service)
    "sinks",
    "subscriptions",
)


class World:
    def __init__(self, data: Json, now: Callable[[], float]) -> None:
        self.data = data
        self.now = now

    @classmethod
    def new(
        cls, *, scenario: str, review_seconds: float, rate: float | None, now: Callable[[], float]
    ) -> World:
        data: Json = {
            "version": STATE_VERSION,
            "scenario": scenario,
            "review_seconds": review_seconds,
            "rate": rate,
            "seed": secrets.token_hex(8),
            "counter": 0,
            "tables": {kind: {} for kind in KINDS},
            "timers": [],
            "outbox": [],
            "stats": {"delivered": 0, "delivery_failures": 0},
        }
        return cls(data, now)

    # --- settings -------------------------------------------------------------

    @property
    def scenario(self) -> str:
        return str(self.data["scenario"])

    @property
    def review_seconds(self) -> float:
        return float(self.data["review_seconds"])

    @property
    def rate(self) -> float | None:
        rate = self.data["rate"]
        return None if rate is None else float(rate)

    @property
    def stats(self) -> dict[str, int]:
        stats: dict[str, int] = self.data["stats"]
        return stats

    # --- identifiers ---------------------------------------------------------------

    def new_hex(self, length: int = 32) -> str:
        """Deterministic for a given state (seed + counter), unique within it."""
        self.data["counter"] += 1
        digest = hashlib.sha256(f"{self.data['seed']}:{self.data['counter']}".encode())
        return digest.hexdigest()[:length]

    def new_sid(self, prefix: str) -> str:
        return prefix + self.new_hex()

    def new_tcr_id(self, letter: str) -> str:
        """A TCR-style id: one letter and six upper-case alphanumerics (e.g. BXXXXXX)."""
        return letter + self.new_hex(6).upper()

    # --- records --------------------------------------------------------------------

    def table(self, kind: str) -> dict[str, Json]:
        table: dict[str, Json] = self.data["tables"][kind]
        return table

    def insert(self, kind: str, key: str, record: Json, account: str) -> Json:
        record["_account"] = account
        record["_created"] = self.now()
        self.table(kind)[key] = record
        return record

    def find(self, kind: str, key: str, account: str | None = None) -> Json | None:
        record = self.table(kind).get(key)
        if record is None or (account is not None and record["_account"] != account):
            return None
        return record

    def get(self, kind: str, key: str, account: str, path: str) -> Json:
        """The record, or Twilio's 404 (also for another account's records)."""
        record = self.find(kind, key, account)
        if record is None:
            raise not_found(path)
        return record

    def owned(self, kind: str, account: str) -> list[Json]:
        """The account's records of a kind, oldest first."""
        return [r for r in self.table(kind).values() if r["_account"] == account]

    def remove(self, kind: str, key: str) -> None:
        self.table(kind).pop(key, None)

    # --- timers and outbox ------------------------------------------------------------

    def schedule(self, at: float, action: str, key: str, **data: Any) -> None:
        """Run review `action` on record `key` at simulated time `at`."""
        self.data["timers"].append({"at": at, "action": action, "key": key, "data": data})

    def pop_due_timer(self, now: float) -> Json | None:
        """Remove and return the earliest timer due at `now` (ties: first scheduled)."""
        timers: list[Json] = self.data["timers"]
        due = [t for t in timers if t["at"] <= now]
        if not due:
            return None
        first = min(due, key=lambda t: t["at"])
        timers.remove(first)
        return first

    def enqueue(self, item: Json) -> None:
        """A webhook (event or status callback) for the next tick to deliver."""
        self.data["outbox"].append(item)

    def take_outbox(self, can_sign: Callable[[str], bool]) -> list[Json]:
        """Remove and return the queued webhooks whose account can sign now."""
        ready = [item for item in self.data["outbox"] if can_sign(item["account"])]
        if ready:
            self.data["outbox"] = [i for i in self.data["outbox"] if not can_sign(i["account"])]
        return ready
