"""The PostgreSQL store's connection (`database.Db`), for teams: several runners or hosts
share one store, its leases and one rate limit per account (docs/contract.md §6).

The store's SQL is written once; this connection speaks it to PostgreSQL through
psycopg 3 (imported only when a `postgresql://` store is opened):

- `?` placeholders become psycopg's `%s`; SQLite's `REAL` columns become `DOUBLE
  PRECISION` (PostgreSQL's `REAL` is 4 bytes: a timestamp would lose its seconds).
- A write transaction takes a transaction-scoped advisory lock first, so writers queue
  one at a time as with SQLite's `BEGIN IMMEDIATE`: a lease taken, a rate slot reserved
  or a migration applied is decided by one process at a time, on any number of hosts.
  Statements outside a transaction commit at once (autocommit), as on SQLite.
- The store lives in the connection's schema (`current_schema()`, `public` by
  default; `?options=-csearch_path%3Dname` picks another), and the advisory lock is
  per schema, so several stores can share one database.
- A read-only store is a read-only session (`default_transaction_read_only`).
- A password in the URL never appears in a message (`location.redact`, `scrub`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from a2pctl.errors import A2pError, LockedError, StateError, UsageError
from a2pctl.state.database import UnusableStore, damaged
from a2pctl.state.location import redact, scrub

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_SECONDS = 10
LOCK_TIMEOUT = "10s"  # how long a write waits for another process's transaction
_REAL = re.compile(r"\bREAL\b")
# One advisory lock per store: the key is derived from the schema the store lives in.
_WRITE_LOCK = "SELECT pg_advisory_xact_lock(hashtext('a2pctl:' || current_schema()))"


class Cursor:
    def __init__(self, cursor: psycopg.Cursor[Any], conn: PgConnection) -> None:
        self._cursor = cursor
        self._conn = conn

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall()) if self._cursor.description else []


class PgConnection:
    """One psycopg connection in autocommit mode; `transaction()` is a write transaction."""

    def __init__(self, conn: psycopg.Connection[Any], url: str, *, read_only: bool) -> None:
        self._conn = conn
        self._url = url
        self.where = redact(url)
        self.read_only = read_only
        self.notifies = True
        self._listener: psycopg.Connection[Any] | None = None
        self.channel = ""  # where events are announced: one channel per store (its schema)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        import psycopg

        if sql.lstrip().upper().startswith(("CREATE TABLE", "ALTER TABLE")):
            sql = _REAL.sub("DOUBLE PRECISION", sql)
        try:
            return Cursor(self._conn.execute(sql.replace("?", "%s"), tuple(params)), self)
        except psycopg.Error as exc:
            raise self.failure(exc) from exc

    @contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        self.execute("BEGIN")
        try:
            self.execute(_WRITE_LOCK)
            yield self
        except BaseException:
            self._rollback()
            raise
        self.execute("COMMIT")

    def _rollback(self) -> None:
        import psycopg

        with contextlib.suppress(psycopg.Error):  # gone: the server rolled back for us
            self._conn.execute("ROLLBACK")

    def tables(self) -> set[str]:
        rows = self.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        return {str(row[0]) for row in rows}

    def columns(self, table: str) -> set[str]:
        rows = self.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        ).fetchall()
        return {str(row[0]) for row in rows}

    def notify(self) -> None:
        self.execute("SELECT pg_notify(?, '')", (self.channel,))

    def wait_for_notify(self, seconds: float) -> bool:
        """LISTEN on a second connection, opened at the first wait."""
        import psycopg

        try:
            if self._listener is None:
                self._listener = psycopg.connect(
                    self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
                )
                self._listener.execute(f'LISTEN "{self.channel}"')
            heard = list(self._listener.notifies(timeout=max(seconds, 0.0), stop_after=1))
        except psycopg.Error as exc:
            raise self.failure(exc) from exc
        return bool(heard)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        self._conn.close()

    def failure(self, exc: Exception) -> A2pError:
        """The StateError (LockedError when a lock wait ran out) for a failed statement."""
        import psycopg
        from psycopg import errors

        text = scrub(str(exc).strip(), self._url)
        if isinstance(exc, errors.LockNotAvailable | errors.QueryCanceled):
            return LockedError(
                f"the state store {self.where} is busy: another process held it for over "
                f"{LOCK_TIMEOUT}",
                hint="wait for it to finish, or use another --state",
            )
        if isinstance(exc, errors.ReadOnlySqlTransaction | errors.InsufficientPrivilege):
            return UnusableStore(
                f"cannot write the state store {self.where}: {text}",
                hint="give commands that register or record a role that may write it",
            )
        if isinstance(exc, errors.UndefinedTable | errors.UndefinedColumn):
            return damaged(self.where, text)
        if isinstance(exc, psycopg.OperationalError):
            return StateError(
                f"lost the connection to the state store {self.where}: {text}",
                hint="check the server, then re-run the same command: everything recorded "
                "before is kept, and what was sent is looked up before anything is created again",
            )
        return StateError(
            f"the state store {self.where} failed: {text}",
            hint="check the server and the --state URL (A2PCTL_STATE), then re-run",
        )


def connect(url: str, *, read_only: bool) -> PgConnection:
    """Connect to the PostgreSQL store at `url` (a `postgresql://` connection string)."""
    try:
        import psycopg
    except ImportError:
        raise UsageError(
            "a postgresql:// state store needs the PostgreSQL driver (psycopg 3)",
            hint="pip install 'a2pctl[postgresql]'",
        ) from None
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg.Error as exc:
        raise StateError(
            f"cannot connect to the state store {redact(url)}: {scrub(str(exc).strip(), url)}",
            hint="check that the server runs and the --state URL (A2PCTL_STATE): "
            "postgresql://USER@HOST:PORT/DATABASE, the password in PGPASSWORD or ~/.pgpass",
        ) from None
    try:
        conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        if read_only:
            conn.execute("SET default_transaction_read_only = on")
        row = conn.execute("SELECT current_schema()").fetchone()
    except psycopg.Error as exc:
        conn.close()
        raise PgConnection(conn, url, read_only=read_only).failure(exc) from None
    connection = PgConnection(conn, url, read_only=read_only)
    connection.channel = f"a2pctl_events_{row[0] if row else 'public'}"[:63]
    return connection
