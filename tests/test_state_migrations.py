"""Ordered schema migrations (state/schema.py): an old store is upgraded step by step,
a newer one refused (exit 2), and a kill in the middle of a step leaves the old version."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import InProcess
from paths import REPO

from a2pctl.errors import ExitCode, StateError
from a2pctl.pacing import FakeClock
from a2pctl.state import database, schema
from a2pctl.state.schema import SCHEMA_VERSION, NewerStore
from a2pctl.state.store import Store

ACCOUNT = "AC" + "0" * 32


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {row[0] for row in rows}
    finally:
        conn.close()


def _version(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return None if row is None else str(row[0])
    finally:
        conn.close()


def _version_1_store(path: Path, *, with_row: bool = True) -> None:
    """A store as a2pctl with schema version 1 left it: one registration, one pid lock."""
    conn = sqlite3.connect(path)
    conn.executescript(schema.BASE)
    if with_row:
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
    conn.execute(
        "INSERT INTO registrations VALUES ('acme', ?, 'standard', 'acme.yaml', 1.0, 2.0)",
        (ACCOUNT,),
    )
    conn.execute("INSERT INTO locks VALUES ('acme', ?, 1, 'host', 0)", (ACCOUNT,))
    conn.commit()
    conn.close()


def test_the_migrations_are_ordered_and_end_at_the_code_version() -> None:
    versions = [version for version, _ in schema.MIGRATIONS]
    assert versions == list(range(2, 2 + len(versions)))
    assert versions[-1] == SCHEMA_VERSION


def test_a_new_store_is_at_the_current_version(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "s.db"
    Store.open(path, clock).close()
    assert _version(path) == str(SCHEMA_VERSION)
    assert {"leases", "rate_slots"} <= _tables(path)
    assert "locks" not in _tables(path)


@pytest.mark.parametrize("with_row", [True, False], ids=["version-1", "before-versions"])
def test_an_old_store_is_upgraded_and_keeps_its_records(
    tmp_path: Path, clock: FakeClock, with_row: bool
) -> None:
    path = tmp_path / "s.db"
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


def test_an_old_store_opened_read_only_is_read_as_it_is(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "s.db"
    _version_1_store(path)
    store = Store.open(path, clock, read_only=True)
    try:
        assert [r.name for r in store.registrations()] == ["acme"]
    finally:
        store.close()
    assert _version(path) == "1"  # nothing written


def _newer(path: Path, clock: FakeClock) -> None:
    Store.open(path, clock).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_a_newer_store_is_refused_naming_the_file_and_versions(
    tmp_path: Path, clock: FakeClock, read_only: bool
) -> None:
    path = tmp_path / "s.db"
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
    tmp_path: Path, clock: FakeClock, cli: InProcess
) -> None:
    path = tmp_path / "s.db"
    _newer(path, clock)
    result = cli("unlock", "acme", "--state", str(path), cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE
    assert "newer a2pctl" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_failing_step_is_rolled_back_whole(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
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

real = database.Connection.execute
def execute(self, sql, params=()):
    if sql.startswith("DROP TABLE locks"):  # the step's second statement: the first is done
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, sql, params)
database.Connection.execute = execute
Store.open(Path(sys.argv[1]), FakeClock())
"""


def test_a_kill_in_the_middle_of_a_step_leaves_the_old_version_usable(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "s.db"
    _version_1_store(path)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_STEP, str(path)], cwd=REPO, timeout=60, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    # The old version, whole: what an a2pctl of version 1 reads and writes.
    assert _version(path) == "1"
    assert "leases" not in _tables(path)
    conn = database.connect(path, create=False, read_only=False)
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
