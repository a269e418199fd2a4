"""`events serve` under load on loopback: concurrent deliveries, a per-request deadline
for slow clients, bounded JSON nesting, and a sink's test event kept for `events setup`.

Real sockets on 127.0.0.1 with short deadlines given as parameters: nothing here
sleeps; the waits are socket timeouts, each well under a second.
"""

from __future__ import annotations

import hashlib
import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from event_server_support import Collected, Served, event_server, post, stored_events
from twilio.request_validator import RequestValidator

from a2pctl.events.payload import parse_body
from a2pctl.events.sinktest import TEST_EVENT_TYPE, captured_test
from a2pctl.pacing import FakeClock
from a2pctl.state.store import Store

TOKEN = "12345678901234567890123456789012"
PUBLIC_URL = "https://isv.example/a2p-events"
DEADLINE = 0.4  # the per-request deadline given to the server under test
FIXTURES = Path(__file__).parent / "fixtures" / "events"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    state = tmp_path / "served.db"
    log = Collected()
    with event_server(
        state,
        public_url=PUBLIC_URL,
        auth_tokens=[TOKEN],
        observer=log,
        request_deadline=DEADLINE,
        read_timeout=5.0,
    ) as server:
        yield Served(server, log, state)


def signed(body: bytes) -> tuple[str, dict[str, str]]:
    full = f"{PUBLIC_URL}?bodySHA256={hashlib.sha256(body).hexdigest()}"
    signature = RequestValidator(TOKEN).compute_signature(full, {})
    return full[len("https://isv.example") :], {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/json",
    }


def post_signed(port: int, body: bytes) -> tuple[int, str]:
    target, headers = signed(body)
    return post(port, target, body, headers)


def test_a_valid_delivery_is_answered_at_once_while_a_slow_client_holds_a_connection(
    served: Served,
) -> None:
    body = (FIXTURES / "brand-registered.json").read_bytes()
    target, _ = signed(body)
    with socket.create_connection(("127.0.0.1", served.server.port), timeout=5) as slow:
        # A client that sends its request a byte at a time, far apart: it has sent one.
        head = f"POST {target} HTTP/1.1\r\nHost: isv.example\r\n".encode()
        slow.sendall(head[:1])

        started = time.monotonic()
        status, _ = post_signed(served.server.port, body)
        answered_in = time.monotonic() - started

        assert status == 200
        assert answered_in < 1.0
        # The slow one is cut off at its deadline, not left to hold its thread.
        slow.settimeout(DEADLINE + 2.0)
        cut = time.monotonic()
        leftover = slow.recv(1024)
        assert time.monotonic() - cut < DEADLINE + 1.0
        # (an error page for the request line it never finished, or nothing)
        assert leftover == b"" or b"400" in leftover
    assert stored_events(served.state) == ["CE000000000000000000000000000000"]


def test_a_body_that_stops_arriving_gets_408_at_the_deadline(served: Served) -> None:
    body = (FIXTURES / "brand-registered.json").read_bytes()
    target, headers = signed(body)
    lines = [f"POST {target} HTTP/1.1", "Host: isv.example", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection(("127.0.0.1", served.server.port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body[:10])
        answer = sock.recv(1024)

    assert answer.startswith(b"HTTP/1.0 408")
    assert stored_events(served.state) == []
    assert any("408" in line for line in served.log.problems)


def test_concurrent_deliveries_are_all_recorded_once(served: Served) -> None:
    template = parse_body((FIXTURES / "brand-registered.json").read_bytes())
    bodies = []
    for n in range(8):
        events = [dict(template[0], id=f"CE{n:032x}")]
        bodies.append(json.dumps(events).encode())
    answers: queue.Queue[int] = queue.Queue()
    threads = [
        threading.Thread(target=lambda b=b: answers.put(post_signed(served.server.port, b)[0]))
        for b in bodies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(answers.get_nowait() for _ in bodies) == [200] * len(bodies)
    assert sorted(stored_events(served.state)) == [f"CE{n:032x}" for n in range(8)]


def test_a_deeply_nested_signed_body_gets_400_not_500(served: Served) -> None:
    body = b"[" * 100_000 + b"]" * 100_000

    status, text = post_signed(served.server.port, body)

    assert (status, text) == (400, "malformed body\n")
    assert "deeper than 32" in served.log.problems[0]
    assert stored_events(served.state) == []


def test_a_sinks_test_event_keeps_its_test_id_for_setup_and_is_not_an_event(
    served: Served,
) -> None:
    test_id = "a" * 34
    event = {
        "specversion": "1.0",
        "type": TEST_EVENT_TYPE,
        "source": "DG" + "1" * 32,
        "id": "CE" + "7" * 32,
        "data": {"test_id": test_id},
    }

    status, _ = post_signed(served.server.port, json.dumps([event]).encode())

    assert status == 200
    assert stored_events(served.state) == []
    store = Store.open(served.state, FakeClock())
    try:
        kept = captured_test(store, PUBLIC_URL + "?tenant=1")  # the query is not the URL
    finally:
        store.close()
    assert kept is not None and (kept.test_id, kept.sink_sid) == (test_id, "DG" + "1" * 32)
    [received] = served.log.events
    assert received.outcome == "test"
