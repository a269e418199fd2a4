"""One store shared by threads (`state/serial.py`): each public method holds the store's
lock, transactions included, so threads writing at once neither fail nor interleave a
statement inside another's transaction."""

from __future__ import annotations

import threading
from pathlib import Path

from a2pctl.pacing import SystemClock
from a2pctl.state.store import Store

THREADS, WRITES = 8, 60


def test_threads_write_one_store_at_once_without_errors_or_lost_writes(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db", SystemClock())
    failures: list[BaseException] = []
    slots: list[float] = []
    start = threading.Barrier(THREADS)

    def work(index: int) -> None:
        name, account = f"customer-{index}", f"AC{index:032x}"
        try:
            start.wait()
            with store.lock(name, account):  # the lease: entered and exited under the lock
                for step in range(WRITES):
                    store.mark_started(name, account, f"step-{step}")  # a transaction
                    store.mark_done(name, account, f"step-{step}", sid=f"XX{step}")
                    slots.append(store.take_slot("AC-shared", 0.001, 600.0))  # one too
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    for index in range(THREADS):
        steps = store.steps(f"customer-{index}", f"AC{index:032x}")
        assert len(steps) == WRITES and {s.status for s in steps.values()} == {"done"}
        assert store.leases_on(f"customer-{index}") == []
    assert len(set(slots)) == THREADS * WRITES  # every slot taken once: no lost update
    store.close()
