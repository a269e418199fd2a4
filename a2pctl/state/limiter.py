"""One rate limit per Twilio account across every process that shares the store.

`StoreRateLimiter` keeps the in-process `RateLimiter` interface (`acquire(account)`,
`ready_at(account)`), but the account's next free slot lives in the store's
`rate_slots` table and is taken in one write transaction: N processes on
one store together send at most `rate` requests per second per account. The wait
for the slot is slept on the injected clock, outside the transaction.
"""

from __future__ import annotations

from a2pctl.pacing import Clock, RateLimiter
from a2pctl.state.store import Store

# A recorded slot further ahead than this is a clock that jumped back (or a fake one's
# store reused), not a queue of waiting processes: it is ignored rather than waited for.
STALE_AFTER_SECONDS = 600.0


class StoreRateLimiter(RateLimiter):
    def __init__(self, clock: Clock, rate: float, store: Store) -> None:
        super().__init__(clock, rate)
        self._store = store

    def ready_at(self, account: str) -> float:
        return self._store.slot_ready_at(account)

    def acquire(self, account: str) -> None:
        with self._lock:
            slot = self._store.take_slot(account, self.interval, STALE_AFTER_SECONDS)
            now = self._clock.now()
        if slot > now:
            self._clock.sleep(slot - now)
