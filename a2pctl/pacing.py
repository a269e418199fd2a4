"""Time, injected: the Clock protocol, a system and a fake clock, and the
per-account rate limiter that every Twilio request passes through.

Nothing in the engine calls `time.sleep` directly (only SystemClock and the HTTP
sandbox server's injected delays do); tests drive a `FakeClock`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic-enough timeline (epoch seconds for SystemClock)."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    shared_by_threads = True  # real time: every thread sees the same

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that only moves when slept on; records every sleep for assertions."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if seconds > 0:
            self._now += seconds

    def advance(self, seconds: float) -> None:
        self._now += seconds


class RateLimiter:
    """At most `rate` requests per second per account, no bursts.

    Consecutive requests of one account are at least 1/rate seconds apart,
    across everything the process does. `acquire` blocks (on the injected
    clock) until the account may send, then reserves that slot.
    """

    def __init__(self, clock: Clock, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._clock = clock
        self.interval = 1.0 / rate
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def ready_at(self, account: str) -> float:
        """When the account may next send (now or later), without reserving."""
        with self._lock:
            return max(self._next.get(account, 0.0), self._clock.now())

    def acquire(self, account: str) -> None:
        with self._lock:
            now = self._clock.now()
            slot = max(self._next.get(account, 0.0), now)
            self._next[account] = slot + self.interval
        if slot > now:
            self._clock.sleep(slot - now)


class ThreadedFakeClock(FakeClock):
    """A fake clock that several threads share as they would share real time, yet
    deterministically: one participating thread runs at a time; a thread that sleeps
    hands over, and once every participant sleeps (none still to arrive), the one due
    first (then the lowest rank) wakes, with the clock moved to its wake time.

    The engine runs one thread per account (`engine/schedule.py`); on this clock the
    default tests see those threads overlap in simulated time, request for request the
    same each run. A participant must never sleep while holding a lock another one
    needs (the limiter, the store and the simulator sleep outside theirs).
    """

    shared_by_threads = True

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        super().__init__(start)
        self._cond = threading.Condition()
        self._rank: dict[int, int] = {}  # participating thread → its rank
        self._due: dict[int, float] = {}  # participants asleep → when they wake
        self._arriving = 0  # participants announced by `threads` that have not arrived
        self._running: int | None = None

    def threads(self, count: int) -> list[AbstractContextManager[None]]:
        """One context per thread to start, entered first thing in that thread."""
        with self._cond:
            self._arriving += count
        return [self._participant(rank) for rank in range(count)]

    @contextmanager
    def _participant(self, rank: int) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            self._arriving -= 1
            self._rank[me], self._due[me] = rank, self._now
            self._cond.notify_all()  # the last to arrive lets the first due go
            self._turn(me)
        try:
            yield
        finally:
            with self._cond:
                del self._rank[me]
                self._due.pop(me, None)
                self._running = None
                self._cond.notify_all()

    def sleep(self, seconds: float) -> None:
        me = threading.get_ident()
        if me not in self._rank:  # not a participant (one thread alone): a FakeClock
            super().sleep(seconds)
            return
        with self._cond:
            self.sleeps.append(seconds)
            self._due[me] = self._now + max(seconds, 0.0)
            self._running = None
            self._cond.notify_all()
            self._turn(me)

    def _turn(self, me: int) -> None:
        """Wait (holding the condition) until it is this thread's turn to run."""
        while not (self._running is None and not self._arriving and self._first() == me):
            self._cond.wait()
        self._now = max(self._now, self._due.pop(me))
        self._running = me

    def _first(self) -> int:
        return min(self._due, key=lambda ident: (self._due[ident], self._rank[ident]))


def thread_contexts(clock: Clock, count: int) -> list[AbstractContextManager[None]] | None:
    """Contexts for `count` threads sharing `clock` (entered in each), or None when the
    clock cannot be shared by threads (a plain FakeClock: one timeline, one thread)."""
    if not getattr(clock, "shared_by_threads", False):
        return None
    threads = getattr(clock, "threads", None)
    if threads is None:
        return [nullcontext() for _ in range(count)]
    contexts: list[AbstractContextManager[None]] = threads(count)
    return contexts
