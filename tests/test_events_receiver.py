"""The webhook receiver: signatures, sizes, malformed bodies, replays, the HTTP layer.

Signatures are produced with twilio-python's own RequestValidator, so the
receiver is checked against Twilio's reference implementation.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from event_server_support import Collected, Served, event_server, post, stored_events
from twilio.request_validator import RequestValidator

from a2pctl.errors import UsageError
from a2pctl.events.receiver import EventReceiver
from a2pctl.events.server import EventServer
from a2pctl.events.signature import check_signature, signed_url
from a2pctl.pacing import FakeClock
from a2pctl.state.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "events"
TOKEN = "12345678901234567890123456789012"
PUBLIC_URL = "https://isv.example/a2p-events"
NAME = "jane-doe-pottery"
BRAND = "BNXXXXXXXXX"


def seed_brand(store: Store) -> None:
    store.record_resource(
        BRAND, kind="brand", status="PENDING", name=NAME, account="ACXXXXXXXXX", detail={}
    )


def fixture_body(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def signed(body: bytes, *, token: str = TOKEN, url: str = PUBLIC_URL) -> tuple[str, dict[str, str]]:
    """The request target and headers of a delivery Twilio signed with `token`."""
    full = f"{url}?bodySHA256={hashlib.sha256(body).hexdigest()}"
    signature = RequestValidator(token).compute_signature(full, {})
    target = full[len("https://isv.example") :]
    return target, {"x-twilio-signature": signature, "content-type": "application/json"}


def snapshot(store: Store) -> tuple[list[Any], list[Any]]:
    return store.resources(), store.events()


@pytest.fixture
def receiver(store: Store) -> EventReceiver:
    seed_brand(store)
    return EventReceiver(store, public_url=PUBLIC_URL, auth_tokens=[TOKEN])


def test_a_signed_delivery_is_recorded_and_answered_200(
    receiver: EventReceiver, store: Store
) -> None:
    body = fixture_body("brand-registered")
    target, headers = signed(body)

    reply = receiver.handle_post(target, headers, body)

    assert (reply.status, reply.problems) == (200, ())
    [received] = reply.received
    assert (received.outcome, received.event.registration) == ("updated", NAME)
    brand = store.find_resource(BRAND)
    assert brand is not None and brand.detail["identity_status"] == "VERIFIED"


def test_the_signed_url_is_the_public_url_with_the_requests_path_and_query() -> None:
    assert (
        signed_url("https://isv.example:8443/x", "/a2p-events?bodySHA256=ab&z=1")
        == "https://isv.example:8443/a2p-events?bodySHA256=ab&z=1"
    )


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda t, h, b: (t, {**h, "x-twilio-signature": "AAAA"}, b), "does not match"),
        (lambda t, h, b: (t, {"content-type": "application/json"}, b), "no X-Twilio-Signature"),
        (lambda t, h, b: (t, h, b.replace(b"verified", b"unverified")), "bodySHA256"),
        (lambda t, h, b: (t.split("?")[0], h, b), "without bodySHA256"),
        (
            lambda t, h, b: (t, {**h, "x-twilio-webhooks-signature-settings": "algorithm=MD5"}, b),
            "unsupported signature algorithm MD5",
        ),
    ],
    ids=["forged-signature", "unsigned", "body-changed", "hash-removed", "unknown-algorithm"],
)
def test_unsigned_or_mis_signed_deliveries_get_403_and_leave_the_store_unchanged(
    receiver: EventReceiver, store: Store, clock: FakeClock, tamper: Any, reason: str
) -> None:
    body = fixture_body("brand-registered")
    target, headers, body = tamper(*signed(body), body)
    before = snapshot(store)
    clock.advance(60)  # any write would now carry a different timestamp

    reply = receiver.handle_post(target, headers, body)

    assert reply.status == 403
    assert reason in reply.problems[0]
    assert snapshot(store) == before


def test_a_delivery_signed_with_another_auth_token_is_forged(
    receiver: EventReceiver, store: Store
) -> None:
    body = fixture_body("brand-registered")
    target, headers = signed(body, token="another-accounts-token")

    reply = receiver.handle_post(target, headers, body)

    assert reply.status == 403
    assert store.events() == []


def test_twilio_signing_the_url_with_its_default_port_is_accepted(
    receiver: EventReceiver,
) -> None:
    body = fixture_body("brand-registered")
    full = f"https://isv.example:443/a2p-events?bodySHA256={hashlib.sha256(body).hexdigest()}"
    signature = RequestValidator(TOKEN).compute_signature(full, {})
    target = full[len("https://isv.example:443") :]

    reply = receiver.handle_post(target, {"x-twilio-signature": signature}, body)

    assert reply.status == 200


def test_hmac_sha256_signatures_are_checked_with_sha256() -> None:
    body = b"[]"
    url = f"{PUBLIC_URL}?bodySHA256={hashlib.sha256(body).hexdigest()}"
    signature = RequestValidator(TOKEN).compute_signature(url, {}, "HMAC_SHA256")
    headers = {
        "x-twilio-signature": signature,
        "x-twilio-webhooks-signature-settings": "key=webhooks_sharedkey_1,algorithm=HMAC-SHA256",
    }

    assert check_signature(tokens=[TOKEN], url=url, body=body, headers=headers) is None
    sha1_headers = {"x-twilio-signature": signature}
    assert check_signature(tokens=[TOKEN], url=url, body=body, headers=sha1_headers) is not None


def test_form_bodies_are_checked_with_twilios_classic_scheme() -> None:
    params = {"b": "2", "a": "1"}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL, params)
    headers = {
        "x-twilio-signature": signature,
        "content-type": "application/x-www-form-urlencoded",
    }

    assert check_signature(tokens=[TOKEN], url=PUBLIC_URL, body=b"b=2&a=1", headers=headers) is None
    forged = check_signature(tokens=[TOKEN], url=PUBLIC_URL, body=b"b=3&a=1", headers=headers)
    assert forged is not None


def test_a_replayed_delivery_is_answered_200_and_changes_nothing(
    receiver: EventReceiver, store: Store, clock: FakeClock
) -> None:
    body = fixture_body("brand-unverified")
    target, headers = signed(body)
    receiver.handle_post(target, headers, body)
    before = snapshot(store)
    clock.advance(60)

    reply = receiver.handle_post(target, headers, body)

    assert reply.status == 200
    assert [r.outcome for r in reply.received] == ["replay"]
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'[{"type": "x"}]', b"[]", b'"text"'],
    ids=["not-json", "no-id", "empty-batch", "not-an-event"],
)
def test_a_malformed_body_gets_400_and_leaves_the_store_unchanged(
    receiver: EventReceiver, store: Store, clock: FakeClock, body: bytes
) -> None:
    target, headers = signed(body)
    before = snapshot(store)
    clock.advance(60)

    reply = receiver.handle_post(target, headers, body)

    assert reply.status == 400
    assert reply.problems and reply.problems[0].startswith("400 malformed")
    assert snapshot(store) == before


def test_in_a_batch_with_a_malformed_event_the_good_ones_are_recorded(
    receiver: EventReceiver, store: Store
) -> None:
    good = json.loads(fixture_body("campaign-submitted"))[0]
    body = json.dumps([good, {"id": "CE2", "data": {}}]).encode()
    target, headers = signed(body)

    reply = receiver.handle_post(target, headers, body)

    assert reply.status == 400
    assert [e.id for e in store.events()] == [good["id"]]
    assert "event 2 of 2" in reply.problems[0]


def test_the_receiver_answers_only_post_on_its_path_and_refuses_large_bodies(
    receiver: EventReceiver,
) -> None:
    assert receiver.path == "/a2p-events"
    not_found = receiver.check_request("POST", "/other", "10")
    get = receiver.check_request("GET", "/a2p-events?x=1", None)
    too_large = receiver.check_request("POST", "/a2p-events", str(receiver.max_body_bytes + 1))
    no_length = receiver.check_request("POST", "/a2p-events", None)
    assert not_found is not None and not_found.status == 404
    assert get is not None and (get.status, get.allow) == (405, "POST")
    assert too_large is not None and too_large.status == 413
    assert no_length is not None and no_length.status == 411
    assert receiver.check_request("POST", "/a2p-events", "10") is None


def test_the_receiver_needs_an_auth_token_and_an_http_url(store: Store) -> None:
    with pytest.raises(UsageError, match="no auth token"):
        EventReceiver(store, public_url=PUBLIC_URL, auth_tokens=[""])
    with pytest.raises(UsageError, match="not an http"):
        EventReceiver(store, public_url="isv.example/hook", auth_tokens=[TOKEN])


# --- the HTTP layer, on loopback ------------------------------------------------------------


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Served]:
    """`events serve` on 127.0.0.1:0 (`event_server_support`), a brand on record."""
    state = tmp_path / "served.db"
    log = Collected()
    with event_server(
        state,
        prepare=seed_brand,
        poll_interval=0.05,
        public_url=PUBLIC_URL,
        auth_tokens=[TOKEN],
        observer=log,
    ) as server:
        yield Served(server, log, state)


def test_served_deliveries_are_recorded_and_reported(running: Served) -> None:
    body = fixture_body("brand-registered")
    target, headers = signed(body)

    status, text = post(running.port, target, body, headers)

    assert (status, text) == (200, "ok: 1 event(s)\n")
    assert stored_events(running.state) == ["CE000000000000000000000000000000"]
    [received] = running.log.events
    assert received.event.registration == NAME
    assert running.log.problems == []


def test_served_forgeries_get_403_and_a_log_line(running: Served) -> None:
    body = fixture_body("brand-registered")
    target, headers = signed(body, token="not-the-token")

    status, _ = post(running.port, target, body, headers)

    assert status == 403
    assert stored_events(running.state) == []
    assert running.log.problems == [
        "127.0.0.1 POST /a2p-events: 403 rejected: X-Twilio-Signature does not match "
        "(wrong auth token, or a --public-url other than the sink's URL?)"
    ]


def test_an_oversized_body_gets_413_before_it_is_read(running: Served) -> None:
    with socket.create_connection(("127.0.0.1", running.port), timeout=10) as sock:
        # Announce 10 MiB and send none of it: the answer must not wait for the body.
        sock.sendall(
            b"POST /a2p-events HTTP/1.1\r\nHost: isv.example\r\n"
            b"Content-Type: application/json\r\nContent-Length: 10485760\r\n\r\n"
        )
        answer = sock.recv(1024).decode()

    assert answer.startswith("HTTP/1.0 413")
    assert stored_events(running.state) == []
    assert "413 body of 10485760 bytes" in running.log.problems[0]


def test_other_paths_get_404_and_get_gets_405(running: Served) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=10)
    try:
        conn.request("GET", "/a2p-events")
        get = conn.getresponse()
        get.read()
    finally:
        conn.close()
    status, _ = post(running.port, "/elsewhere", b"[]", {})

    assert (get.status, get.getheader("Allow")) == (405, "POST")
    assert status == 404


def test_a_malformed_served_body_gets_400_and_the_server_keeps_serving(running: Served) -> None:
    bad = b"[{"
    target, headers = signed(bad)
    bad_status, _ = post(running.port, target, bad, headers)
    good = fixture_body("campaign-submitted")
    target, headers = signed(good)

    good_status, _ = post(running.port, target, good, headers)

    assert (bad_status, good_status) == (400, 200)
    assert stored_events(running.state) == ["CE000000000000000000000000000000"]


def test_without_a_public_url_the_served_address_is_the_signed_url(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db", FakeClock())
    try:
        server = EventServer(
            "127.0.0.1", 0, store=store, public_url=None, auth_tokens=[TOKEN], observer=Collected()
        )
        try:
            assert server.receiver.public_url == f"http://127.0.0.1:{server.port}/"
            assert server.local_url == f"http://127.0.0.1:{server.port}/"
        finally:
            server.server_close()
    finally:
        store.close()
