"""Every account at full speed: the runs of each (sub)account go in their own thread, each
account at its own rate limit, all at once.

On a `ThreadedFakeClock` the threads share simulated time deterministically (one runs at
a time, the one due first wakes), so these default tests see the overlap without sleeping.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import defaultdict
from pathlib import Path

import pytest
from engine_support import SOLE_PROPRIETOR, Hit, Killed, World, count_resources, make_world

from a2pctl.pacing import ThreadedFakeClock

ACCOUNTS = [f"AC{index:032x}" for index in range(1, 4)]
PER_ACCOUNT = 2


def customers(directory: Path, accounts: list[str], per_account: int) -> list[Path]:
    """Sole proprietors, `per_account` in each subaccount, each with its own numbers."""
    directory.mkdir(parents=True, exist_ok=True)
    text = SOLE_PROPRIETOR.read_text()
    files = []
    for index in range(len(accounts) * per_account):
        account = accounts[index % len(accounts)]
        file = directory / f"customer-{index:03d}.yaml"
        file.write_text(
            text.replace("jane-doe-pottery", f"customer-{index:03d}")
            .replace("+14155550123", f"+1415555{1000 + index:04d}")
            .replace("+14155550101", f"+1415556{1000 + index:04d}")
            .replace(
                "\nflow: sole_proprietor\n", f"\nflow: sole_proprietor\naccount_sid: {account}\n"
            )
        )
        files.append(file)
    return files


def account_of(hit: Hit) -> str:
    """The account a request acts for (the token fetch is the main account's, for it)."""
    found = re.match(r"/2010-04-01/Accounts/(AC[0-9a-f]{32})\.json$", hit.path)
    if found:
        return found.group(1)
    assert hit.auth is not None
    return hit.auth[0]


def per_account(hits: list[Hit]) -> dict[str, list[Hit]]:
    grouped: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        grouped[account_of(hit)].append(hit)
    return grouped


def span(hits: list[Hit]) -> float:
    return hits[-1].at - hits[0].at


def with_latency(world: World, seconds: float) -> World:
    """Every answer takes `seconds` (simulated) to come back."""
    world.simulator.inject_fault(method="*", path="*", delay=seconds, times=10**6)
    return world


def threaded_world(directory: Path) -> tuple[World, list[str]]:
    """A world on a shared fake clock, recording the thread that sent each request."""
    world = make_world(directory, clock=ThreadedFakeClock())
    threads: list[str] = []
    world.recorder.before = lambda method, path: threads.append(threading.current_thread().name)
    return world, threads


def test_each_account_sends_at_its_own_rate_in_its_own_thread_all_at_once(
    tmp_path: Path,
) -> None:
    # A second per answer: in one thread, every account's answers would queue behind the
    # others' (four accounts: ~800 s against ~660 s for one, measured).
    alone = with_latency(make_world(tmp_path / "alone"), 1.0)
    alone.register(*customers(tmp_path / "alone", ACCOUNTS[:1], PER_ACCOUNT))
    one_account = span(alone.recorder.hits)

    world, threads = threaded_world(tmp_path / "many")
    with_latency(world, 1.0)
    outcomes = world.register(*customers(tmp_path / "many", ACCOUNTS, PER_ACCOUNT))

    assert {o.outcome for o in outcomes} == {"complete"}, [o.errors for o in outcomes]
    hits = world.recorder.hits
    grouped = per_account(hits)
    assert set(grouped) == set(ACCOUNTS)
    for account, sent in grouped.items():
        gaps = [b.at - a.at for a, b in itertools.pairwise(sent)]
        assert min(gaps) >= 1.0 - 1e-9, account  # each account keeps its own 1 request/s
        assert span(sent) <= one_account + 1.0  # ...and takes what it takes alone
    # All at once: the whole run takes what one account takes, not more per account. Each
    # subaccount's token is read by the main account, a request at the main account's
    # rate (with main's pacing of it, 1 s apart): the starts may be that far apart.
    stagger = len(ACCOUNTS) - 1.0
    assert span(hits) <= one_account + stagger + 1.0
    assert max(sent[0].at for sent in grouped.values()) - hits[0].at <= stagger
    # One thread per account, the same for all its requests.
    thread_of: dict[str, set[str]] = defaultdict(set)
    for hit, thread in zip(hits, threads, strict=True):
        thread_of[account_of(hit)].add(thread)
    assert all(len(names) == 1 for names in thread_of.values())
    assert len({name for names in thread_of.values() for name in names}) == len(ACCOUNTS)
    assert count_resources(world)["brands"] == 0  # all in the subaccounts, none in the main


def _masked(hits: list[Hit]) -> list[tuple[float, str, str, str]]:
    sids = re.compile(r"[A-Z]{2}[0-9a-f]{32}")
    return [(h.at, h.method, account_of(h), sids.sub("SID", h.path)) for h in hits]


def test_threads_on_the_shared_fake_clock_send_the_same_requests_at_the_same_times(
    tmp_path: Path,
) -> None:
    runs = []
    for attempt in ("first", "second"):
        world, _ = threaded_world(tmp_path / attempt)
        world.register(*customers(tmp_path / attempt, ACCOUNTS, PER_ACCOUNT), wait=False)
        runs.append(_masked(world.recorder.hits))
    assert runs[0] == runs[1]


@pytest.mark.parametrize("error", [Killed, KeyboardInterrupt])
def test_an_error_in_one_account_stops_the_others_and_a_rerun_finishes_everyone(
    tmp_path: Path, error: type[BaseException]
) -> None:
    world, _ = threaded_world(tmp_path)
    files = customers(tmp_path / "files", ACCOUNTS, PER_ACCOUNT)
    victim = ACCOUNTS[1]
    stopped_at: list[int] = []

    def before(method: str, path: str) -> None:
        if threading.current_thread().name != "a2pctl-accounts-1" or stopped_at:
            return  # the victim's thread: its accounts are dealt out in order of appearance
        if len([h for h in world.recorder.hits if account_of(h) == victim]) == 12:
            stopped_at.append(len(world.recorder.hits))
            raise error()

    world.recorder.before = before
    with pytest.raises(error):
        world.register(*files, wait=False)
    assert stopped_at
    after = world.recorder.hits[stopped_at[0] :]
    # The others finish the step in hand (its answer recorded), then stop.
    assert len(after) <= 2 * (len(ACCOUNTS) - 1)
    for index in range(len(files)):
        assert world.store.leases_on(f"customer-{index:03d}") == []  # every lease released

    world.recorder.before = None
    outcomes = world.register(*files, wait=False)
    assert {o.outcome for o in outcomes} == {"pending"}  # at the brand review, every one
    brands = sum(len(world.gateway(account).list_brands()) for account in ACCOUNTS)
    assert brands == len(files)  # nothing created twice
