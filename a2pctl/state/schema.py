"""The store's schema and its ordered migrations, applied on open.

Version 1 is the schema a2pctl first shipped. Each later version is one entry of
`MIGRATIONS`: its statements and the bump of `meta.schema_version` run in one
write transaction (`database.Db.transaction`), so a kill in the middle leaves the store at the
version before, whole and usable, and the next open applies the step again. A store
written by a newer a2pctl (a version above `SCHEMA_VERSION`) is refused (exit 2).
"""

from __future__ import annotations

from a2pctl.errors import ExitCode, StateError
from a2pctl.state import database

BASE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registrations (
    name TEXT NOT NULL, account TEXT NOT NULL, flow TEXT NOT NULL, file TEXT,
    created_at REAL NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (name, account));
CREATE TABLE IF NOT EXISTS steps (
    name TEXT NOT NULL, account TEXT NOT NULL, step TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'done', 'failed')),
    sid TEXT, data TEXT,
    started_at REAL, finished_at REAL, error TEXT,
    PRIMARY KEY (name, account, step));
CREATE TABLE IF NOT EXISTS resources (
    sid TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT, account TEXT,
    status TEXT, detail TEXT, source TEXT, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, time TEXT, received_at REAL NOT NULL,
    name TEXT, account TEXT, sid TEXT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS locks (
    name TEXT NOT NULL, account TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
    acquired_at REAL NOT NULL, PRIMARY KEY (name, account));
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, value TEXT NOT NULL)
"""

# (version, statements): applied in order to a store at the version before.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        2,  # leases replace pid locks: a holder id and an expiry, renewed while it writes
        [
            "CREATE TABLE leases (name TEXT NOT NULL, account TEXT NOT NULL, "
            "holder TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, "
            "acquired_at REAL NOT NULL, expires_at REAL NOT NULL, PRIMARY KEY (name, account))",
            "DROP TABLE locks",
        ],
    ),
    (
        3,  # the next free request slot per account, shared by every process on the store
        ["CREATE TABLE rate_slots (account TEXT PRIMARY KEY, next_at REAL NOT NULL)"],
    ),
    (
        4,  # a registration's resources found without scanning them all (status of a fleet)
        ["CREATE INDEX resources_by_registration ON resources (name, account)"],
    ),
    (
        5,  # each registration's last outcome and when: workers skip what another finished
        [
            "ALTER TABLE registrations ADD COLUMN outcome TEXT",
            "ALTER TABLE registrations ADD COLUMN outcome_at REAL",
        ],
    ),
]

SCHEMA_VERSION = MIGRATIONS[-1][0] if MIGRATIONS else 1


class NewerStore(StateError):
    """The store was written by a newer a2pctl: this one must not touch it. Exit 2."""

    exit_code = ExitCode.USAGE


def schema_at(at: int = SCHEMA_VERSION) -> str:
    """The schema at version `at`, as one script (to check a store's tables against)."""
    statements = [BASE, *(sql for v, step in MIGRATIONS if v <= at for sql in step)]
    return ";\n".join(statements) + ";"


def version(conn: database.Db) -> int:
    """The store's schema version: 0 for an empty file, 1 for a store from before versions
    were recorded (tables without the row)."""
    tables = conn.tables()
    if "meta" not in tables:
        return 1 if "registrations" in tables else 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        return 1 if "registrations" in tables else 0
    try:
        return int(row[0])
    except (TypeError, ValueError):
        raise database.damaged(conn.where, f"schema_version is {row[0]!r}") from None


def refuse_newer(conn: database.Db, found: int) -> None:
    if found > SCHEMA_VERSION:
        raise NewerStore(
            f"the state store {conn.where} was written by a newer a2pctl "
            f"(schema version {found}; this a2pctl knows versions up to {SCHEMA_VERSION})",
            hint="upgrade a2pctl to use this store, or pass another --state",
        )


def migrate(conn: database.Db) -> int:
    """Bring a writable store up to `SCHEMA_VERSION`, one step per transaction.
    Returns the version found before."""
    found = version(conn)
    refuse_newer(conn, found)
    if found == 0:
        _step(conn, 1, [s for s in BASE.split(";") if s.strip()])
    for target, statements in MIGRATIONS:
        if target > max(found, 1):
            _step(conn, target, statements)
    return found


def _step(conn: database.Db, target: int, statements: list[str]) -> None:
    with conn.transaction():
        # Another process may have applied it while this one waited for the write lock.
        if version(conn) >= target:
            return
        try:
            for sql in statements:
                conn.execute(sql)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(target),),
            )
        except StateError as exc:
            raise StateError(
                f"cannot upgrade the state store {conn.where} to schema version {target}: "
                f"{exc.message}",
                hint=f"it is left unchanged at version {target - 1}; {exc.hint or 're-run'}",
            ) from exc
