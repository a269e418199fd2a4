"""The next free request slot per Twilio account, kept in the store's `rate_slots` table
so that every process and host on the store keeps to one rate (`limiter`)."""

from __future__ import annotations

from a2pctl.pacing import Clock
from a2pctl.state import database


def take(
    conn: database.Db, clock: Clock, account: str, interval: float, stale_after: float
) -> float:
    """Reserve the account's next free slot in one write transaction; returns when it is
    (now or later). A slot further ahead than `stale_after` seconds is a clock gone
    wrong, not a queue, and is ignored."""
    with conn.transaction():
        now = clock.now()
        row = conn.execute(
            "SELECT next_at FROM rate_slots WHERE account = ?", (account,)
        ).fetchone()
        slot = now if row is None or row[0] - now > stale_after else max(float(row[0]), now)
        conn.execute(
            "INSERT INTO rate_slots (account, next_at) VALUES (?, ?) "
            "ON CONFLICT (account) DO UPDATE SET next_at = excluded.next_at",
            (account, slot + interval),
        )
    return float(slot)


def ready_at(conn: database.Db, clock: Clock, account: str) -> float:
    row = conn.execute("SELECT next_at FROM rate_slots WHERE account = ?", (account,)).fetchone()
    return max(float(row[0]) if row else 0.0, clock.now())
