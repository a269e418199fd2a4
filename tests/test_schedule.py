"""The scheduler on its own, over stand-in runs: the heap picks exactly what the former
`min` scan picked (soonest ready first; among equals the one advanced least, then file
order), in O(log N) a pick; and real threads stop when one of them fails."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from a2pctl.engine import schedule
from a2pctl.engine.executor import Run, SilentObserver
from a2pctl.pacing import Clock, FakeClock, SystemClock

LOG = list[tuple[str, float]]


class _Store:
    def keep_leases(self) -> None:
        return None

    def registrations_with_events_after(self, received_at: float) -> set[tuple[str, str]]:
        return set()


@dataclass
class StandIn:
    """Takes `steps` advances; after each, ready again after a delay drawn from its seed."""

    name: str
    clock: Clock
    log: LOG
    steps: int
    seed: int
    account: str = "AC1"
    store: _Store = field(default_factory=_Store)
    ready_at: float = 0.0
    waiting: str | None = None
    polls: int = 0
    outcome: Any = None
    done: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def advance(self, *, wait: bool, deadline: float, poll_seconds: float, pause: float) -> None:
        self.log.append((self.name, self.clock.now()))
        self.done += 1
        if self.done >= self.steps:
            self.outcome = "complete"  # any outcome: the scheduler only tests for one
            return
        delay = self.rng.choice([0.0, 0.0, 0.5, 1.0, 1.0, 2.5, 30.0])
        self.ready_at = self.clock.now() + delay
        self.waiting = "a pause" if delay else None


def stand_ins(count: int, clock: Clock, log: LOG, seed: int) -> list[Run]:
    rng = random.Random(seed)
    runs = [
        StandIn(f"r{i}", clock, log, steps=rng.randint(1, 6), seed=rng.randint(0, 10**6))
        for i in range(count)
    ]
    return cast(list[Run], runs)


def former_schedule(runs: list[Run], clock: Clock) -> None:
    """The scheduler before the heap (the `min` scan over every active run), events aside."""
    order = {id(run): index for index, run in enumerate(runs)}
    turns = {id(run): 0 for run in runs}
    while True:
        active = [run for run in runs if run.outcome is None]
        if not active:
            return
        run = min(active, key=lambda r: (r.ready_at, turns[id(r)], order[id(r)]))
        remaining = run.ready_at - clock.now()
        if remaining > 0:
            clock.sleep(min(remaining, schedule.TICK_SECONDS))
            continue
        turns[id(run)] += 1
        run.advance(wait=False, deadline=0.0, poll_seconds=1.0, pause=0.0)


def run_schedule(runs: list[Run], clock: Clock) -> None:
    schedule.schedule(runs, clock, SilentObserver(), wait=False, deadline=0.0, poll=1.0, pause=0.0)


@pytest.mark.parametrize("seed", range(8))
def test_the_heap_advances_runs_in_the_same_order_at_the_same_times_as_the_min_scan(
    seed: int,
) -> None:
    logs: list[LOG] = []
    for scheduler in (former_schedule, run_schedule):
        clock, log = FakeClock(), cast(LOG, [])
        scheduler(stand_ins(40, clock, log, seed), clock)
        logs.append(log)
    assert logs[0] == logs[1]
    assert len(logs[0]) > 40


def test_picking_the_next_run_does_not_scan_every_run() -> None:
    clock, log = FakeClock(), cast(LOG, [])
    runs = stand_ins(10_000, clock, log, seed=1)  # ~35,000 advances
    started = time.perf_counter()
    run_schedule(runs, clock)
    elapsed = time.perf_counter() - started
    assert all(run.outcome is not None for run in runs)
    # A scan of the active runs per pick is ~10^8 steps here (a minute); the heap: ~0.3 s.
    assert elapsed < 10.0, elapsed


@dataclass
class Endless:
    """A run that never ends; its first advance tells the test it has started."""

    name: str
    account: str
    started: threading.Event
    store: _Store = field(default_factory=_Store)
    ready_at: float = 0.0
    waiting: str | None = None
    polls: int = 0
    outcome: Any = None
    advances: int = 0

    def advance(self, *, wait: bool, deadline: float, poll_seconds: float, pause: float) -> None:
        self.advances += 1
        self.started.set()


@dataclass
class Failing:
    name: str
    account: str
    wait_for: threading.Event
    store: _Store = field(default_factory=_Store)
    ready_at: float = 0.0
    waiting: str | None = None
    polls: int = 0
    outcome: Any = None

    def advance(self, *, wait: bool, deadline: float, poll_seconds: float, pause: float) -> None:
        assert self.wait_for.wait(10), "the other account's thread never started"
        raise KeyboardInterrupt


def test_on_real_threads_a_ctrl_c_in_one_account_stops_the_others() -> None:
    started = threading.Event()
    endless = Endless("endless", "AC2", started)
    runs = cast(list[Run], [Failing("failing", "AC1", started), endless])
    with pytest.raises(KeyboardInterrupt):
        schedule.by_account(
            runs, SystemClock(), SilentObserver(), wait=False, deadline=0.0, poll=1.0, pause=0.0
        )
    assert endless.advances >= 1 and endless.outcome is None  # stopped, not finished
    assert [t.name for t in threading.enumerate() if t.name.startswith("a2pctl-")] == []
