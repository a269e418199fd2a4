"""Leases (state/leases.py): one writer per registration; a crashed holder's lease
expires and another takes over; renewal keeps it; `a2pctl unlock` releases it.
On both backends, SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from cli_support import InProcess
from paths import EXAMPLES, REPO
from postgres_support import state_arg

from a2pctl.errors import ExitCode, LockedError
from a2pctl.pacing import FakeClock
from a2pctl.state.leases import LEASE_SECONDS, LeaseLost
from a2pctl.state.location import Location
from a2pctl.state.store import Store

ACCOUNT = "AC" + "0" * 32


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store  # this module's tests run on both backends


@pytest.fixture
def two(location: Location, clock: FakeClock) -> Iterator[tuple[Store, Store]]:
    """Two stores on one file, as two processes would open it, on one clock."""
    path = location
    first, second = Store.open(path, clock), Store.open(path, clock)
    yield first, second
    first.close()
    second.close()


def _foreign(store: Store, host: str, pid: int, expires_in: float) -> None:
    now = store._clock.now()
    store._conn.execute(
        "INSERT INTO leases (name, account, holder, host, pid, acquired_at, expires_at) "
        "VALUES ('acme', ?, ?, ?, ?, ?, ?)",
        (ACCOUNT, f"{host}:{pid}:cafe", host, pid, now, now + expires_in),
    )


def test_the_holder_id_is_host_pid_and_random(two: tuple[Store, Store]) -> None:
    first, second = two
    assert first.holder != second.holder
    assert first.holder.rsplit(":", 1)[0] == second.holder.rsplit(":", 1)[0]


def test_two_stores_on_one_file_never_both_hold_a_lease(two: tuple[Store, Store]) -> None:
    first, second = two
    with first.lock("acme", ACCOUNT):
        with pytest.raises(LockedError) as caught, second.lock("acme", ACCOUNT):
            pass
        assert caught.value.exit_code == ExitCode.LOCKED
        assert "a2pctl unlock acme" in str(caught.value.hint)
        with second.lock("other", ACCOUNT):  # another registration is free
            pass
    with second.lock("acme", ACCOUNT):  # released at the end
        pass


def test_an_expired_lease_is_taken_over_and_its_old_holder_stops(
    two: tuple[Store, Store], clock: FakeClock
) -> None:
    first, second = two
    with ExitStack() as held:
        held.enter_context(first.lock("acme", ACCOUNT))
        first.mark_started("acme", ACCOUNT, "brand.create")  # renews: it is ours
        clock.advance(LEASE_SECONDS + 1)  # the holder hung (or crashed): nothing renewed
        with second.lock("acme", ACCOUNT):
            # The old holder wakes: its next step start is refused, so nothing is sent twice.
            with pytest.raises(LeaseLost) as lost:
                first.mark_started("acme", ACCOUNT, "campaign.create")
            assert lost.value.exit_code == ExitCode.LOCKED
            with pytest.raises(LeaseLost):
                first.renew_leases()
            assert "campaign.create" not in first.steps("acme", ACCOUNT)
            second.mark_started("acme", ACCOUNT, "campaign.create")
        # first's release at the end does not touch a lease that is no longer its own
    assert first.leases_on("acme") == []


def test_renewal_keeps_the_lease(two: tuple[Store, Store], clock: FakeClock) -> None:
    first, second = two
    with first.lock("acme", ACCOUNT):
        for _ in range(4):  # 4 × 0.6 lease: long past the first expiry
            clock.advance(LEASE_SECONDS * 0.6)
            first.renew_leases()
            with pytest.raises(LockedError), second.lock("acme", ACCOUNT):
                pass
        (lease,) = first.leases_on("acme")
        assert lease.expires_at == clock.now() + LEASE_SECONDS


def test_a_lease_of_another_host_waits_for_its_expiry(store: Store, clock: FakeClock) -> None:
    _foreign(store, "runner-7", 4242, expires_in=LEASE_SECONDS)
    with pytest.raises(LockedError, match="pid 4242 on runner-7"), store.lock("acme", ACCOUNT):
        pass
    clock.advance(LEASE_SECONDS)
    with store.lock("acme", ACCOUNT):
        assert [lease.holder for lease in store.leases_on("acme")] == [store.holder]


def test_unlock_releases_a_lease_and_says_whose_it_was(
    tmp_path: Path, location: Location, clock: FakeClock, cli: InProcess
) -> None:
    path = state_arg(location)
    store = Store.open(location, clock)
    try:
        _foreign(store, "runner-7", 4242, expires_in=LEASE_SECONDS)
        result = cli("unlock", "acme", "--state", str(path), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Released the lease on 'acme'" in result.stdout
        assert "pid 4242 on runner-7" in result.stdout
        assert f"account {ACCOUNT}" in result.stdout
        assert store.leases_on("acme") == []
        again = cli("unlock", "acme", "--state", str(path), cwd=tmp_path)
        assert again.returncode == 0
        assert "nothing to release" in again.stdout
    finally:
        store.close()


def test_unlock_of_a_running_holder_stops_it_before_its_next_request(
    two: tuple[Store, Store], cli: InProcess, tmp_path: Path
) -> None:
    first, _ = two
    with first.lock("acme", ACCOUNT):
        result = cli("unlock", "acme", "--state", state_arg(first.location), cwd=tmp_path)
        assert result.returncode == 0
        with pytest.raises(LeaseLost):
            first.mark_started("acme", ACCOUNT, "brand.create")


def test_unlock_without_a_store_is_a_usage_error(tmp_path: Path, cli: InProcess) -> None:
    result = cli("unlock", "acme", "--state", str(tmp_path / "none.db"), cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE
    assert "no state store" in result.stderr
    assert not (tmp_path / "none.db").exists()


_CONTENDER = """
import sys
from pathlib import Path
from a2pctl.errors import LockedError
from a2pctl.pacing import SystemClock
from a2pctl.state.store import Store

store = Store.open(sys.argv[1], SystemClock())
try:
    with store.lock("acme", "AC" + "0" * 32):
        print("held", flush=True)
        sys.stdin.read()  # hold it until the test has heard from everyone
except LockedError:
    print("locked", flush=True)
"""


def test_processes_racing_for_one_lease_get_it_once(location: Location, clock: FakeClock) -> None:
    path = state_arg(location)
    Store.open(location, clock).close()
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _CONTENDER, str(path)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        said = [racer.stdout.readline().strip() for racer in racers if racer.stdout]
    finally:
        for racer in racers:
            assert racer.stdin is not None
            racer.stdin.close()
            racer.wait(timeout=60)
    assert sorted(said) == ["held", "locked", "locked", "locked"]


def test_a_register_run_renews_its_lease_while_it_waits(
    tmp_path: Path, cli: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    renewed: list[list[tuple[bool, float]]] = []
    real = Store.renew_leases

    def spy(self: Store) -> None:
        real(self)
        now = self._clock.now()
        held = self.leases_on("jane-doe-pottery")
        renewed.append([(lease.holder == self.holder, lease.expires_at - now) for lease in held])

    monkeypatch.setattr(Store, "renew_leases", spy)
    # Pauses longer than a lease: without renewal another process could take it over.
    args = ["register", "--sandbox", "--wait", "--pause-seconds", str(LEASE_SECONDS + 100)]
    done = cli(*args, str(EXAMPLES / "sole-proprietor.yaml"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(renewed) >= 3
    assert all(entry == [(True, LEASE_SECONDS)] for entry in renewed)


def test_a_command_that_sends_keeps_its_lease_through_its_requests(
    two: tuple[Store, Store], clock: FakeClock
) -> None:
    """deregister, or a command driving the in-process sandbox: no scheduler renews for
    them, their request slots and saved blobs do."""
    first, second = two
    with first.lock("acme", ACCOUNT):
        for i in range(6):  # 6 × 100 s: twice a lease
            clock.advance(100)
            if i % 2:
                first.take_slot(ACCOUNT, 1.0, 600)
            else:
                first.put_blob("sandbox", "{}")
        with pytest.raises(LockedError), second.lock("acme", ACCOUNT):
            pass
