"""The state store: durable steps and SIDs, permissions, schema version, the writer lock.
Every test but the file modes runs on both backends, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from a2pctl.errors import ExitCode, LockedError, StateError
from a2pctl.pacing import FakeClock
from a2pctl.state.location import Location
from a2pctl.state.store import SCHEMA_VERSION, Store

ACCOUNT = "AC" + "1" * 32


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store  # this module's tests run on both backends


def test_store_creates_a_private_directory_and_file(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "fresh" / "state.db"
    Store.open(path, clock).close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_step_started_then_done_keeps_its_sid_across_reopen(
    location: Location, clock: FakeClock
) -> None:
    path = location
    store = Store.open(path, clock)
    store.mark_started("acme", ACCOUNT, "brand")
    store.record_sid("acme", ACCOUNT, "brand", "BN" + "a" * 32)
    store.close()
    reopened = Store.open(path, clock)
    record = reopened.steps("acme", ACCOUNT)["brand"]
    assert (record.status, record.sid) == ("started", "BN" + "a" * 32)
    reopened.mark_done("acme", ACCOUNT, "brand", data={"status": "PENDING"})
    record = reopened.steps("acme", ACCOUNT)["brand"]
    assert (record.status, record.sid, record.data) == (
        "done",
        "BN" + "a" * 32,
        {"status": "PENDING"},
    )


def test_a_failed_step_keeps_its_error_until_started_again(store: Store) -> None:
    store.mark_failed("acme", ACCOUNT, "campaign", {"code": 21717, "message": "no"})
    assert store.steps("acme", ACCOUNT)["campaign"].error == {"code": 21717, "message": "no"}
    store.mark_started("acme", ACCOUNT, "campaign")
    record = store.steps("acme", ACCOUNT)["campaign"]
    assert (record.status, record.error) == ("started", None)


def test_resources_keep_the_last_known_status(store: Store) -> None:
    sid = "BN" + "b" * 32
    store.record_resource(sid, kind="brand", status="PENDING", name="acme", account=ACCOUNT)
    store.record_resource(
        sid, kind="brand", status="APPROVED", detail={"identity_status": "VERIFIED"}, source="event"
    )
    found = store.find_resource(sid)
    assert found is not None
    assert (found.status, found.name, found.source) == ("APPROVED", "acme", "event")
    assert found.detail == {"identity_status": "VERIFIED"}
    assert [r.sid for r in store.resources(name="acme")] == [sid]


def test_an_event_is_recorded_once(store: Store) -> None:
    assert store.add_event("CE" + "1" * 32, "t", {"a": 1}) is True
    assert store.add_event("CE" + "1" * 32, "t", {"a": 2}) is False
    assert [e.data for e in store.events()] == [{"a": 1}]


def test_a_store_from_a_newer_a2pctl_is_refused(location: Location, clock: FakeClock) -> None:
    store = Store.open(location, clock)
    store._conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
    )
    store.close()
    with pytest.raises(StateError, match="newer a2pctl"):
        Store.open(location, clock)


def _foreign_lease(store: Store, pid: int, host: str, expires_in: float) -> None:
    """Another process's lease row, as it would have written it."""
    now = store._clock.now()
    store._conn.execute(
        "INSERT INTO leases (name, account, holder, host, pid, acquired_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        ("acme", ACCOUNT, f"{host}:{pid}:beef", host, pid, now, now + expires_in),
    )


def test_a_registration_locked_by_a_live_process_is_refused(store: Store) -> None:
    _foreign_lease(store, os.getppid(), socket.gethostname(), 300)  # alive for the whole test
    with pytest.raises(LockedError) as caught, store.lock("acme", ACCOUNT):
        pass
    assert caught.value.exit_code == ExitCode.LOCKED
    assert f"pid {os.getppid()}" in caught.value.message
    with store.lock("other-customer", ACCOUNT):  # other registrations are not blocked
        pass


def test_a_lock_left_by_a_dead_process_is_taken_over(store: Store) -> None:
    _foreign_lease(store, 2**22 + 12345, socket.gethostname(), 300)  # no such pid
    with store.lock("acme", ACCOUNT):
        held = store._conn.execute("SELECT pid, holder FROM leases WHERE name = 'acme'").fetchone()
        assert tuple(held) == (os.getpid(), store.holder)
    assert store._conn.execute("SELECT count(*) FROM leases").fetchone()[0] == 0
