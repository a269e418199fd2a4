"""The connection under the store (`Db`: the few operations the store, its schema and
its leases use), and its SQLite implementation: the file opened private (or read-only),
watched, and every way it can fail turned into a `StateError` that names the file and
the way out. The PostgreSQL implementation is `postgres`.

- Modes: the file (and SQLite's `-wal` / `-shm` beside it) is 0600 on every open,
  an existing looser one is tightened; a directory a2pctl creates is 0700, and so
  is the default `.a2pctl` directory. Another directory is the user's (a project
  directory, `/tmp`) and is left as it is: the file's own mode keeps it private.
- Read-only: a store opened for reading is never written, never created, and is
  read even where SQLite cannot create its `-shm` file (a read-only directory).
- Watched: a store deleted or replaced while open is noticed at the next query,
  instead of writing on into a file nobody will see again.
- Failures: a full disk, a damaged file (zero-filled pages, a replaced table, a row
  that is not what this code wrote), a read-only file or a busy one each get their
  own message and exit code (docs/contract.md §1, §4); nothing recorded before is lost.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from a2pctl.errors import A2pError, ExitCode, LockedError, StateError

BUSY_TIMEOUT_SECONDS = 10.0  # how long a write waits for another process's transaction
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
OWN_DIRECTORY = ".a2pctl"  # the default store's directory: ours, kept private too
_SIDECARS = ("-wal", "-shm", "-journal")


class Rows(Protocol):
    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Db(Protocol):
    """A store's connection. SQL is written once, in the dialect both backends speak:
    `?` placeholders, `INSERT … ON CONFLICT`, no backend's own functions."""

    where: str  # what messages call the store: its file, or its redacted URL
    read_only: bool
    notifies: bool  # whether `wait_for_notify` can wake on another process's `notify`

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows: ...

    def transaction(self) -> AbstractContextManager[Db]:
        """One writer at a time, for the whole block (SQLite's `BEGIN IMMEDIATE`)."""
        ...

    def tables(self) -> set[str]: ...

    def columns(self, table: str) -> set[str]: ...

    def notify(self) -> None:
        """Tell other processes on the store that an event was recorded (PostgreSQL)."""
        ...

    def wait_for_notify(self, seconds: float) -> bool:
        """Wait up to `seconds` (real time) for another process's `notify`: True if one
        came. Only where `notifies`; elsewhere callers sleep and poll."""
        ...

    def close(self) -> None: ...


class DamagedStore(StateError):
    """The store's file is not what a2pctl wrote: bad input, like a broken customer file."""

    exit_code = ExitCode.USAGE


class UnusableStore(StateError):
    """The --state path names no store this command can use: missing (for a command that
    only reads), a directory, under a file, or read-only for one that writes. Exit 2."""

    exit_code = ExitCode.USAGE


def damaged(where: object, what: str) -> DamagedStore:
    aside = (
        "point --state at a new database (or drop this one's tables)"
        if "://" in str(where)
        else f"move it aside (mv {where} {where}.damaged)"
    )
    return DamagedStore(
        f"the state store {where} is damaged: {what}",
        hint=f"{aside} and re-run: `a2pctl register` rebuilds a lost store from Twilio, "
        "creating nothing twice",
    )


def failure(exc: BaseException, path: Path) -> A2pError:
    """The StateError (LockedError when busy) for a failed query or open of the store at `path`."""
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, sqlite3.OperationalError) and (
        "disk is full" in lowered or "disk i/o error" in lowered
    ):
        what = "the disk is full" if "full" in lowered else "disk I/O error (a full disk?)"
        return StateError(
            f"cannot write the state store {path}: {what}",
            hint="free some space and re-run the same command: everything recorded before "
            "is kept, and what was sent is looked up before anything is created again",
        )
    if "readonly" in lowered or "read-only" in lowered:
        return UnusableStore(
            f"cannot write the state store {path}: it is read-only",
            hint="give a writable --state (A2PCTL_STATE) to commands that register or record",
        )
    if "locked" in lowered or "busy" in lowered:
        return LockedError(
            f"the state store {path} is busy: another process has held it for over "
            f"{BUSY_TIMEOUT_SECONDS:g} s",
            hint="wait for it to finish, or use another --state",
        )
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return damaged(path, text)  # not a database, malformed, a constraint broken
    if any(word in lowered for word in ("no such table", "no such column", "malformed")):
        return damaged(path, text)
    if isinstance(exc, (ValueError, TypeError, KeyError, IndexError)):
        return damaged(path, f"a record is not what a2pctl wrote ({text})")
    return StateError(
        f"the state store {path} failed: {text}",
        hint="check the disk and the --state path (A2PCTL_STATE), then re-run the same command",
    )


def check_tables(conn: Db, schema: str) -> None:
    """Every table of `schema` is there with every column it declares, or `DamagedStore`:
    a replaced or dropped table is found at open, before anything is sent."""
    model = Connection(sqlite3.connect(":memory:"), Path(":memory:"), read_only=False)
    try:
        model.executescript(schema)
        expected = {table: model.columns(table) for table in model.tables()}
    finally:
        model.close()
    for table, columns in expected.items():
        found = conn.columns(table)
        missing = sorted(columns - found)
        if missing:
            what = "is missing" if not found else f"lacks {', '.join(missing)}"
            raise damaged(conn.where, f"table {table} {what}")


class Cursor:
    """A cursor whose fetches report failures as StateError (pages are read lazily)."""

    def __init__(self, cursor: sqlite3.Cursor, path: Path) -> None:
        self._cursor = cursor
        self._path = path

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone()
        except sqlite3.Error as exc:
            raise failure(exc, self._path) from exc

    def fetchall(self) -> list[Any]:
        try:
            return self._cursor.fetchall()
        except sqlite3.Error as exc:
            raise failure(exc, self._path) from exc


class Connection:
    """A SQLite store's connection (`Db`): each query checks the file is still the one
    opened."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool) -> None:
        self._conn = conn
        self.path = path
        self.where = str(path)
        self.read_only = read_only
        self.notifies = False
        self._identity = _identity(path)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        self.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def tables(self) -> set[str]:
        rows = self.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {str(row[0]) for row in rows}

    def columns(self, table: str) -> set[str]:
        return {str(row[1]) for row in self.execute(f"PRAGMA table_info({table})").fetchall()}

    def notify(self) -> None:
        return None  # readers poll the events table

    def wait_for_notify(self, seconds: float) -> bool:
        return False

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        self._check_identity()
        try:
            return Cursor(self._conn.execute(sql, params), self.path)
        except sqlite3.Error as exc:
            raise failure(exc, self.path) from exc

    def executescript(self, script: str) -> None:
        try:
            self._conn.executescript(script)
        except sqlite3.Error as exc:
            raise failure(exc, self.path) from exc

    def close(self) -> None:
        self._conn.close()

    def _check_identity(self) -> None:
        if self._identity is not None and _identity(self.path) != self._identity:
            raise StateError(
                f"the state store {self.path} was deleted or replaced while a2pctl was using it",
                hint="what this run recorded since is lost with it; re-run the same command: "
                "`register` finds what exists in Twilio by its names and creates nothing twice",
            )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def connect(path: Path, *, create: bool, read_only: bool) -> Connection:
    """Open the store's file. `create`: make it (and its directory) if missing; else a
    missing file is `UnusableStore`. `read_only`: never write it."""
    if path.is_dir():
        raise UnusableStore(
            f"state store {path} is a directory", hint="pass a file path to --state"
        )
    if not path.exists() and (read_only or not create):
        raise UnusableStore(
            f"no state store at {path}",
            hint="check --state (A2PCTL_STATE); `a2pctl register` creates it",
        )
    if read_only:
        _make_private(path)  # its modes only: the content is never written
        return Connection(_connect_read_only(path), path, read_only=True)
    try:
        return _connect_writable(path)
    except StateError as exc:
        if create or not _not_writable(exc.__cause__):
            raise
    return Connection(_connect_read_only(path), path, read_only=True)  # read what we can


def connect_memory(path: Path) -> Connection:
    """A store that lives as long as the command, in place of the missing one at `path`."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    return Connection(conn, path, read_only=False)


def _not_writable(exc: BaseException | None) -> bool:
    """Permission denied, a read-only file system, or SQLite unable to write beside it."""
    if isinstance(exc, PermissionError) or getattr(exc, "errno", None) == errno.EROFS:
        return True
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and (
        "readonly" in text or "unable to open" in text or "disk i/o" in text
    )


def _connect_writable(path: Path) -> Connection:
    conn: sqlite3.Connection | None = None
    try:
        _prepare(path)
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # Writable in fact, not only opened so: a file SQLite can only read (its -shm
        # cannot be made) is found now, before a command has sent anything.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise failure(exc, path) from exc
    except OSError as exc:
        bad_path = exc.errno in (errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.ELOOP)
        raise (UnusableStore if bad_path else StateError)(
            f"cannot open the state store {path}: {exc.strerror or exc}",
            hint="check the --state path (A2PCTL_STATE) and its permissions",
        ) from exc
    return Connection(conn, path, read_only=False)


def _prepare(path: Path) -> None:
    """The directory and the file, private, whether new or found with looser modes."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=DIRECTORY_MODE)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
    _make_private(path)


def _make_private(path: Path) -> None:
    """The store, its SQLite files and its own `.a2pctl` directory: no access for others."""
    if path.parent.name == OWN_DIRECTORY:
        _tighten(path.parent, DIRECTORY_MODE)
    for suffix in ("", *_SIDECARS):
        _tighten(Path(f"{path}{suffix}"), FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if current & ~mode:
        # Another user's store, shared with us: its owner decides its mode.
        with contextlib.suppress(PermissionError):
            os.chmod(path, current & mode)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Read-only; where SQLite cannot even create its `-shm` file beside a WAL store
    (a read-only directory), the file is read as immutable: a snapshot."""
    uri = f"file:{quote(str(path.absolute()))}"
    last: sqlite3.DatabaseError | None = None
    for options in ("mode=ro", "immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{uri}?{options}", uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            last = exc
            if not isinstance(exc, sqlite3.OperationalError):
                break  # not a database at all: the same either way
    assert last is not None
    raise failure(last, path) from last
