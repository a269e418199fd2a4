"""Event Streams in the sandbox: the catalogue, sinks and subscriptions, and
A2P events delivered as Twilio delivers them (CloudEvents arrays, signed so
that twilio's RequestValidator accepts them)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest
from sandbox_flows import (
    A2P_EVENTS,
    EVENTS,
    MESSAGING,
    STARTER_POLICY,
    TRUSTHUB,
    Api,
    brand,
    sink_test_id,
    sole_proprietor_bundles,
    standard_bundles,
    subscribe,
)
from twilio.request_validator import RequestValidator

from a2pctl.pacing import FakeClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator
from a2pctl.sandbox.eventstreams import TEST_EVENT_TYPE

REVIEW = 2.0
Sent = list[tuple[str, dict[str, str], bytes]]


@pytest.fixture
def sent() -> Sent:
    return []


@pytest.fixture
def api(clock: FakeClock, sent: Sent) -> Api:
    def deliver(url: str, headers: dict[str, str], body: bytes) -> None:
        sent.append((url, headers, body))

    return Api(Simulator(now=clock.now, review_seconds=REVIEW, deliver=deliver))


def deliveries(sent: Sent) -> list[tuple[str, dict[str, str], bytes]]:
    """The A2P event deliveries (not callbacks, not the sink's test event)."""
    return [d for d in sent if "bodySHA256=" in d[0] and TEST_EVENT_TYPE.encode() not in d[2]]


def test_delivered_events_are_signed_so_twilios_request_validator_accepts_them(
    api: Api, clock: FakeClock, sent: Sent
) -> None:
    subscribe(api, "https://isv.example/a2p-events?tenant=7")
    brand(api, sole_proprietor_bundles(api), sole=True)
    clock.advance(REVIEW)
    api.ok("GET", f"{TRUSTHUB}/Policies")  # any request ticks the clock and delivers
    (url, headers, body), *_ = deliveries(sent)
    assert url.startswith("https://isv.example/a2p-events?tenant=7&bodySHA256=")
    assert headers["Content-Type"] == "application/json"
    assert headers["I-Twilio-Idempotency-Token"]
    validator = RequestValidator(SANDBOX_AUTH_TOKEN)
    assert validator.validate(url, body.decode(), headers["X-Twilio-Signature"]) is True
    tampered = body.replace(b"unverified", b"verified!!")
    assert validator.validate(url, tampered.decode(), headers["X-Twilio-Signature"]) is False
    assert (
        RequestValidator("another-token").validate(
            url, body.decode(), headers["X-Twilio-Signature"]
        )
        is False
    )


def test_events_are_cloudevents_arrays_with_the_source_documents_data_keys(
    api: Api, clock: FakeClock, sent: Sent
) -> None:
    subscribe(api)
    bn = brand(api, sole_proprietor_bundles(api), sole=True)["sid"]
    clock.advance(2 * REVIEW)
    api.ok("GET", f"{TRUSTHUB}/Policies")
    unverified, registered = (json.loads(body) for _, _, body in deliveries(sent))
    assert len(unverified) == 1
    event = unverified[0]
    assert set(event) == {
        "specversion", "type", "source", "id", "dataschema", "datacontenttype", "time", "data",
    }  # fmt: skip
    assert event["specversion"] == "1.0" and event["datacontenttype"] == "application/json"
    assert event["type"] == "com.twilio.messaging.compliance.brand-registration.brand-unverified"
    assert re.fullmatch(r"CE[0-9a-f]{32}", event["id"])
    assert (
        event["dataschema"] == "https://events-schemas.twilio.com/A2P.BrandRegisteredUnverified/2"
    )
    assert re.fullmatch(r"2026-01-01T00:00:0\d\.\d{3}Z", event["time"])
    data = event["data"]
    assert data["accountsid"] == SANDBOX_ACCOUNT_SID and data["brandsid"] == bn
    assert (data["brandstatus"], data["identitystatus"]) == ("registered", "unverified")
    assert isinstance(data["createddate"], int) and data["createddate"] > 1_700_000_000_000
    assert data["externalbrandid"] == registered[0]["data"]["externalbrandid"]
    assert registered[0]["data"]["identitystatus"] == "verified"
    assert registered[0]["id"] != event["id"]


def test_schema_version_1_failure_events_carry_no_errors_array(
    api: Api, clock: FakeClock, sent: Sent
) -> None:
    api.sim.set_scenario("brand-fails")
    subscribe(api, schema_version=1)
    brand(api, standard_bundles(api), sole=False)
    clock.advance(REVIEW)
    api.ok("GET", f"{TRUSTHUB}/Policies")
    (failure,) = (json.loads(body)[0] for _, _, body in deliveries(sent))
    assert failure["dataschema"].endswith("/A2P.BrandRegistrationFailure/1")
    assert "brandregistrationerrors" not in failure["data"]
    assert failure["data"]["brandstatus"] == "registration_failed"


def test_a_batching_sink_gets_one_array_with_every_due_event(
    api: Api, clock: FakeClock, sent: Sent
) -> None:
    subscribe(api, batch=True)
    brand(api, sole_proprietor_bundles(api), sole=True)
    clock.advance(10 * REVIEW)  # approved and verified by the same tick
    api.ok("GET", f"{TRUSTHUB}/Policies")
    (batch,) = deliveries(sent)
    assert [e["type"].rsplit(".", 1)[-1] for e in json.loads(batch[2])] == [
        "brand-unverified",
        "brand-registered",
    ]


def test_only_subscribed_types_of_the_same_account_are_delivered(
    api: Api, clock: FakeClock, sent: Sent
) -> None:
    sink = subscribe(api, "https://isv.example/everything")[0]
    api.ok(
        "POST",
        f"{EVENTS}/Subscriptions",
        {"Description": "one", "SinkSid": sink, "Types": [{"type": A2P_EVENTS[2]}]},
    )
    other = Api(api.sim, account="AC" + "c" * 32, token="other")
    subscribe(other, "https://other.example/events")
    brand(api, standard_bundles(api), sole=False)
    clock.advance(REVIEW)
    api.ok("GET", f"{TRUSTHUB}/Policies")
    urls = [url.split("?")[0] for url, _, _ in deliveries(sent)]
    assert urls == ["https://isv.example/everything"]  # once per sink, not per subscription


def test_a_sink_that_is_down_is_counted_and_the_simulator_carries_on(clock: FakeClock) -> None:
    def down(url: str, headers: dict[str, str], body: bytes) -> None:
        raise ConnectionError("refused")

    api = Api(Simulator(now=clock.now, review_seconds=REVIEW, deliver=down))
    subscribe(api)
    brand(api, sole_proprietor_bundles(api), sole=True)
    clock.advance(2 * REVIEW)
    assert api.call("GET", f"{TRUSTHUB}/Policies").status == 200
    # The sink's test event, two events and the two bundles' status callbacks, all refused.
    assert api.sim.stats == {"delivered": 0, "delivery_failures": 5}


def test_bundle_status_callbacks_are_signed_form_posts(
    api: Api, clock: FakeClock, sent: Sent
) -> None:
    standard_bundles(api)
    clock.advance(REVIEW)
    api.ok("GET", f"{TRUSTHUB}/Policies")
    url, headers, body = sent[0]
    params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert url == "https://isv.example/trusthub"
    assert params["Status"] == "twilio-approved" and params["BundleSID"].startswith("BU")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    validator = RequestValidator(SANDBOX_AUTH_TOKEN)
    assert validator.validate(url, params, headers["X-Twilio-Signature"]) is True


def test_the_catalogue_lists_the_twelve_a2p_events_and_newer_ones(api: Api) -> None:
    listed = api.ok("GET", f"{EVENTS}/Types", {"PageSize": 100})["types"]
    types = [t["type"] for t in listed]
    assert set(A2P_EVENTS) <= set(types)
    assert "com.twilio.messaging.compliance.campaign-registration.campaign-deleted" in types
    one = api.ok("GET", f"{EVENTS}/Types/{A2P_EVENTS[0]}")
    assert one["schema_id"] == "A2P.BrandRegistrationFailure"
    by_schema = api.ok("GET", f"{EVENTS}/Types", {"SchemaId": "A2P.BrandRegistered"})["types"]
    assert [t["type"] for t in by_schema] == [A2P_EVENTS[2]]


def test_a_sink_stays_initialized_until_validated_with_its_newest_test_id(
    api: Api, sent: Sent
) -> None:
    created = api.ok(
        "POST",
        f"{EVENTS}/Sinks",
        {"Description": "d", "SinkType": "webhook",
         "SinkConfiguration": {"destination": "https://isv.example/e"}},
    )  # fmt: skip
    sink = created["sid"]
    assert created["status"] == "initialized"
    types = {"Description": "d", "SinkSid": sink, "Types": [{"type": A2P_EVENTS[0]}]}
    refused = api.error("POST", f"{EVENTS}/Subscriptions", types)
    assert refused.status == 400 and "Sink must be active" in refused.body["message"]
    assert api.error("POST", f"{EVENTS}/Sinks/{sink}/Validate", {"TestId": "x" * 34}).status == 400

    assert api.ok("POST", f"{EVENTS}/Sinks/{sink}/Test") == {"result": "submitted"}
    first = sink_test_id(api, sink)
    assert api.ok("POST", f"{EVENTS}/Sinks/{sink}/Test") == {"result": "submitted"}
    newest = sink_test_id(api, sink)
    assert first is not None and newest is not None and len(newest) == 34 and first != newest
    assert api.ok("GET", f"{EVENTS}/Sinks/{sink}")["status"] == "validating"
    [test_event, _] = [json.loads(body)[0] for url, _, body in sent if "bodySHA256=" in url][-2:]
    assert (test_event["type"], test_event["source"]) == (TEST_EVENT_TYPE, sink)
    assert test_event["data"]["test_id"] == first  # the event carries the test id

    stale = api.error("POST", f"{EVENTS}/Sinks/{sink}/Validate", {"TestId": first})
    assert stale.status == 400  # a second test replaces the first test id
    assert api.ok("GET", f"{EVENTS}/Sinks/{sink}")["status"] == "validating"
    assert api.ok("POST", f"{EVENTS}/Sinks/{sink}/Validate", {"TestId": newest}) == {
        "result": "valid"
    }
    assert api.ok("GET", f"{EVENTS}/Sinks/{sink}")["status"] == "active"
    assert api.ok("POST", f"{EVENTS}/Subscriptions", types)["sink_sid"] == sink


def test_subscriptions_need_a_sink_and_known_types(api: Api) -> None:
    sink, _ = subscribe(api, "https://isv.example/e")
    unknown = api.error(
        "POST",
        f"{EVENTS}/Subscriptions",
        {"Description": "d", "SinkSid": sink, "Types": [{"type": "com.nope"}]},
    )
    assert "com.nope" in unknown.body["message"]
    no_sink = api.error(
        "POST",
        f"{EVENTS}/Subscriptions",
        {"Description": "d", "SinkSid": "DG" + "0" * 32, "Types": [{"type": A2P_EVENTS[0]}]},
    )
    assert no_sink.status == 400
    bad = api.error("POST", f"{EVENTS}/Sinks", {"Description": "d", "SinkType": "pigeon",
                                                  "SinkConfiguration": {}})  # fmt: skip
    assert "pigeon" in bad.body["message"]


def test_dump_and_load_mid_flow_keeps_every_record_and_pending_review(
    clock: FakeClock, sent: Sent
) -> None:
    def deliver(url: str, headers: dict[str, str], body: bytes) -> None:
        sent.append((url, headers, body))

    first = Api(Simulator(now=clock.now, review_seconds=REVIEW, deliver=deliver))
    subscribe(first)
    made = sole_proprietor_bundles(first)
    bn = brand(first, made, sole=True)["sid"]
    text = first.sim.dump()
    assert SANDBOX_AUTH_TOKEN not in text  # tokens are never stored
    second = Api(Simulator.load(text, now=clock.now, deliver=deliver))
    assert second.sim.scenario == "default" and second.sim.review_seconds == REVIEW
    clock.advance(2 * REVIEW)
    loaded = second.ok("GET", f"{MESSAGING}/a2p/BrandRegistrations/{bn}")
    assert (loaded["status"], loaded["identity_status"]) == ("APPROVED", "VERIFIED")
    assert second.ok("GET", f"{TRUSTHUB}/CustomerProfiles/{made.profile}")["status"] == (
        "twilio-approved"
    )
    assert len(deliveries(sent)) == 2  # the token was learnt again from that request
    newer = second.ok("POST", f"{TRUSTHUB}/CustomerProfiles", {
        "FriendlyName": "after load", "Email": "a@x.example", "PolicySid": STARTER_POLICY,
    })["sid"]  # fmt: skip
    assert newer != made.profile
    with pytest.raises(ValueError):
        Simulator.load('{"version": 99}')
