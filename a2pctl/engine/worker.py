"""`register --worker`: several processes (on one host or many) share one store and divide
a set of customer files between them, none registered by two (docs/architecture.md §4).

A worker claims up to `batch` registrations at a time that no live lease holds and no
worker finished since this worker started (`Store.claim`: one write transaction, the
store's equivalent of `SELECT … FOR UPDATE SKIP LOCKED`), advances them as `register`
does (interleaved, each account at its rate, every SID recorded), which records their
outcomes, and lets go. When nothing is left to claim but another worker still holds
some, it waits and claims again: a worker that crashed leaves leases that are taken
over once they expire (at once on the same host, where its process is seen gone), so
its registrations are finished by another. A worker ends when every registration has
an outcome recorded since it started.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from a2pctl.engine.executor import Observer, account_for
from a2pctl.engine.outcomes import Outcome, invalid_outcome

if TYPE_CHECKING:
    from a2pctl.pacing import Clock
    from a2pctl.spec.customer import FileCheck
    from a2pctl.state.store import Store

DEFAULT_BATCH = 10
IDLE_POLL_SECONDS = 5.0  # how often an idle worker looks for registrations to take over
OTHERS = "(other workers)"  # what an idle worker's progress line is about


def work(
    checks: list[FileCheck],
    store: Store,
    clock: Clock,
    default_account: str,
    advance: Callable[[list[FileCheck]], list[Outcome]],
    *,
    batch: int = DEFAULT_BATCH,
    idle_poll_seconds: float = IDLE_POLL_SECONDS,
    observer: Observer | None = None,
) -> tuple[list[Outcome], int]:
    """Claim and `advance` (the executor's `register`, paced) batches until every valid
    file's registration is finished by someone. Returns this worker's outcomes in file
    order (invalid files included) and how many registrations other workers finished."""
    started = clock.now()
    by_key: dict[tuple[str, str], FileCheck] = {}
    results: dict[str, Outcome] = {}
    for check in checks:
        if not check.valid or check.customer is None:
            results[check.file] = invalid_outcome(check)
            continue
        key = (check.customer.name, account_for(check.customer, default_account))
        by_key.setdefault(key, check)  # a second file of one name: refused by claims.check
    handled: set[tuple[str, str]] = set()  # by this worker, whatever came of it
    while True:
        todo = [key for key in by_key if key not in handled]
        claimed = store.claim(todo, limit=batch, since=started)
        if claimed:
            try:
                done = advance([by_key[key] for key in claimed])
            finally:
                for name, account in claimed:
                    store.release(name, account)
            handled.update(claimed)
            results.update((outcome.file, outcome) for outcome in done)
            continue
        left = store.unfinished(todo, started)
        if not left:
            break
        if observer is not None:
            held = f"{len(left)} held by other workers"
            observer.waiting(OTHERS, held, idle_poll_seconds)
        store.keep_leases()
        store.nap(idle_poll_seconds)
    own = [results[check.file] for check in checks if check.file in results]
    return own, len(by_key) - len(handled)
