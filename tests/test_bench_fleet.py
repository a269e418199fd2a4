"""Benchmark: costs that do not grow with the fleet (`pytest -m slow tests/test_bench_fleet.py
-s` prints its figures). An account and a state store with 10,000 registrations: a new
customer's registration sends exactly the requests it sends into an empty account, and
`status NAME` there stays quick and small.

The fleet is written directly: the simulated account's records through its saved state,
the store's rows in one transaction (as `register` would have left them, every step done).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from cli_support import InProcess, cli_env
from engine_support import STANDARD, Recorder, World, make_world

from a2pctl.flows import build_flow
from a2pctl.pacing import FakeClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, Simulator
from a2pctl.spec import customer as spec
from a2pctl.state.store import Store, campaign_key

FLEET = 10_000
ACCOUNT = SANDBOX_ACCOUNT_SID
SECONDS, MEGABYTES = 0.3, 80


def sid(prefix: str, n: int, kind: int) -> str:
    return f"{prefix}{kind:02x}{n:030x}"


def fleet_account(simulator: Simulator, clock: FakeClock) -> Simulator:
    """The simulated account with FLEET customers' bundles, brands and services."""
    data = json.loads(simulator.dump())
    tables = data["tables"]
    created = "2025-06-01T00:00:00Z"
    for n in range(FLEET):
        base: dict[str, object] = {"account_sid": ACCOUNT, "date_created": created}
        base.update(_account=ACCOUNT, _created=clock.now())  # the simulator's own keys
        profile, trust = sid("BU", n, 1), sid("BU", n, 2)
        for table, bundle, role in (
            ("customer_profiles", profile, "profile"),
            ("trust_products", trust, "trust"),
        ):
            tables[table][bundle] = {
                **base, "sid": bundle, "status": "twilio-approved",
                "friendly_name": f"a2pctl:fleet-{n:05d}:{role}", "policy_sid": "RN" + "0" * 32,
            }  # fmt: skip
        brand = sid("BN", n, 3)
        tables["brands"][brand] = {
            **base, "sid": brand, "status": "APPROVED", "brand_type": "STANDARD",
            "customer_profile_bundle_sid": profile, "a2p_profile_bundle_sid": trust,
        }  # fmt: skip
        service = sid("MG", n, 4)
        tables["services"][service] = {**base, "sid": service, "friendly_name": f"fleet-{n:05d}"}
    return Simulator.load(json.dumps(data), now=clock.now)


def fleet_store(path: Path, clock: FakeClock) -> None:
    """FLEET standard registrations, every step done, each resource's last status known."""
    Store.open(path, clock).close()  # the schema
    steps = [step.name for step in build_flow(spec.load_customers([STANDARD])[0][1]).steps]
    now = clock.now()
    registrations, step_rows, resources = [], [], []
    for n in range(FLEET):
        name = f"fleet-{n:05d}"
        registrations.append((name, ACCOUNT, "standard", None, now, now))
        step_rows += [
            (name, ACCOUNT, step, "done", sid("XX", n, 100 + i), "{}", now, now)
            for i, step in enumerate(steps)
        ]
        service = sid("MG", n, 4)
        for rid, kind, status, detail in (
            (sid("BU", n, 1), "customer_profile", "twilio-approved", {}),
            (sid("BU", n, 2), "trust_product", "twilio-approved", {}),
            (sid("BN", n, 3), "brand", "APPROVED", {"brand_type": "STANDARD"}),
            (service, "messaging_service", None, {}),
            (campaign_key(service), "campaign", "VERIFIED", {"messaging_service_sid": service}),
            (sid("PN", n, 5), "phone_number", "REGISTERED", {"phone_number": f"+1415{n:07d}"}),
        ):
            row = (rid, kind, name, ACCOUNT, status, json.dumps(detail), "register", now)
            resources.append(row)
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO registrations (name, account, flow, file, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            registrations,
        )
        db.executemany(
            "INSERT INTO steps (name, account, step, status, sid, data, started_at, finished_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            step_rows,
        )
        db.executemany(
            "INSERT INTO resources (sid, kind, name, account, status, detail, source, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            resources,
        )
    db.close()


def new_customer(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    file = directory / "newcomer.yaml"
    file.write_text(STANDARD.read_text())
    return file


def requests_of_one_registration(world: World, file: Path) -> list[tuple[str, str]]:
    [outcome] = world.register(file, wait=True, until="verified")
    assert outcome.outcome == "complete", outcome.errors
    return [(hit.method, hit.path) for hit in world.recorder.hits]


@pytest.mark.slow
def test_a_new_registration_costs_the_same_in_a_fleet_of_ten_thousand(tmp_path: Path) -> None:
    empty = make_world(tmp_path / "empty")
    alone = requests_of_one_registration(empty, new_customer(tmp_path / "empty"))

    started = time.perf_counter()
    world = make_world(tmp_path / "fleet")
    world.simulator = fleet_account(world.simulator, world.clock)
    world.recorder = Recorder(world.simulator, world.clock)
    world.store.close()
    fleet_store(tmp_path / "fleet" / "state.db", world.clock)
    world.store = Store.open(tmp_path / "fleet" / "state.db", world.clock)
    built = time.perf_counter() - started
    started = time.perf_counter()
    in_fleet = requests_of_one_registration(world, new_customer(tmp_path / "fleet"))
    took = time.perf_counter() - started

    print(
        f"\none new standard registration: {len(alone)} requests into an empty account, "
        f"{len(in_fleet)} into one with {FLEET} registrations (built in {built:.1f} s, "
        f"registered in {took:.1f} s)"
    )
    assert len(in_fleet) == len(alone)
    assert [method for method, _ in in_fleet] == [method for method, _ in alone]


CREDENTIALS = {"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": "not-a-real-token"}


# Runs a2pctl as `python -m a2pctl` does, writing its peak RSS (VmHWM: the process's own
# memory since its exec, not the forking parent's, which `ru_maxrss` would count) at exit.
PROBE = """
import atexit, runpy, sys
out = sys.argv.pop(1)
def report():
    with open("/proc/self/status") as status, open(out, "w") as report:
        report.write(next(line for line in status if line.startswith("VmHWM")))
atexit.register(report)
sys.argv[0] = "a2pctl"
runpy.run_module("a2pctl", run_name="__main__", alter_sys=True)
"""


def peak_rss_megabytes(*args: str, cwd: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of `python -m a2pctl ARGS` in a subprocess."""
    report = cwd / "vmhwm.txt"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *args],
        cwd=cwd,
        env={**cli_env(), **CREDENTIALS},
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    kilobytes = int(report.read_text().split()[1])  # "VmHWM:    32768 kB"
    return elapsed, kilobytes / 1024, done.returncode


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_status_of_one_name_in_a_fleet_of_ten_thousand_is_quick_and_small(
    cli: InProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in CREDENTIALS.items():
        monkeypatch.setenv(variable, value)
    db = tmp_path / "fleet.db"
    fleet_store(db, cli.clock)
    args = ["status", "fleet-05000", "--json", "--state", str(db)]

    cli(*args, cwd=tmp_path)  # warm: modules imported, as in a process of its own
    started = time.perf_counter()
    done = cli(*args, cwd=tmp_path)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    cli(*args, cwd=tmp_path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    whole, rss, code = peak_rss_megabytes(*args, cwd=tmp_path)

    doc = json.loads(done.stdout)
    print(
        f"\nstatus fleet-05000 in a store of {FLEET} registrations: {elapsed * 1000:.0f} ms in "
        f"process, {peak / 2**20:.1f} MB allocated at peak (tracemalloc); as a command of its "
        f"own {whole:.2f} s wall, peak RSS {rss:.0f} MB"
    )
    assert done.returncode == 0, done.stderr
    assert code == 0
    assert {item["registration"] for item in doc["items"]} == {"fleet-05000"}
    assert elapsed < SECONDS
    assert peak / 2**20 < MEGABYTES
    assert rss < MEGABYTES
