"""Workers (`register --worker`, engine/worker.py): several processes on one store divide
the registrations of a set of files; none is taken by two; what a crashed worker held is
taken over when its lease expires. Claims run on both backends, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import InProcess
from paths import EXAMPLES

from a2pctl.pacing import FakeClock
from a2pctl.state.leases import LEASE_SECONDS
from a2pctl.state.location import Location
from a2pctl.state.store import Store

A = "AC" + "a" * 32
B = "AC" + "b" * 32
KEYS = [(f"customer-{i}", A) for i in range(5)]


def _foreign_lease(store: Store, name: str, account: str, host: str, pid: int) -> None:
    now = store._clock.now()
    store._conn.execute(
        "INSERT INTO leases (name, account, holder, host, pid, acquired_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (name, account, f"{host}:{pid}:f00d", host, pid, now, now + LEASE_SECONDS),
    )


def test_claims_hand_out_each_registration_once(location: Location, clock: FakeClock) -> None:
    first, second = Store.open(location, clock), Store.open(location, clock)
    try:
        taken = first.claim(KEYS, limit=3, since=clock.now())
        assert taken == KEYS[:3]
        assert second.claim(KEYS, limit=3, since=clock.now()) == KEYS[3:]  # the rest only
        assert second.claim(KEYS, limit=3, since=clock.now()) == []
        assert len(first.unfinished(KEYS, clock.now())) == 5  # held, not finished
    finally:
        first.close()
        second.close()


def test_a_registration_finished_since_the_worker_started_is_not_taken_again(
    location: Location, clock: FakeClock
) -> None:
    store = Store.open(location, clock)
    try:
        started = clock.now()
        store.upsert_registration("customer-0", A, "standard", "c0.yaml")
        clock.advance(1)
        store.record_outcome("customer-0", A, "complete")
        assert store.claim(KEYS, limit=10, since=started) == KEYS[1:]
        assert store.unfinished(KEYS, started) == KEYS[1:]
        # A worker started after that outcome has the registration to look at again.
        for key in KEYS[1:]:
            store.release(*key)
        assert store.claim(KEYS, limit=1, since=clock.now() + 1) == KEYS[:1]
        [registration] = store.find_registrations("customer-0")
        assert (registration.outcome, registration.outcome_at) == ("complete", started + 1)
    finally:
        store.close()


def test_a_lease_of_a_worker_on_another_host_is_taken_over_once_expired(
    location: Location, clock: FakeClock
) -> None:
    store = Store.open(location, clock)
    try:
        _foreign_lease(store, "customer-0", A, "runner-7", 4242)
        assert store.claim(KEYS[:1], limit=1, since=clock.now()) == []
        clock.advance(LEASE_SECONDS)
        assert store.claim(KEYS[:1], limit=1, since=clock.now()) == KEYS[:1]
    finally:
        store.close()


def _customers(directory: Path, count: int) -> list[Path]:
    text = (EXAMPLES / "sole-proprietor.yaml").read_text()
    files = []
    for index in range(count):
        file = directory / f"customer-{index}.yaml"
        file.write_text(
            text.replace("jane-doe-pottery", f"customer-{index}")
            .replace("+14155550123", f"+1415555{1000 + index:04d}")
            .replace("+14155550101", f"+1415556{1000 + index:04d}")
        )
        files.append(file)
    return files


def test_a_worker_registers_every_file_and_takes_over_a_crashed_workers_registration(
    tmp_path: Path, cli: InProcess, clock: FakeClock
) -> None:
    files = _customers(tmp_path, 3)
    state = tmp_path / "state.db"
    # A worker on another host took customer-1 and crashed: its lease runs out later.
    store = Store.open(state, clock)
    from a2pctl.sandbox import SANDBOX_ACCOUNT_SID

    _foreign_lease(store, "customer-1", SANDBOX_ACCOUNT_SID, "runner-7", 4242)
    store.close()
    started = clock.now()
    args = ["register", "--sandbox", "--worker", "--batch", "2", "--wait", "--json"]
    done = cli(*args, "--state", str(state), *map(str, files), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    outcomes = {r["name"]: r["outcome"] for r in json.loads(done.stdout)["registrations"]}
    assert outcomes == dict.fromkeys(("customer-0", "customer-1", "customer-2"), "submitted")
    assert clock.now() - started >= LEASE_SECONDS  # it waited for the lease to expire
    store = Store.open(state, clock, read_only=True)
    try:
        assert store.leases_on("customer-1") == []  # every lease let go
    finally:
        store.close()


@pytest.mark.parametrize("worker", [False, True])
def test_a_worker_run_of_invalid_files_is_exit_2_as_without(
    tmp_path: Path, cli: InProcess, worker: bool
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nflow: standard\n")
    args = ["register", "--sandbox", *(["--worker"] if worker else []), str(bad)]
    assert cli(*args, cwd=tmp_path).returncode == 2
