"""One rate limit per account across every process on one store (state/limiter.py)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from paths import REPO
from postgres_support import state_arg

from a2pctl.cli.runtime import Settings, open_runtime
from a2pctl.gateway import Credentials
from a2pctl.pacing import FakeClock, RateLimiter
from a2pctl.state.limiter import STALE_AFTER_SECONDS, StoreRateLimiter
from a2pctl.state.location import Location
from a2pctl.state.store import Store

A = "AC" + "a" * 32
B = "AC" + "b" * 32


@pytest.fixture
def stores(location: Location, clock: FakeClock) -> Iterator[list[Store]]:
    """Three stores on one location (either backend), as three processes would open it."""
    path = location
    opened = [Store.open(path, clock) for _ in range(3)]
    yield opened
    for store in opened:
        store.close()


def test_limiters_on_one_store_interleave_at_the_rate(
    stores: list[Store], clock: FakeClock
) -> None:
    limiters = [StoreRateLimiter(clock, 2.0, store) for store in stores]
    start = clock.now()
    sent = []
    for i in range(12):
        limiters[i % 3].acquire(A)
        sent.append(clock.now() - start)
    assert sent == [i * 0.5 for i in range(12)]  # 2 per second together, not 2 each


def test_processes_in_memory_limiters_would_not(clock: FakeClock) -> None:
    """What the store-backed limiter fixes: one in-process limiter per process each
    spends the whole rate."""
    limiters = [RateLimiter(clock, 2.0) for _ in range(3)]
    for limiter in limiters:
        limiter.acquire(A)
    assert clock.sleeps == []  # three requests at once


def test_accounts_have_their_own_slots(stores: list[Store], clock: FakeClock) -> None:
    first, second = (StoreRateLimiter(clock, 1.0, store) for store in stores[:2])
    first.acquire(A)
    second.acquire(B)  # another account: no wait
    assert clock.sleeps == []
    assert second.ready_at(A) == clock.now() + 1.0
    second.acquire(A)
    assert clock.sleeps == [1.0]


def test_a_slot_far_in_the_future_is_ignored(stores: list[Store], clock: FakeClock) -> None:
    store = stores[0]
    store.take_slot(A, 1.0, STALE_AFTER_SECONDS)
    store._conn.execute(
        "UPDATE rate_slots SET next_at = ?", (clock.now() + STALE_AFTER_SECONDS + 60,)
    )  # a clock that jumped back, or a store a fake clock wrote
    StoreRateLimiter(clock, 1.0, store).acquire(A)
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("settings", "shared"),
    [
        ({"create_store": True}, True),
        ({"create_store": False, "need_store": False}, False),  # a store in memory
        ({"sandbox": True}, False),  # the in-process sandbox: one process, by its lock
    ],
    ids=["on-disk", "in-memory", "in-process-sandbox"],
)
def test_the_runtime_shares_the_rate_through_a_store_on_disk(
    tmp_path: Path, clock: FakeClock, settings: dict[str, Any], shared: bool
) -> None:
    def credentials() -> Credentials:
        return Credentials(A, A, "token")

    options = Settings(state=Location(path=tmp_path / "missing" / "state.db"), **settings)
    with open_runtime(options, credentials, clock=clock) as rt:
        assert isinstance(rt.limiter, StoreRateLimiter) is shared


_SENDER = """
import json, sys
from pathlib import Path
from a2pctl.pacing import SystemClock
from a2pctl.state.limiter import StoreRateLimiter
from a2pctl.state.store import Store

store = Store.open(sys.argv[1], SystemClock())
slots = []
take = store.take_slot
def recorded(*args):
    slot = take(*args)
    slots.append(slot)
    return slot
store.take_slot = recorded
limiter = StoreRateLimiter(SystemClock(), float(sys.argv[2]), store)
for _ in range(int(sys.argv[3])):
    limiter.acquire("AC" + "a" * 32)
print(json.dumps(slots))
"""


@pytest.mark.slow
def test_processes_sharing_a_store_never_exceed_the_rate(
    location: Location, clock: FakeClock
) -> None:
    Store.open(location, clock).close()
    path = state_arg(location)
    rate, each = 50.0, 25
    senders = [
        subprocess.Popen(
            [sys.executable, "-c", _SENDER, path, str(rate), str(each)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    slots = sorted(s for sender in senders for s in json.loads(sender.communicate(timeout=60)[0]))
    assert len(slots) == 3 * each
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) >= 1 / rate - 1e-6
