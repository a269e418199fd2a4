"""`a2pctl register` and `plan` as a user runs them: exit codes, JSON. Real processes
where the process is the point (signals, locks, an --api-url server); runs that would
only wait on the in-process sandbox's reviews use `cli`, on the test's fake clock."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import InProcess

from a2pctl.pacing import SystemClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator, serve
from a2pctl.state.store import Store

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SP = EXAMPLES / "sole-proprietor.yaml"
RESOURCE_PREFIXES = {
    "customer_profile": "BU",
    "trust_product": "BU",
    "brand": "BN",
    "messaging_service": "MG",
    "campaign": "QE",
}


def a2pctl(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "A2PCTL_"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "a2pctl", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_every_sid(registration: dict[str, Any]) -> None:
    resources = registration["resources"]
    for kind, prefix in RESOURCE_PREFIXES.items():
        assert str(resources[kind]).startswith(prefix), (kind, resources)
    assert resources["phone_numbers"]
    assert all(sid.startswith("PN") for sid in resources["phone_numbers"])


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    """`a2pctl sandbox`'s server on an ephemeral loopback port, reviews in 0.2 s."""
    simulator = Simulator(review_seconds=0.2)
    server = serve(simulator, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_register_at_an_api_url_completes_each_example_and_json_names_every_sid(
    tmp_path: Path, sandbox_url: str, example: Path
) -> None:
    done = a2pctl(
        "register",
        "--json",
        "--wait",
        "--api-url",
        sandbox_url,
        "--pause-seconds",
        "0.2",
        "--poll-seconds",
        "0.2",
        "--rate",
        "100",
        str(example),
        cwd=tmp_path,
        env={"TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN},
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)  # stdout is exactly one JSON document
    [registration] = document["registrations"]
    assert registration["outcome"] == "submitted"  # the campaign is in review
    assert "campaign review" in registration["waiting_for"] and registration["errors"] == []
    assert_every_sid(registration)
    assert SANDBOX_AUTH_TOKEN not in done.stdout + done.stderr


def test_register_in_the_sandbox_prints_json_and_plan_shows_every_step_done(
    tmp_path: Path, cli: InProcess
) -> None:
    done = cli("register", "--sandbox", "--wait", "--json", str(SP), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [registration] = json.loads(done.stdout)["registrations"]
    assert (registration["name"], registration["flow"]) == ("jane-doe-pottery", "sole_proprietor")
    assert_every_sid(registration)
    planned = cli("plan", "--sandbox", "--json", str(SP), cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    [plan] = json.loads(planned.stdout)["registrations"]
    assert plan["outcome"] == "submitted"  # the store last heard the campaign in review
    assert {step["state"] for step in plan["steps"]} == {"done"}
    assert plan["actions"] == []
    assert plan["resources"] == registration["resources"]


def test_register_without_wait_stops_at_the_gate_with_exit_3(
    tmp_path: Path, cli: InProcess
) -> None:
    done = cli("register", "--sandbox", "--scenario", "otp-never-answered", str(SP), cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert "pending" in done.stdout and "brand" in done.stdout


def test_a_batch_ends_with_its_counts_worst_first(tmp_path: Path, cli: InProcess) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nflow: standard\n")
    one = cli("register", "--sandbox", str(SP), cwd=tmp_path)
    assert "registrations:" not in one.stdout  # one file: its outcome says it all
    done = cli(
        "register", "--sandbox", str(SP), str(EXAMPLES / "standard.yaml"), str(bad), cwd=tmp_path
    )
    assert done.stdout.splitlines()[-1] == "3 registrations: 1 invalid, 1 pending, 1 submitted."


def test_register_of_an_invalid_file_sends_nothing_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SP.read_text().replace("flow: sole_proprietor", "flow: solo"))
    done = a2pctl("register", "--json", str(bad), cwd=tmp_path)
    assert done.returncode == 2
    [registration] = json.loads(done.stdout)["registrations"]
    assert registration["outcome"] == "invalid"
    assert registration["errors"][0]["field"] == "flow"
    assert not (tmp_path / ".a2pctl").exists()


def test_register_without_credentials_exits_2_with_a_hint(tmp_path: Path) -> None:
    done = a2pctl("register", str(SP), cwd=tmp_path)
    assert done.returncode == 2
    assert "missing Twilio credentials" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_registration_locked_by_another_process_exits_4(tmp_path: Path) -> None:
    store = Store.open(tmp_path / ".a2pctl" / "state.db", SystemClock())
    try:
        with store.lock("jane-doe-pottery", SANDBOX_ACCOUNT_SID):  # this test process holds it
            done = a2pctl("register", "--sandbox", str(SP), cwd=tmp_path)
    finally:
        store.close()
    assert done.returncode == 4, done.stderr
    assert "being written by another a2pctl process" in done.stderr


def test_ctrl_c_exits_130_and_a_rerun_finishes_without_duplicates(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "A2PCTL_"))}
    args = ["register", "--sandbox", "--wait", "--pause-seconds", "60", str(SP)]
    process = subprocess.Popen(
        [sys.executable, "-m", "a2pctl", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # A shell running us in the background ignores SIGINT; give the child Ctrl-C back.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    lines = []
    for line in process.stderr:  # interrupt the first documented pause
        lines.append(line)
        if "pause after" in line and process.poll() is None:
            process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130, "".join(lines)
    err = "".join(lines)
    assert "interrupted: everything done so far is recorded" in err
    assert "Traceback" not in err
    again = a2pctl("register", "--sandbox", "--wait", "--json", str(SP), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    [registration] = json.loads(again.stdout)["registrations"]
    assert_every_sid(registration)
    store = Store.open(tmp_path / ".a2pctl" / "state.db", SystemClock())
    try:
        steps = store.steps("jane-doe-pottery", SANDBOX_ACCOUNT_SID)
        assert {record.status for record in steps.values()} == {"done"}
        brands = [r for r in store.resources() if r.kind == "brand"]
        assert len(brands) == 1
    finally:
        store.close()


def _sandbox_brands(state: Path) -> list[dict[str, Any]]:
    """The brands of the simulated account saved in a state store."""
    store = Store.open(state, SystemClock())
    try:
        blob = store.get_blob("sandbox")
    finally:
        store.close()
    assert blob is not None, "no sandbox saved in the store"
    simulator = Simulator.load(blob)
    auth = base64.b64encode(f"{SANDBOX_ACCOUNT_SID}:{SANDBOX_AUTH_TOKEN}".encode()).decode()
    answer = simulator.handle(
        "GET",
        "https://messaging.twilio.com/v1/a2p/BrandRegistrations",
        {"Authorization": f"Basic {auth}"},
        b"",
    )
    assert answer.status == 200, answer.body
    brands: list[dict[str, Any]] = json.loads(answer.body)["data"]
    return brands


def test_a_killed_sandbox_run_keeps_the_simulated_account_and_resumes_without_duplicates(
    tmp_path: Path,
) -> None:
    # SIGKILL runs no finally: the simulated account must already be saved after each request.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "A2PCTL_"))}
    args = ["register", "--sandbox", "--wait", "--pause-seconds", "60", str(SP)]
    process = subprocess.Popen(
        [sys.executable, "-m", "a2pctl", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines = []
    try:
        for line in process.stderr:  # kill it during the first documented pause
            lines.append(line)
            if "pause after" in line and process.poll() is None:
                process.kill()
        assert process.wait(timeout=60) == -signal.SIGKILL, "".join(lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    state = tmp_path / ".a2pctl" / "state.db"
    assert _sandbox_brands(state) == []  # the account as it was at the kill, brand not yet sent

    again = a2pctl("register", "--sandbox", "--wait", "--json", str(SP), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    [registration] = json.loads(again.stdout)["registrations"]
    assert registration["outcome"] == "submitted"
    assert_every_sid(registration)
    brands = _sandbox_brands(state)
    assert [brand["sid"] for brand in brands] == [registration["resources"]["brand"]]


def test_a_second_process_on_the_same_in_process_sandbox_exits_4(tmp_path: Path) -> None:
    store = Store.open(tmp_path / ".a2pctl" / "state.db", SystemClock())
    try:
        with store.lock("(in-process sandbox)", "-"):  # another a2pctl is driving it
            done = a2pctl("status", "--sandbox", cwd=tmp_path)
    finally:
        store.close()
    assert done.returncode == 4, done.stderr
    assert "in-process sandbox" in done.stderr and "--api-url" in done.stderr


def test_an_unknown_scenario_creates_no_state_store(tmp_path: Path) -> None:
    done = a2pctl("register", "--sandbox", "--scenario", "nope", str(SP), cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown scenario 'nope'" in done.stderr
    assert not (tmp_path / ".a2pctl").exists()


def test_plan_and_a_credentials_error_leave_no_state_store_behind(tmp_path: Path) -> None:
    planned = a2pctl("plan", str(SP), cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    assert "Starter customer profile" in planned.stdout
    refused = a2pctl("register", str(SP), cwd=tmp_path)
    assert refused.returncode == 2
    assert not (tmp_path / ".a2pctl").exists()
