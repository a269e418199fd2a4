"""The state store: an embedded SQLite file (standard library; the default), or a
PostgreSQL database shared by a team's runners and hosts (`postgres`, psycopg 3).

It holds, per registration (name + account): each step's status (started /
done / failed), the SID it produced, timestamps and the last error; the last
known status of every resource (from `register`, `status` and Event Streams);
received events (deduplicated by CloudEvent id); named blobs (the in-process
sandbox's state); a writer lease per registration (`leases`, also how workers claim
registrations); the next free request slot per account (`slots`); each registration's
last outcome. The schema is migrated in order on open (`schema`).

Both speak the same SQL through `database.Db`. Every write commits at once
(autocommit; SQLite's WAL journal), so a kill or Ctrl-C never loses what was recorded;
what must be decided by one process at a time (a lease, a rate slot, a migration) is a
write transaction, one writer at a time on either backend. The SQLite file is 0600
and its own directory 0700, tightened on every open; a damaged, full, read-only or
vanished store ends in a `StateError` naming it. Secrets are never written here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from a2pctl.pacing import Clock
from a2pctl.state import database, leases, schema, slots
from a2pctl.state.location import Location
from a2pctl.state.records import (
    EventRecord,
    Registration,
    ResourceRecord,
    StepRecord,
    campaign_key,
)
from a2pctl.state.schema import SCHEMA_VERSION
from a2pctl.state.serial import serialised

__all__ = [
    "SCHEMA_VERSION",
    "EventRecord",
    "Registration",
    "ResourceRecord",
    "StepRecord",
    "Store",
    "campaign_key",
]


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


@serialised  # threads (one per account) share one store
class Store:
    """The state store. Open with `Store.open(location, clock)`."""

    def __init__(
        self, conn: database.Db, location: Location, clock: Clock, version: int = SCHEMA_VERSION
    ) -> None:
        self._conn = conn
        self._version = version  # below SCHEMA_VERSION: an older store, opened read-only
        self.location = location  # what messages call it: the file, or the redacted URL
        self._clock = clock
        self.holder = leases.new_holder()  # this store's lease holder id
        self._held: set[tuple[str, str]] = set()  # the leases it holds
        self._renewed_at = clock.now()

    # --- opening ------------------------------------------------------------
    @classmethod
    def open(
        cls,
        where: Path | str | Location,
        clock: Clock,
        *,
        create: bool = True,
        read_only: bool = False,
    ) -> Store:
        """The store at `where`: a SQLite file, or a `postgresql://` URL (`location`).
        `create`: make a file if missing (else exit 2, and one this process cannot write is
        read only); `read_only`: write nothing, not even the schema."""
        location = Location.parse(where)
        conn: database.Db
        if location.url is not None:
            from a2pctl.state import postgres

            conn = postgres.connect(location.url, read_only=read_only)
            if (read_only or not create) and schema.version(conn) == 0:
                conn.close()  # a database a2pctl never wrote: as a missing file
                if read_only:
                    return cls.in_memory(location, clock)  # nothing recorded there yet
                raise database.UnusableStore(
                    f"no state store in {location}",
                    hint="check --state (A2PCTL_STATE); `a2pctl register` creates it",
                )
        else:
            assert location.path is not None
            conn = database.connect(location.path, create=create, read_only=read_only)
        try:
            if conn.read_only:
                found = schema.version(conn)
                schema.refuse_newer(conn, found)
                database.check_tables(conn, schema.schema_at(found))
            else:
                schema.migrate(conn)
                database.check_tables(conn, schema.schema_at())
                found = SCHEMA_VERSION
            store = cls(conn, location, clock, found)
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def in_memory(cls, where: Path | Location, clock: Clock) -> Store:
        """An empty store in memory for the missing one at `where` (creating nothing on disk)."""
        location = Location.parse(where)
        conn = database.connect_memory(location.path or Path(":memory:"))
        schema.migrate(conn)
        return cls(conn, location, clock)

    @property
    def read_only(self) -> bool:
        return self._conn.read_only

    def _loads(self, text: str | None) -> Any:
        """A JSON column; text that a2pctl did not write is damage, not a crash."""
        if text is None:
            return None
        try:
            return json.loads(text)
        except (TypeError, ValueError):
            what = f"a recorded value is not JSON: {str(text)[:40]!r}"
            raise database.damaged(self.location.path or self.location, what) from None

    def close(self) -> None:
        self._conn.close()

    # --- registrations --------------------------------------------------------
    def upsert_registration(self, name: str, account: str, flow: str, file: str | None) -> None:
        now = self._clock.now()
        self._conn.execute(
            "INSERT INTO registrations (name, account, flow, file, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name, account) DO UPDATE SET "
            "flow = excluded.flow, file = excluded.file, updated_at = excluded.updated_at",
            (name, account, flow, file, now, now),
        )

    def registrations(self, name: str | None = None) -> list[Registration]:  # or one name's
        where, args = ("WHERE name = ? ", (name,)) if name is not None else ("", ())
        rows = self._conn.execute(
            "SELECT name, account, flow, file, created_at, updated_at, "
            + ("outcome, outcome_at" if self._version >= 5 else "NULL, NULL")  # migration 5
            + f" FROM registrations {where}ORDER BY name, account",
            args,
        ).fetchall()
        return [Registration(*row) for row in rows]

    def record_outcome(self, name: str, account: str, outcome: str) -> None:
        """The outcome a run ended with, and when (workers skip what another finished)."""
        self._conn.execute(
            "UPDATE registrations SET outcome = ?, outcome_at = ? WHERE name = ? AND account = ?",
            (outcome, self._clock.now(), name, account),
        )

    def claim(
        self, candidates: list[tuple[str, str]], *, limit: int, since: float
    ) -> list[tuple[str, str]]:
        """Take the leases of up to `limit` candidates no one holds or finished since
        `since` (`leases.claim`); hold them with `lock` and let go with `release`."""
        return leases.claim(
            self._conn, self._clock, self.holder, candidates, limit=limit, since=since
        )

    def release(self, name: str, account: str) -> None:
        leases.release(self._conn, self.holder, name, account)

    def unfinished(self, candidates: list[tuple[str, str]], since: float) -> list[tuple[str, str]]:
        """The candidates whose outcome no one recorded since `since`."""
        done = leases.finished(self._conn, since)
        return [key for key in candidates if key not in done]

    def find_registrations(self, name: str) -> list[Registration]:
        return self.registrations(name)  # the primary key's first column: no scan

    # --- steps ------------------------------------------------------------------
    def steps(self, name: str, account: str) -> dict[str, StepRecord]:
        rows = self._conn.execute(
            "SELECT step, status, sid, data, started_at, finished_at, error "
            "FROM steps WHERE name = ? AND account = ?",
            (name, account),
        ).fetchall()
        return {
            row[0]: StepRecord(
                step=row[0],
                status=row[1],
                sid=row[2],
                data=self._loads(row[3]) or {},
                started_at=row[4],
                finished_at=row[5],
                error=self._loads(row[6]),
            )
            for row in rows
        }

    def mark_started(
        self, name: str, account: str, step: str, data: dict[str, Any] | None = None
    ) -> None:
        """Record the intent before a request: a crash after this leaves `started`.
        `data`: what the request acts on, when that exists already."""
        with self._conn.transaction() as conn:
            if (name, account) in self._held:  # the fence: no lease, no new request
                leases.renew(conn, self._clock, self.holder, name, account)
                self._renewed_at = self._clock.now()
            conn.execute(
                "INSERT INTO steps (name, account, step, status, data, started_at) "
                "VALUES (?, ?, ?, 'started', ?, ?) ON CONFLICT (name, account, step) DO UPDATE SET "
                "status = 'started', data = COALESCE(excluded.data, steps.data), "
                "started_at = excluded.started_at, finished_at = NULL, error = NULL",
                (name, account, step, _dumps(data), self._clock.now()),
            )

    def mark_done(
        self,
        name: str,
        account: str,
        step: str,
        sid: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        now = self._clock.now()
        self._conn.execute(
            "INSERT INTO steps (name, account, step, status, sid, data, "
            "started_at, finished_at) VALUES (?, ?, ?, 'done', ?, ?, ?, ?) "
            "ON CONFLICT (name, account, step) DO UPDATE SET status = 'done', "
            "sid = COALESCE(excluded.sid, steps.sid), data = excluded.data, "
            "finished_at = excluded.finished_at, error = NULL",
            (name, account, step, sid, _dumps(data or {}), now, now),
        )

    def record_sid(self, name: str, account: str, step: str, sid: str) -> None:
        """Record a SID the moment it is known, before anything else happens."""
        self._conn.execute(
            "UPDATE steps SET sid = ? WHERE name = ? AND account = ? AND step = ?",
            (sid, name, account, step),
        )

    def mark_failed(self, name: str, account: str, step: str, error: dict[str, Any]) -> None:
        now = self._clock.now()
        self._conn.execute(
            "INSERT INTO steps (name, account, step, status, started_at, finished_at, error) "
            "VALUES (?, ?, ?, 'failed', ?, ?, ?) ON CONFLICT (name, account, step) DO UPDATE SET "
            "status = 'failed', finished_at = excluded.finished_at, error = excluded.error",
            (name, account, step, now, now, _dumps(error)),
        )

    def reset_steps(self, name: str, account: str, steps: list[str]) -> None:
        """Forget steps so they run again."""
        with self._conn.transaction() as conn:
            for step in steps:
                conn.execute(
                    "DELETE FROM steps WHERE name = ? AND account = ? AND step = ?",
                    (name, account, step),
                )

    # --- resources: last known statuses ----------------------------------------
    def record_resource(
        self,
        sid: str,
        *,
        kind: str,
        status: str | None,
        detail: dict[str, Any] | None = None,
        name: str | None = None,
        account: str | None = None,
        source: str = "register",
    ) -> None:
        if self.read_only:
            return  # a last known status is a cache: reading commands may skip it
        self._conn.execute(
            "INSERT INTO resources (sid, kind, name, account, status, detail, source, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sid) DO UPDATE SET "
            "kind = excluded.kind, name = COALESCE(excluded.name, resources.name), "
            "account = COALESCE(excluded.account, resources.account), "
            "status = excluded.status, detail = excluded.detail, source = excluded.source, "
            "updated_at = excluded.updated_at",
            (sid, kind, name, account, status, _dumps(detail or {}), source, self._clock.now()),
        )

    def resources(
        self, name: str | None = None, account: str | None = None
    ) -> list[ResourceRecord]:
        query = "SELECT sid, kind, name, account, status, detail, source, updated_at FROM resources"
        clauses, args = [], []
        if name is not None:
            clauses.append("name = ?")
            args.append(name)
        if account is not None:
            clauses.append("account = ?")
            args.append(account)
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        rows = self._conn.execute(query + " ORDER BY name, kind, sid", args).fetchall()
        return [self._resource(row) for row in rows]

    def find_resource(self, sid: str) -> ResourceRecord | None:
        row = self._conn.execute(
            "SELECT sid, kind, name, account, status, detail, source, updated_at "
            "FROM resources WHERE sid = ?",
            (sid,),
        ).fetchone()
        return None if row is None else self._resource(row)

    def _resource(self, row: tuple[Any, ...]) -> ResourceRecord:
        return ResourceRecord(
            sid=row[0],
            kind=row[1],
            name=row[2],
            account=row[3],
            status=row[4],
            detail=self._loads(row[5]) or {},
            source=row[6],
            updated_at=row[7],
        )

    # --- events -------------------------------------------------------------------
    def add_event(
        self,
        event_id: str,
        type: str,
        data: dict[str, Any],
        *,
        time: str | None = None,
        name: str | None = None,
        account: str | None = None,
        sid: str | None = None,
    ) -> bool:
        """Record an event once. Returns False when its id was already recorded."""
        cur = self._conn.execute(
            "INSERT INTO events (id, type, time, received_at, name, account, sid, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (event_id, type, time, self._clock.now(), name, account, sid, _dumps(data)),
        )
        if cur.rowcount != 1:
            return False
        self._conn.notify()
        return True

    def nap(self, seconds: float) -> None:
        """Sleep `seconds` on the store's clock; on PostgreSQL with the real clock, wake as
        soon as another process records an event (LISTEN/NOTIFY) so that a waiting run
        looks at once. The caller checks `registrations_with_events_after` either way."""
        from a2pctl.pacing import SystemClock

        if seconds <= 0:
            return
        if self._conn.notifies and isinstance(self._clock, SystemClock):
            self._conn.wait_for_notify(seconds)
        else:
            self._clock.sleep(seconds)

    def events(self, name: str | None = None) -> list[EventRecord]:
        query = "SELECT id, type, time, received_at, name, account, sid, data FROM events"
        args: tuple[Any, ...] = ()
        if name is not None:
            query += " WHERE name = ?"
            args = (name,)
        rows = self._conn.execute(query + " ORDER BY received_at, id", args).fetchall()
        return [
            EventRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], self._loads(row[7]))
            for row in rows
        ]

    def registrations_with_events_after(self, received_at: float) -> set[tuple[str, str]]:
        """(name, account) of each registration an event was recorded for since then."""
        rows = self._conn.execute(
            "SELECT DISTINCT name, account FROM events WHERE received_at > ? AND name IS NOT NULL",
            (received_at,),
        ).fetchall()
        return {(str(name), str(account)) for name, account in rows}

    # --- blobs ------------------------------------------------------------------------
    def get_blob(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM blobs WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put_blob(self, key: str, value: str) -> None:
        self.keep_leases()
        self._conn.execute(
            "INSERT INTO blobs (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- the writer lease ----------------------------------------------------------------
    @contextmanager
    def lock(self, name: str, account: str) -> Iterator[None]:
        """Hold the writer lease of one registration, or raise LockedError (`leases`)."""
        leases.acquire(self._conn, self._clock, self.holder, name, account)
        if not self._held:
            self._renewed_at = self._clock.now()
        self._held.add((name, account))
        try:
            yield
        finally:
            self._held.discard((name, account))
            leases.release(self._conn, self.holder, name, account)

    def renew_leases(self) -> None:
        """Renew every lease this store holds (`LeaseLost` if one was taken over)."""
        for name, account in sorted(self._held):
            with self._conn.transaction() as conn:
                leases.renew(conn, self._clock, self.holder, name, account)
        self._renewed_at = self._clock.now()

    def keep_leases(self) -> None:
        """Renew the leases held if the last renewal is `RENEW_SECONDS` old: called by
        the scheduler while it waits, and on every request slot and blob written, so
        any command that holds a lease keeps it while it works."""
        if self._held and self._clock.now() - self._renewed_at >= leases.RENEW_SECONDS:
            self.renew_leases()

    def leases_on(self, name: str, account: str | None = None) -> list[leases.Lease]:
        return leases.find(self._conn, name, account)

    def unlock(self, lease: leases.Lease) -> bool:
        """Release another holder's lease by hand; False if it changed meanwhile."""
        return leases.unlock(self._conn, lease)

    # --- the shared rate limit ----------------------------------------------------------
    def take_slot(self, account: str, interval: float, stale_after: float) -> float:
        """Reserve the account's next free request slot for every process on this store
        (`slots.take`); returns when it is."""
        self.keep_leases()
        return slots.take(self._conn, self._clock, account, interval, stale_after)

    def slot_ready_at(self, account: str) -> float:
        return slots.ready_at(self._conn, self._clock, account)
