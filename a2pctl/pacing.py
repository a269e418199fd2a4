"""Time, injected: the Clock protocol, a system and a fake clock, and the
per-account rate limiter that every Twilio request passes through.

Nothing in the engine calls `time.sleep` directly (only SystemClock and the HTTP
sandbox server's injected delays do); tests drive a `FakeClock`.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic-enough timeline (epoch seconds for SystemClock)."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
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
