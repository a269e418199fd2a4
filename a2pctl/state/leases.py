"""Leases: one writer per registration, on one machine or many.

A writer holds a lease on (name, account): a holder id (host, pid and a random part,
one per open store), when it was taken and when it expires (the injected clock).
The holder renews it while its run advances (before every step is started, and while
it waits); a holder that crashed stops renewing, its lease expires and another
process takes over. On this host a lease whose process is gone is taken over at once.
Taking, renewing and releasing are each one write transaction, so two
processes never both hold one lease; a holder whose lease was taken over finds out at
its next renewal (`LeaseLost`) and sends nothing more.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from a2pctl.errors import LockedError
from a2pctl.pacing import Clock
from a2pctl.state import database

LEASE_SECONDS = 300.0  # far longer than any one request with its retries
RENEW_SECONDS = 60.0  # a holder renews its leases this often while it writes or waits


@dataclass(frozen=True)
class Lease:
    name: str
    account: str
    holder: str
    host: str
    pid: int
    acquired_at: float
    expires_at: float


class LeaseLost(LockedError):
    """This process's lease was taken over (it expired) or released by `a2pctl unlock`."""


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


_COLUMNS = "name, account, holder, host, pid, acquired_at, expires_at"


def find(conn: database.Db, name: str, account: str | None = None) -> list[Lease]:
    query, args = f"SELECT {_COLUMNS} FROM leases WHERE name = ?", [name]
    if account is not None:
        query += " AND account = ?"
        args.append(account)
    rows = conn.execute(query + " ORDER BY account", args).fetchall()
    return [_lease(row) for row in rows]


def _lease(r: Any) -> Lease:
    return Lease(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]), float(r[5]), float(r[6]))


def acquire(conn: database.Db, clock: Clock, holder: str, name: str, account: str) -> None:
    """Take the lease, or raise LockedError naming who holds it and until when."""
    host, pid = socket.gethostname(), os.getpid()
    with conn.transaction():
        now = clock.now()
        for held in find(conn, name, account):
            if held.holder != holder and _live(held, now, host):
                raise LockedError(
                    f"registration {name!r} is being written by another a2pctl process "
                    f"(pid {held.pid} on {held.host}; its lease runs "
                    f"{held.expires_at - now:.0f} s more unless renewed) in {conn.where}",
                    hint=f"wait for it to finish; if it is gone for good, `a2pctl unlock {name}`",
                )
        _take(conn, (name, account, holder, host, pid, now, now + LEASE_SECONDS))


def claim(
    conn: database.Db,
    clock: Clock,
    holder: str,
    candidates: Sequence[tuple[str, str]],
    *,
    limit: int,
    since: float,
) -> list[tuple[str, str]]:
    """Take the leases of up to `limit` of `candidates` (name, account), in their order,
    skipping those a live holder has (this one included) and those whose outcome was
    recorded at or after `since` (finished by another worker): in one write transaction,
    as `SELECT … FOR UPDATE SKIP LOCKED` hands out a queue's jobs, so two workers never
    take one."""
    host, pid = socket.gethostname(), os.getpid()
    taken: list[tuple[str, str]] = []
    with conn.transaction():
        now = clock.now()
        held = {(lease.name, lease.account): lease for lease in _all(conn)}
        done = finished(conn, since)
        for name, account in candidates:
            lease = held.get((name, account))
            if (name, account) in done or (
                lease is not None and (lease.holder == holder or _live(lease, now, host))
            ):
                continue  # finished, or taken (by this holder too: it is at work on it)
            _take(conn, (name, account, holder, host, pid, now, now + LEASE_SECONDS))
            taken.append((name, account))
            if len(taken) >= limit:
                break
    return taken


def finished(conn: database.Db, since: float) -> set[tuple[str, str]]:
    """Registrations whose outcome was recorded at or after `since`."""
    rows = conn.execute(
        "SELECT name, account FROM registrations WHERE outcome_at >= ?", (since,)
    ).fetchall()
    return {(str(row[0]), str(row[1])) for row in rows}


def _all(conn: database.Db) -> list[Lease]:
    return [_lease(row) for row in conn.execute(f"SELECT {_COLUMNS} FROM leases").fetchall()]


def _take(conn: database.Db, row: tuple[str, str, str, str, int, float, float]) -> None:
    conn.execute(
        f"INSERT INTO leases ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (name, account) DO UPDATE SET holder = excluded.holder, "
        "host = excluded.host, pid = excluded.pid, acquired_at = excluded.acquired_at, "
        "expires_at = excluded.expires_at",
        row,
    )


def renew(conn: database.Db, clock: Clock, holder: str, name: str, account: str) -> None:
    """Push the expiry on; `LeaseLost` if the lease is no longer this holder's.
    Call inside the caller's transaction to make the write that follows conditional."""
    cur = conn.execute(
        "UPDATE leases SET expires_at = ? WHERE name = ? AND account = ? AND holder = ?",
        (clock.now() + LEASE_SECONDS, name, account, holder),
    )
    if cur.rowcount != 1:
        raise LeaseLost(
            f"this process's lease on registration {name!r} in {conn.where} was taken over "
            "(it expired, or `a2pctl unlock` released it): it stops here and sends nothing more",
            hint="another process is writing this registration now; see `a2pctl status`",
        )


def release(conn: database.Db, holder: str, name: str, account: str) -> None:
    conn.execute(
        "DELETE FROM leases WHERE name = ? AND account = ? AND holder = ?",
        (name, account, holder),
    )


def unlock(conn: database.Db, lease: Lease) -> bool:
    """Release a lease by hand: only the one seen (same holder), in one transaction."""
    with conn.transaction():
        cur = conn.execute(
            "DELETE FROM leases WHERE name = ? AND account = ? AND holder = ?",
            (lease.name, lease.account, lease.holder),
        )
        return cur.rowcount == 1


def _live(held: Lease, now: float, host: str) -> bool:
    """Held by someone else: not expired, and (on this host) its process still runs."""
    if held.expires_at <= now:
        return False
    return held.host != host or _alive(held.pid)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another store opened by this very process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
