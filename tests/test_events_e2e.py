"""End to end on loopback: the sandbox over HTTP, `a2pctl events serve` as its own
process, `events setup`, `register` and `status` through the CLI entry point.

The simulator delivers its A2P events to the sink signed with the sandbox's
auth token, as Twilio does; the receiver checks them, records them against the
registration, and `status` shows what they said (the numbers' A2P status is
known only from events). Reviews run on the sandbox's own short timers, so this
waits on real time for a few seconds, bounded by DEADLINE_SECONDS.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from a2pctl.cli.app import main
from a2pctl.events.catalog import NEWER_SUBSCRIBED_SCHEMA_VERSIONS
from a2pctl.pacing import SystemClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator, serve
from a2pctl.state.store import Store

REPO = Path(__file__).resolve().parent.parent
SOLE_PROPRIETOR = REPO / "examples" / "sole-proprietor.yaml"
REVIEW_SECONDS = 0.2  # the simulator's review step: short, so the flow takes seconds
DEADLINE_SECONDS = 60.0  # generous: a slow CI machine, never a hang
STARTUP_SECONDS = 20.0


@dataclass
class World:
    api_url: str
    state: Path
    sink_url: str
    serve_log: list[str]


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    server = serve(Simulator(review_seconds=REVIEW_SECONDS), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def world(sandbox_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    state = tmp_path / "state.db"
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
        "A2PCTL_STATE": str(state),
        "NO_COLOR": "1",
    }
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SANDBOX_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", SANDBOX_AUTH_TOKEN)
    # `events serve` as users run it: its own process, on a free port, stopped with Ctrl-C.
    proc = subprocess.Popen(
        [sys.executable, "-m", "a2pctl", "events", "serve", "--port", "0", "--state", str(state)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def pump(stream: Any) -> None:
        for line in stream:
            lines.put(line)
            log.append(line.rstrip("\n"))

    for stream in (proc.stdout, proc.stderr):
        threading.Thread(target=pump, args=(stream,), daemon=True).start()
    try:
        first = lines.get(timeout=STARTUP_SECONDS)
        assert first.startswith("listening on "), first
        sink_url = first.split()[2]
        yield World(sandbox_url, state, sink_url, log)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    """Run a command with --json through the real entry point; its JSON document."""
    with pytest.raises(SystemExit):
        main(argv)
    out = capsys.readouterr().out
    return json.loads(out)


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)  # real time: the sandbox and the receiver run on their own


def recorded_types(state: Path) -> set[str]:
    store = Store.open(state, SystemClock())
    try:
        return {e.type.rsplit(".", 1)[-1] for e in store.events()}
    finally:
        store.close()


def test_events_serve_records_the_sandboxs_signed_events_and_status_shows_them(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--api-url", world.api_url, "--state", str(world.state), "--rate", "50", "--json"]

    first = cli(["events", "setup", "--url", world.sink_url, *common], capsys)
    again = cli(["events", "setup", "--url", world.sink_url, *common], capsys)

    assert first["sink"]["created"] and first["subscription"]["created"]
    assert (again["sink"]["sid"], again["subscription"]["sid"]) == (
        first["sink"]["sid"],
        first["subscription"]["sid"],
    )
    assert not again["sink"]["created"] and not again["subscription"]["created"]
    # The guide's 12 and the newer registration types the sandbox lists, as Twilio does.
    assert len(first["subscription"]["types"]) == 12 + len(NEWER_SUBSCRIBED_SCHEMA_VERSIONS)
    assert first["sink"]["validated"] and first["sink"]["status"] == "active"

    register = ["register", *common, "--pause-seconds", "0", str(SOLE_PROPRIETOR)]
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        [outcome] = cli(register, capsys)["registrations"]
        if outcome["outcome"] in ("submitted", "complete"):
            break
        assert outcome["outcome"] == "pending", outcome
        assert time.monotonic() < deadline, f"register still {outcome['waiting_for']}"
        time.sleep(REVIEW_SECONDS)  # let the sandbox's reviews move on

    wanted = {"brand-registered", "campaign-approved", "successful"}
    wait_for(lambda: wanted <= recorded_types(world.state), f"events {sorted(wanted)}")

    store = Store.open(world.state, SystemClock())
    try:
        events = store.events()
        brand_sid = outcome["resources"]["brand"]
        campaign = store.find_resource("campaign:" + outcome["resources"]["messaging_service"])
    finally:
        store.close()
    assert {e.name for e in events} == {"jane-doe-pottery"}
    assert len({e.id for e in events}) == len(events)
    assert campaign is not None and campaign.status == "VERIFIED"
    assert campaign.detail.get("campaign_id")  # from the approved event's externalcampaignid

    items = cli(["status", *common, "jane-doe-pottery"], capsys)["items"]
    by_kind = {item["kind"]: item for item in items}
    assert by_kind["brand"]["sid"] == brand_sid
    assert (by_kind["brand"]["status"], by_kind["brand"]["identity_status"]) == (
        "APPROVED",
        "VERIFIED",
    )
    assert by_kind["campaign"]["status"] == "VERIFIED"
    assert by_kind["phone_number"]["status"] == "REGISTERED"  # known only from the event

    printed = "\n".join(world.serve_log)
    assert f"brand {brand_sid} (jane-doe-pottery): registered, identity verified" in printed
    assert "rejected" not in printed
