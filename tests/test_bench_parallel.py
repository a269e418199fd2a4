"""Benchmark: every account at full speed (`pytest -m slow tests/test_bench_parallel.py -s`
prints its figures). Twenty sole proprietors in twenty subaccounts, each answer 150 ms
late, on real time and threads with the sandbox's pauses and rate: the run takes what
one customer's requests and pauses take (the bound), not twenty times that.

The bound: one customer's requests, each the longer of the round trip and the rate
limit's interval, plus its three documented pauses (to the brand review, where a
run without --wait stops), plus the main account's reads of the other subaccounts'
auth tokens: requests of the main account, one rate interval apart where the gateway
paces them as the main account's.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import pytest
from engine_support import Recorder, World
from test_parallel_accounts import account_of, customers, per_account

from a2pctl.cli.runtime import SANDBOX_PAUSE_SECONDS, SANDBOX_RATE
from a2pctl.engine import executor
from a2pctl.pacing import FakeClock, SystemClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, Simulator
from a2pctl.spec import customer as spec
from a2pctl.state.store import Store

CUSTOMERS = 20
ROUND_TRIP = 0.150  # seconds, every answer
PAUSES = 3  # after the customer profile, the trust bundle and the brand


@pytest.mark.slow
def test_twenty_subaccounts_take_what_one_customer_takes(tmp_path: Path) -> None:
    clock = SystemClock()
    simulator = Simulator(now=clock.now, scenario="default", review_seconds=120.0)
    simulator.inject_fault(method="*", path="*", delay=ROUND_TRIP, times=10**6)
    store = Store.open(tmp_path / "state.db", clock)
    fake = cast(FakeClock, clock)  # World's types name the fake clock; real time here
    world = World(fake, store, simulator, Recorder(simulator, fake), rate=SANDBOX_RATE)
    accounts = [f"AC{index:032x}" for index in range(1, CUSTOMERS + 1)]
    checks = [spec.check_file(f) for f in customers(tmp_path / "files", accounts, 1)]

    started = time.monotonic()
    outcomes = executor.register(
        checks,
        store=store,
        clock=clock,
        make_gateway=world.gateway,
        default_account=SANDBOX_ACCOUNT_SID,
        pause_seconds=SANDBOX_PAUSE_SECONDS,
        poll_seconds=1.0,
        wait=False,
        timeout=600.0,
    )
    makespan = time.monotonic() - started

    assert {o.outcome for o in outcomes} == {"pending"}, [o.errors for o in outcomes]
    grouped = per_account(world.recorder.hits)
    assert set(grouped) == set(accounts)
    requests = max(len(sent) for sent in grouped.values())
    one_customer = requests * max(ROUND_TRIP, 1 / SANDBOX_RATE) + PAUSES * SANDBOX_PAUSE_SECONDS
    bound = one_customer + (CUSTOMERS - 1) / SANDBOX_RATE  # the token reads, main's rate
    one_thread = len(world.recorder.hits) * ROUND_TRIP + PAUSES * SANDBOX_PAUSE_SECONDS
    print(
        f"\n{CUSTOMERS} customers in {CUSTOMERS} subaccounts, {ROUND_TRIP * 1000:.0f} ms a "
        f"round trip: {len(world.recorder.hits)} requests ({requests} a customer) in "
        f"{makespan:.2f} s; one customer's requests and pauses {one_customer:.2f} s (ratio "
        f"{makespan / one_customer:.2f}), with the main account's token reads {bound:.2f} s "
        f"(ratio {makespan / bound:.2f}); in one thread the round trips alone: {one_thread:.0f} s"
    )
    assert all(account_of(hit) in accounts for hit in world.recorder.hits)
    assert makespan <= 1.2 * bound
