"""Workers for real (slow): `register --worker` processes on one PostgreSQL store against
the sandbox served over HTTP, which records every request's time and account.

- Four workers, 20 customer files across 4 accounts: all registered, one brand and one
  campaign each, no account ever above its rate; a worker killed mid-run leaves its
  registrations to the others, who finish them.
- The benchmark: makespan of 4 workers against 1 on the same work, with its ratio to
  the rate bound, with a round trip of 100 ms per request (printed; run with -s).
"""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cli_support import cli_env
from paths import EXAMPLES
from postgres_support import PostgresServer

from a2pctl.pacing import SystemClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator, serve
from a2pctl.sandbox.simulator import SimResponse
from a2pctl.state.store import Store

pytestmark = pytest.mark.slow

ACCOUNTS = [f"AC{index:032x}" for index in range(0xA1, 0xA5)]  # four subaccounts
FILES = 20
RATE = 10.0  # requests per second per account, for every worker together
DONE = {"submitted", "complete"}  # the campaign in review, or already verified


@dataclass
class Served:
    url: str
    simulator: Simulator
    hits: list[tuple[float, str, str, str]] = field(default_factory=list)  # at, account, …

    def posts(self, suffix: str) -> int:
        return sum(
            1 for _, _, method, path in self.hits if method == "POST" and path.endswith(suffix)
        )

    def busiest_second(self) -> dict[str, int]:
        """Per account, the most requests seen in any one-second window."""
        most: dict[str, int] = {}
        for account in {hit[1] for hit in self.hits}:
            times = sorted(at for at, who, _, _ in self.hits if who == account)
            most[account] = max(
                sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)
            )
        return most


def _serve(latency: float) -> Iterator[Served]:
    simulator = Simulator(review_seconds=0.2)
    served = Served("", simulator)
    lock = threading.Lock()
    real = simulator.handle

    def handle(method: str, url: str, headers: Mapping[str, str], body: bytes) -> SimResponse:
        user = base64.b64decode(headers.get("Authorization", "Basic Og==")[6:]).decode()
        with lock:
            served.hits.append((time.monotonic(), user.split(":")[0], method, url.split("?")[0]))
        answer = real(method, url, headers, body)
        answer.delay += latency  # the round trip, waited for in the server's thread
        return answer

    simulator.handle = handle  # type: ignore[method-assign]
    server = serve(simulator, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    served.url = f"http://{host!s}:{port}"
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture
def served() -> Iterator[Served]:
    yield from _serve(latency=0.0)


def _customers(directory: Path) -> list[Path]:
    text = (EXAMPLES / "sole-proprietor.yaml").read_text()
    directory.mkdir()
    for index in range(FILES):
        account = ACCOUNTS[index % len(ACCOUNTS)]
        (directory / f"customer-{index:02d}.yaml").write_text(
            text.replace("jane-doe-pottery", f"customer-{index:02d}")
            .replace("+14155550123", f"+1415555{1000 + index:04d}")
            .replace("+14155550101", f"+1415556{1000 + index:04d}")
            .replace("jane@janedoepottery", f"jane{index}@janedoepottery")  # 10 brands at most
            .replace(
                "\nflow: sole_proprietor\n", f"\nflow: sole_proprietor\naccount_sid: {account}\n"
            )
        )
    return sorted(directory.iterdir())


def _workers(
    count: int, served: Served, state: str, directory: Path, cwd: Path, batch: int = 2
) -> list[subprocess.Popen[str]]:
    env = cli_env() | {
        "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
        "A2PCTL_API_URL": served.url,
    }
    args = ["register", "--worker", "--batch", str(batch), "--wait", "--json", "--rate", str(RATE)]
    args += ["--pause-seconds", "0.2", "--poll-seconds", "0.2", "--state", state, str(directory)]
    return [
        subprocess.Popen(
            [sys.executable, "-m", "a2pctl", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]


def _outcomes(state: str) -> dict[str, str | None]:
    store = Store.open(state, SystemClock(), read_only=True)
    try:
        return {r.name: r.outcome for r in store.registrations()}
    finally:
        store.close()


def _check_no_duplicate_and_the_rate(served: Served) -> None:
    assert served.posts("/BrandRegistrations") == FILES  # one brand per customer
    assert served.posts("/Compliance/Usa2p") == FILES  # one campaign per customer
    busiest = served.busiest_second()
    assert set(ACCOUNTS) <= set(busiest)
    assert max(busiest.values()) <= RATE + 1, busiest  # +1: a window's both ends


def test_four_workers_divide_twenty_files_across_four_accounts(
    tmp_path: Path, served: Served, postgres: PostgresServer
) -> None:
    state = postgres.fresh_url()
    files = _customers(tmp_path / "customers")
    workers = _workers(4, served, state, files[0].parent, tmp_path)
    ended = [worker.communicate(timeout=300) for worker in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], [e[1][-2000:] for e in ended]
    names = [r["name"] for out, _ in ended for r in json.loads(out)["registrations"]]
    assert sorted(names) == sorted(f.stem for f in files)  # each taken by one worker
    assert set(_outcomes(state).values()) <= DONE
    _check_no_duplicate_and_the_rate(served)


def test_a_killed_workers_registrations_are_finished_by_the_others(
    tmp_path: Path, served: Served, postgres: PostgresServer
) -> None:
    state = postgres.fresh_url()
    files = _customers(tmp_path / "customers")
    workers = _workers(4, served, state, files[0].parent, tmp_path)
    victim = workers[0]
    held: list[str] = []
    deadline = time.monotonic() + 60
    while not held and time.monotonic() < deadline:  # until it holds a registration
        time.sleep(0.05)
        store = Store.open(state, SystemClock(), read_only=True)
        try:
            held = [
                lease.name
                for f in files
                for lease in store.leases_on(f.stem)
                if lease.pid == victim.pid
            ]
        finally:
            store.close()
    assert held, "the first worker never took a registration"
    time.sleep(0.3)  # let it send a little for them
    victim.send_signal(signal.SIGKILL)
    victim.wait()  # reaped, as its shell would: a zombie still answers kill(pid, 0)
    ended = [worker.communicate(timeout=300) for worker in workers[1:]]
    assert [w.returncode for w in workers[1:]] == [0, 0, 0], [e[1][-2000:] for e in ended]
    outcomes = _outcomes(state)
    assert {outcomes[name] for name in held} <= DONE
    assert set(outcomes.values()) <= DONE and len(outcomes) == FILES
    _check_no_duplicate_and_the_rate(served)


def test_benchmark_four_workers_against_one(tmp_path: Path, postgres: PostgresServer) -> None:
    files = _customers(tmp_path / "customers")
    spans = {}
    for count in (1, 4):
        for served in _serve(latency=0.1):
            state = postgres.fresh_url()
            start = time.monotonic()
            workers = _workers(count, served, state, files[0].parent, tmp_path, batch=5)
            for worker in workers:
                worker.communicate(timeout=600)
            spans[count] = time.monotonic() - start
            assert [w.returncode for w in workers] == [0] * count
            _check_no_duplicate_and_the_rate(served)
            per_account = max(
                sum(1 for hit in served.hits if hit[1] == account) for account in ACCOUNTS
            )
            bound = per_account / RATE
    print(
        f"\n4 workers vs 1 (--batch 5), 20 files in 4 accounts, {RATE:g} req/s per account, "
        "100 ms round "
        f"trip: 1 worker {spans[1]:.1f} s, 4 workers {spans[4]:.1f} s "
        f"(speed-up {spans[1] / spans[4]:.2f}x); the rate bound {bound:.1f} s, "
        f"4 workers at {spans[4] / bound:.2f}x of it"
    )
    assert spans[4] < spans[1]
