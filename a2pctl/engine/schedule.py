"""The scheduler: which registration advances next, and one thread per account.

Runs of one account are interleaved by `schedule`: always the run ready soonest
(then the one advanced least, then file order), picked from a heap in O(log N), so
one customer's pause or review never holds up another. Runs of different accounts
(subaccounts) have separate rate limits, so `by_account` gives each account its own
thread (at most `MAX_THREADS`; beyond that, accounts share threads round-robin and
are interleaved there): every account sends at its own rate at once. An error or
Ctrl-C in one thread stops the others before their next step; the first error is
raised once they have all stopped. On a clock threads cannot share (a plain
`FakeClock`), everything runs in the calling thread, as one schedule.
"""

from __future__ import annotations

import heapq
import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from a2pctl.pacing import Clock, thread_contexts

if TYPE_CHECKING:
    from a2pctl.engine.executor import Observer, Run

# Largest single sleep while waiting, so progress displays can count down, events
# recorded meanwhile (by `events serve`) wake the registration they concern, and a
# stop asked by another thread is seen within this time.
TICK_SECONDS = 1.0
# Threads that send at once: one per account up to this many (each mostly waits on its
# rate limit, a pause or the network).
MAX_THREADS = 32


def by_account(
    runs: list[Run],
    clock: Clock,
    observer: Observer,
    *,
    wait: bool,
    deadline: float,
    poll: float,
    pause: float,
) -> None:
    """Advance every run to its outcome, each account's runs in their own thread."""
    accounts = list(dict.fromkeys(run.account for run in runs))
    count = min(len(accounts), MAX_THREADS)
    contexts = thread_contexts(clock, count) if count > 1 else None
    if contexts is None:
        schedule(runs, clock, observer, wait=wait, deadline=deadline, poll=poll, pause=pause)
        return
    thread_of = {account: index % count for index, account in enumerate(accounts)}
    groups: list[list[Run]] = [[] for _ in range(count)]
    for run in runs:
        groups[thread_of[run.account]].append(run)
    stop = threading.Event()
    failures: list[BaseException] = []
    shared = SerialObserver(observer)

    def work(context: AbstractContextManager[None], group: list[Run]) -> None:
        try:
            with context:
                schedule(
                    group,
                    clock,
                    shared,
                    wait=wait,
                    deadline=deadline,
                    poll=poll,
                    pause=pause,
                    stop=stop,
                )
        except BaseException as exc:  # reported by the calling thread, once all have stopped
            failures.append(exc)
            stop.set()

    threads = [
        threading.Thread(target=work, args=(context, group), name=f"a2pctl-accounts-{i}")
        for i, (context, group) in enumerate(zip(contexts, groups, strict=True))
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # Ctrl-C (SIGTERM) reaches this thread: stop the others, then go
        stop.set()
        for thread in threads:
            thread.join()
        raise
    if failures:
        interrupts = [f for f in failures if isinstance(f, KeyboardInterrupt)]
        raise (interrupts or failures)[0]


class SerialObserver:
    """An observer that threads share: one call at a time (the display is one)."""

    def __init__(self, observer: Observer) -> None:
        self._observer = observer
        self._lock = threading.Lock()

    def step_done(self, registration: str, title: str, sid: str | None) -> None:
        with self._lock:
            self._observer.step_done(registration, title, sid)

    def waiting(self, registration: str, reason: str, remaining: float) -> None:
        with self._lock:
            self._observer.waiting(registration, reason, remaining)

    def notice(self, registration: str, message: str) -> None:
        with self._lock:
            self._observer.notice(registration, message)


def schedule(
    runs: list[Run],
    clock: Clock,
    observer: Observer,
    *,
    wait: bool,
    deadline: float,
    poll: float,
    pause: float,
    stop: threading.Event | None = None,
) -> None:
    """Advance `runs` interleaved until each has an outcome (or `stop` is set): soonest
    ready first; among equals, the one advanced least, then file order. The heap holds
    (ready_at, turns, index) per run; an entry whose key is no longer the run's is stale
    and skipped, so a run moved earlier (an event) is simply pushed again."""
    if not runs:
        return
    store = runs[0].store
    turns = [0] * len(runs)
    heap = [(run.ready_at, 0, index) for index, run in enumerate(runs) if run.outcome is None]
    heapq.heapify(heap)
    index_of = {(run.name, run.account): index for index, run in enumerate(runs)}
    waiting: set[int] = set()  # runs waiting on a review: an event may wake them
    heard_until = clock.now()
    while heap:
        if stop is not None and stop.is_set():
            return
        store.keep_leases()  # the leases stay ours while we wait
        ready_at, turn, index = heap[0]
        run = runs[index]
        if run.outcome is not None or (ready_at, turn) != (run.ready_at, turns[index]):
            heapq.heappop(heap)  # stale
            continue
        remaining = ready_at - clock.now()
        if remaining > 0:
            observer.waiting(run.name, run.waiting or "the next step", remaining)
            _sleep(store, clock, min(remaining, TICK_SECONDS), alone=stop is None)
            now = clock.now()
            if waiting:
                for woken in _heard(runs, waiting, index_of, heard_until, now):
                    heapq.heappush(heap, (now, turns[woken], woken))
            heard_until = now
            continue
        heapq.heappop(heap)
        turns[index] += 1
        run.advance(wait=wait, deadline=deadline, poll_seconds=poll, pause=pause)
        if run.outcome is None:
            heapq.heappush(heap, (run.ready_at, turns[index], index))
        if run.outcome is None and run.waiting is not None:
            waiting.add(index)
        else:
            waiting.discard(index)


def _sleep(store: object, clock: Clock, seconds: float, *, alone: bool) -> None:
    """Wait between steps. Alone in its thread, a store that can wake early does (a
    `nap`: on PostgreSQL, LISTEN for another process's event); threads share the store's
    one connection, so they sleep on the clock and see an event at the next tick."""
    nap = getattr(store, "nap", None) if alone else None
    if nap is not None:
        nap(seconds)
    else:
        clock.sleep(seconds)


def _heard(
    runs: list[Run],
    waiting: set[int],
    index_of: dict[tuple[str, str], int],
    since: float,
    now: float,
) -> list[int]:
    """An event recorded for a registration that waits on a review (by `events serve`,
    into the same store) makes it look now instead of at its next poll."""
    woken = []
    for key in sorted(runs[0].store.registrations_with_events_after(since)):
        index = index_of.get(key)
        if index is None or index not in waiting:
            continue
        run = runs[index]
        if run.ready_at > now:
            run.ready_at, run.polls = now, 0
            woken.append(index)
    return woken
