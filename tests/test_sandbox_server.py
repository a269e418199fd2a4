"""The sandbox over real loopback HTTP: `serve()` in a thread, and the
`a2pctl sandbox` command as users run it."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sandbox_flows import Api, brand, sole_proprietor_bundles, subscribe

from a2pctl.cli.app import main
from a2pctl.pacing import FakeClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SCENARIOS, Simulator, serve
from a2pctl.sandbox.server import SandboxServer

WAIT_SECONDS = 20.0  # upper bound for a slow machine; the waits end as soon as ready
AUTH = "Basic " + base64.b64encode(f"{SANDBOX_ACCOUNT_SID}:{SANDBOX_AUTH_TOKEN}".encode()).decode()


@pytest.fixture
def served(clock: FakeClock) -> Iterator[tuple[SandboxServer, Simulator]]:
    simulator = Simulator(now=clock.now, review_seconds=2.0, deliver=lambda *a: None)
    server = serve(simulator, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server, simulator
    server.shutdown()
    server.server_close()
    thread.join(timeout=WAIT_SECONDS)


def request(
    server: SandboxServer, method: str, path: str, form: dict[str, str] | None = None
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    body = urlencode(form).encode() if form else None
    headers = {"Authorization": AUTH, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")


def test_serve_answers_requests_of_every_product_on_one_loopback_port(
    served: tuple[SandboxServer, Simulator],
) -> None:
    server, _ = served
    status, policies = request(server, "GET", "/v1/Policies")
    assert status == 200 and len(policies["results"]) == 4
    assert policies["meta"]["url"].startswith("https://trusthub.twilio.com/v1/Policies?")
    status, user = request(
        server,
        "POST",
        "/v1/EndUsers",
        {"FriendlyName": "x", "Type": "sole_proprietor_information",
         "Attributes": json.dumps({"brand_name": "JDP"})},
    )  # fmt: skip
    assert status == 201 and user["attributes"] == {"brand_name": "JDP"}
    status, found = request(
        server,
        "GET",
        f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/IncomingPhoneNumbers.json?"
        + urlencode({"PhoneNumber": "+14155550123"}),
    )
    assert status == 200 and found["incoming_phone_numbers"][0]["phone_number"] == "+14155550123"
    assert request(server, "GET", "/v1/Nothing")[0] == 404


def test_a_served_drop_after_performs_the_request_and_closes_without_an_answer(
    served: tuple[SandboxServer, Simulator],
) -> None:
    server, simulator = served
    simulator.inject_fault(method="POST", path="/v1/Services", drop_after=True)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        request(server, "POST", "/v1/Services", {"FriendlyName": "ambiguous"})
    _, services = request(server, "GET", "/v1/Services")
    assert [s["friendly_name"] for s in services["services"]] == ["ambiguous"]


def test_the_ticker_delivers_due_events_while_no_request_arrives(clock: FakeClock) -> None:
    arrived = threading.Event()
    simulator = Simulator(now=clock.now, review_seconds=2.0, deliver=lambda *a: arrived.set())
    api = Api(simulator)
    subscribe(api)
    brand(api, sole_proprietor_bundles(api), sole=True)
    server = serve(simulator, "127.0.0.1", 0)  # bound and ticking, never asked anything
    try:
        clock.advance(2.0)  # the brand is approved: an event is due
        assert arrived.wait(WAIT_SECONDS)
    finally:
        server.server_close()  # also stops the ticker


def test_sandbox_command_refuses_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(SystemExit) as exited:
            main(["sandbox", "--port", str(busy.getsockname()[1])])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "cannot listen on 127.0.0.1" in err and "--port" in err


def test_sandbox_command_refuses_an_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", "--scenario", "meteor", "--port", "0"])
    assert exited.value.code == 2
    assert "unknown scenario 'meteor'" in capsys.readouterr().err


def test_sandbox_help_names_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sandbox", "--help"])
    help_text = "".join(capsys.readouterr().out.split())  # a wrap may fall on a name's hyphen
    assert [name for name in SCENARIOS if name not in help_text] == []


def test_sandbox_command_serves_prints_its_url_and_stops_cleanly_on_ctrl_c() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "a2pctl", "sandbox", "--port", "0", "--scenario", "brand-fails"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline() for _ in range(3)]
        assert banner[0].startswith("Twilio sandbox on http://127.0.0.1:")
        assert banner[0].rstrip().endswith("(scenario: brand-fails)")
        url = banner[1].split("A2PCTL_API_URL=")[1].strip()
        assert banner[2].split() == [
            "export",
            f"TWILIO_ACCOUNT_SID={SANDBOX_ACCOUNT_SID}",
            f"TWILIO_AUTH_TOKEN={SANDBOX_AUTH_TOKEN}",
        ]
        ask = urllib.request.Request(f"{url}/v1/Policies", headers={"Authorization": AUTH})
        with urllib.request.urlopen(ask, timeout=10) as answer:
            assert json.load(answer)["meta"]["key"] == "results"
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=WAIT_SECONDS)
    assert proc.returncode == 0, err
    assert "sandbox stopped" in out
    assert "GET /v1/Policies -> 200" in err
