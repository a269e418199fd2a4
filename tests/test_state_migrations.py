"""Ordered schema migrations (state/schema.py): an old store is upgraded step by step,
a newer one refused (exit 2), and a kill in the middle of a step leaves the old version.
On both backends, SQLite and PostgreSQL."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import InProcess
from paths import REPO
from postgres_support import state_arg

from a2pctl.errors import ExitCode, StateError
from a2pctl.pacing import FakeClock
from a2pctl.state import database, postgres, schema
from a2pctl.state.location import Location
from a2pctl.state.schema import SCHEMA_VERSION, NewerStore
from a2pctl.state.store import Store

ACCOUNT = "AC" + "0" * 32


def _raw(where: Location) -> database.Db:
    """The store's connection, under the store: to write what an older a2pctl left."""
    if where.url is not None:
        return postgres.connect(where.url, read_only=False)
    assert where.path is not None
    return database.connect(where.path, create=True, read_only=False)


def _tables(where: Location) -> set[str]:
    conn = _raw(where)
    try:
        return conn.tables()
    finally:
        conn.close()


def _version(where: Location) -> str | None:
    conn = _raw(where)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return None if row is None else str(row[0])
    finally:
        conn.close()


def _version_1_store(where: Location, *, with_row: bool = True) -> None:
    """A store as a2pctl with schema version 1 left it: one registration, one pid lock."""
    conn = _raw(where)
    for statement in schema.BASE.split(";"):
        if statement.strip():
            conn.execute(statement)
    if with_row:
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
    conn.execute(
        "INSERT INTO registrations VALUES ('acme', ?, 'standard', 'acme.yaml', 1.0, 2.0)",
        (ACCOUNT,),
    )
    conn.execute("INSERT INTO locks VALUES ('acme', ?, 1, 'host', 0)", (ACCOUNT,))
    conn.close()


def test_the_migrations_are_ordered_and_end_at_the_code_version() -> None:
    versions = [version for version, _ in schema.MIGRATIONS]
    assert versions == list(range(2, 2 + len(versions)))
    assert versions[-1] == SCHEMA_VERSION


def test_a_new_store_is_at_the_current_version(location: Location, clock: FakeClock) -> None:
    path = location
    Store.open(path, clock).close()
    assert _version(path) == str(SCHEMA_VERSION)
    assert {"leases", "rate_slots"} <= _tables(path)
    assert "locks" not in _tables(path)


@pytest.mark.parametrize("with_row", [True, False], ids=["version-1", "before-versions"])
def test_an_old_store_is_upgraded_and_keeps_its_records(
    location: Location, clock: FakeClock, with_row: bool
) -> None:
    path = location
    _version_1_store(path, with_row=with_row)
    store = Store.open(path, clock)
    try:
        assert [r.name for r in store.registrations()] == ["acme"]
        with store.lock("acme", ACCOUNT):  # the old pid lock is gone with its table
            pass
    finally:
        store.close()
    assert _version(path) == str(SCHEMA_VERSION)
    assert "locks" not in _tables(path)


def test_an_old_store_opened_read_only_is_read_as_it_is(
    location: Location, clock: FakeClock
) -> None:
    path = location
    _version_1_store(path)
    store = Store.open(path, clock, read_only=True)
    try:
        assert [r.name for r in store.registrations()] == ["acme"]
    finally:
        store.close()
    assert _version(path) == "1"  # nothing written


def _newer(where: Location, clock: FakeClock) -> None:
    Store.open(where, clock).close()
    conn = _raw(where)
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
    )
    conn.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_a_newer_store_is_refused_naming_the_file_and_versions(
    location: Location, clock: FakeClock, read_only: bool
) -> None:
    path = location
    _newer(path, clock)
    with pytest.raises(NewerStore) as caught:
        Store.open(path, clock, read_only=read_only)
    assert caught.value.exit_code == ExitCode.USAGE
    message = caught.value.message
    assert str(path) in message
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert _version(path) == str(SCHEMA_VERSION + 1)  # left as it was


def test_the_cli_refuses_a_newer_store_with_exit_2(
    location: Location, clock: FakeClock, cli: InProcess, tmp_path: Path
) -> None:
    path = location
    _newer(path, clock)
    result = cli("unlock", "acme", "--state", state_arg(path), cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE
    assert "newer a2pctl" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_failing_step_is_rolled_back_whole(
    location: Location, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = location
    _version_1_store(path)
    broken = [(2, schema.MIGRATIONS[0][1] + ["CREATE TABLE registrations (x)"])]
    monkeypatch.setattr(schema, "MIGRATIONS", broken + schema.MIGRATIONS[1:])
    with pytest.raises(StateError, match="to schema version 2") as caught:
        Store.open(path, clock)
    assert "left unchanged at version 1" in str(caught.value.hint)
    assert _version(path) == "1"
    assert "locks" in _tables(path)
    assert "leases" not in _tables(path)


_KILLED_MID_STEP = """
import os, signal, sys
from pathlib import Path
from a2pctl.pacing import FakeClock
from a2pctl.state import database
from a2pctl.state.store import Store

from a2pctl.state import postgres

def killing(real):
    def execute(self, sql, params=()):
        if sql.startswith("DROP TABLE locks"):  # the step's second statement: the first is done
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, sql, params)
    return execute
database.Connection.execute = killing(database.Connection.execute)
postgres.PgConnection.execute = killing(postgres.PgConnection.execute)
Store.open(sys.argv[1], FakeClock())
"""


def test_a_kill_in_the_middle_of_a_step_leaves_the_old_version_usable(
    location: Location, clock: FakeClock
) -> None:
    path = location
    _version_1_store(path)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_STEP, state_arg(path)], cwd=REPO, timeout=60, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    # The old version, whole: what an a2pctl of version 1 reads and writes.
    assert _version(path) == "1"
    assert "leases" not in _tables(path)
    conn = _raw(path)
    try:
        database.check_tables(conn, schema.schema_at(1))
    finally:
        conn.close()
    store = Store.open(path, clock)  # and the next open applies the step again
    try:
        assert [r.name for r in store.registrations()] == ["acme"]
    finally:
        store.close()
    assert _version(path) == str(SCHEMA_VERSION)
