"""`events setup`: one sink and one subscription, idempotently, against a fake gateway."""

from __future__ import annotations

import json
from typing import Any

import pytest

from a2pctl.errors import UsageError
from a2pctl.events.catalog import A2P_PREFIX, SUBSCRIBED_SCHEMA_VERSIONS
from a2pctl.events.setup import (
    SUBSCRIPTION_DESCRIPTION,
    TEST_WAIT_SECONDS,
    SinkNotActive,
    check_account_sid,
    setup_event_streams,
)
from a2pctl.events.sinktest import TEST_EVENT_TYPE, record_test
from a2pctl.gateway import GatewayError
from a2pctl.gateway.records import Answer, EventType, Sink, Subscription
from a2pctl.pacing import FakeClock
from a2pctl.state.store import Store

URL = "https://isv.example/a2p-events"
ACCOUNT = "AC" + "1" * 32
ALL_TYPES = {A2P_PREFIX + short: v for short, v in SUBSCRIBED_SCHEMA_VERSIONS.items()}


class FakeEvents:
    """The Event Streams operations of the Gateway protocol, in memory."""

    def __init__(self, account_sid: str = ACCOUNT, extra_types: tuple[str, ...] = ()) -> None:
        self.account_sid = account_sid
        self.sinks: list[dict[str, Any]] = []
        self.subscriptions: list[dict[str, Any]] = []
        self.subscribed: dict[str, list[dict[str, Any]]] = {}
        self.types = [{"type": t, "status": "available"} for t in [*ALL_TYPES, *extra_types]]
        self.types.append({"type": "com.twilio.messaging.message.delivered", "status": "available"})
        self.calls: list[str] = []
        self.lose_answer_of: set[str] = set()  # creates that happen but whose answer is lost
        self.new_sink_status = "active"
        self.refuse_inactive_sinks = True  # as the OpenAPI description says Twilio does
        self.receiver: Store | None = None  # where a2pctl's receiver keeps test ids
        self.receiver_url = URL  # the URL that receiver serves
        self.test_ids: dict[str, str] = {}  # sink SID -> the test id of its last test event
        self.validate_answer_lost = False

    def _sid(self, prefix: str, items: list[Any]) -> str:
        return f"{prefix}{len(items) + 1:032x}"

    def create_sink(
        self, *, description: str, sink_configuration: dict[str, Any], sink_type: str
    ) -> Sink:
        self.calls.append("create_sink")
        sink = {
            "sid": self._sid("DG", self.sinks),
            "description": description,
            "sink_configuration": dict(sink_configuration),
            "sink_type": sink_type,
            "status": self.new_sink_status,
        }
        self.sinks.append(sink)
        self._maybe_lose("create_sink")
        return Sink.from_twilio(sink)

    def list_sinks(self) -> list[Sink]:
        self.calls.append("list_sinks")
        return Sink.parse_all(self.sinks)

    def _sink(self, sid: str) -> dict[str, Any]:
        return next(s for s in self.sinks if s["sid"] == sid)

    def fetch_sink(self, sid: str) -> Sink:
        self.calls.append("fetch_sink")
        return Sink.from_twilio(self._sink(sid))

    def test_sink(self, sid: str) -> Answer:
        """Twilio's test event, delivered at once to the receiver when it serves the URL."""
        self.calls.append("test_sink")
        sink = self._sink(sid)
        test_id = f"TE{len(self.calls):032x}"
        self.test_ids[sid] = test_id
        if sink["status"] != "active":
            sink["status"] = "validating"
        destination = sink["sink_configuration"]["destination"]
        if self.receiver is not None and destination == self.receiver_url:
            event = {"id": "CE1", "type": TEST_EVENT_TYPE, "source": sid}
            record_test(self.receiver, destination, {**event, "data": {"test_id": test_id}},
                        received_at=0.0)  # fmt: skip
        return Answer.from_twilio({"result": "submitted"})

    def validate_sink(self, sid: str, *, test_id: str) -> Answer:
        self.calls.append(f"validate_sink {test_id}")
        if self.test_ids.get(sid) != test_id:
            raise GatewayError("TestId does not match", status=400, code=20001)
        self._sink(sid)["status"] = "active"
        if self.validate_answer_lost:
            self.validate_answer_lost = False
            raise GatewayError("Bad Request", status=400, code=20001)  # as a repeat would say
        return Answer.from_twilio({"result": "valid"})

    def create_subscription(
        self, *, description: str, sink_sid: str, types: list[dict[str, Any]]
    ) -> Subscription:
        self.calls.append("create_subscription")
        inactive = any(s["sid"] == sink_sid and s["status"] != "active" for s in self.sinks)
        if inactive and self.refuse_inactive_sinks:
            raise GatewayError("Sink must be active", status=400)
        sub = {"sid": self._sid("DF", self.subscriptions), "description": description}
        sub["sink_sid"] = sink_sid
        self.subscriptions.append(sub)
        self.subscribed[sub["sid"]] = [dict(t) for t in types]
        self._maybe_lose("create_subscription")
        return Subscription.from_twilio(sub)

    def list_subscriptions(self, *, sink_sid: str | None = None) -> list[Subscription]:
        self.calls.append("list_subscriptions")
        found = [s for s in self.subscriptions if sink_sid in (None, s["sink_sid"])]
        return Subscription.parse_all(found)

    def list_subscribed_events(self, subscription_sid: str) -> list[EventType]:
        self.calls.append("list_subscribed_events")
        return EventType.parse_all(self.subscribed[subscription_sid])

    def add_subscribed_event(
        self, subscription_sid: str, *, type: str, schema_version: int | None = None
    ) -> EventType:
        self.calls.append(f"add_subscribed_event {type}")
        entry = {"type": type, "schema_version": schema_version}
        self.subscribed[subscription_sid].append(entry)
        return EventType.from_twilio(entry)

    def list_event_types(self) -> list[EventType]:
        self.calls.append("list_event_types")
        return EventType.parse_all(self.types)

    def _maybe_lose(self, call: str) -> None:
        if call in self.lose_answer_of:
            self.lose_answer_of.discard(call)
            raise GatewayError("connection dropped", ambiguous=True, retryable=True)


def run(gateway: FakeEvents, clock: FakeClock | None = None, **kwargs: Any) -> Any:
    options: dict[str, Any] = {"url": URL, "method": "POST", "batch": False, **kwargs}
    return setup_event_streams(gateway, clock=clock or FakeClock(), **options)  # type: ignore[arg-type]


def test_setup_creates_a_webhook_sink_and_a_subscription_to_the_twelve_types() -> None:
    gateway = FakeEvents()

    result = run(gateway)

    [sink] = gateway.sinks
    assert sink["sink_type"] == "webhook"
    assert sink["sink_configuration"] == {
        "destination": URL,
        "method": "POST",
        "batch_events": False,
    }
    assert sink["description"] == "a2pctl A2P 10DLC events isv.example"
    [sub] = gateway.subscriptions
    assert sub["sink_sid"] == sink["sid"]
    assert sub["description"] == SUBSCRIPTION_DESCRIPTION
    subscribed = {t["type"]: t["schema_version"] for t in gateway.subscribed[sub["sid"]]}
    assert subscribed == ALL_TYPES
    assert subscribed[A2P_PREFIX + "brand-registration.brand-failure"] == 2
    assert subscribed[A2P_PREFIX + "campaign-registration.campaign-failure"] == 2
    assert len(subscribed) == 12
    assert (result.sink_sid, result.subscription_sid) == (sink["sid"], sub["sid"])
    assert (result.sink_created, result.subscription_created) == (True, True)
    assert result.account_sid == ACCOUNT
    assert result.warnings == ()


def test_setup_run_twice_creates_one_sink_and_one_subscription() -> None:
    gateway = FakeEvents()
    first = run(gateway)

    second = run(gateway)

    assert len(gateway.sinks) == 1 and len(gateway.subscriptions) == 1
    assert (second.sink_sid, second.subscription_sid) == (first.sink_sid, first.subscription_sid)
    assert (second.sink_created, second.subscription_created) == (False, False)
    assert second.types_added == ()
    assert gateway.calls.count("create_sink") == 1
    assert gateway.calls.count("create_subscription") == 1


def test_a_subscription_missing_types_gets_only_those_added() -> None:
    gateway = FakeEvents()
    first = run(gateway)
    kept = [t for t in gateway.subscribed[first.subscription_sid] if "number-" not in t["type"]]
    gateway.subscribed[first.subscription_sid] = kept

    second = run(gateway)

    added = sorted(c.split()[1] for c in gateway.calls if c.startswith("add_subscribed_event"))
    assert added == sorted(t for t in ALL_TYPES if "number-" in t)
    assert sorted(second.types_added) == added
    assert len(gateway.subscribed[first.subscription_sid]) == 12


def test_an_existing_subscription_on_the_sink_is_reused_even_if_not_ours() -> None:
    gateway = FakeEvents()
    gateway.sinks.append(
        {
            "sid": "DG" + "a" * 32,
            "sink_type": "webhook",
            "status": "active",
            # Some answers carry the configuration as a JSON string.
            "sink_configuration": json.dumps({"destination": URL, "method": "POST"}),
        }
    )
    gateway.subscriptions.append(
        {"sid": "DF" + "b" * 32, "sink_sid": "DG" + "a" * 32, "description": "Console"}
    )
    gateway.subscribed["DF" + "b" * 32] = [
        {"type": A2P_PREFIX + "brand-registration.brand-failure", "schema_version": 1}
    ]

    result = run(gateway)

    assert (result.sink_sid, result.subscription_sid) == ("DG" + "a" * 32, "DF" + "b" * 32)
    assert "create_sink" not in gateway.calls and "create_subscription" not in gateway.calls
    assert len(result.types_added) == 11
    assert any("schema version 1" in w and "brand-failure" in w for w in result.warnings)


def test_a_sink_to_another_url_is_not_reused() -> None:
    gateway = FakeEvents()
    run(gateway, url="https://other.example/hook")

    result = run(gateway)

    assert len(gateway.sinks) == 2
    assert result.sink_created


def test_a_sink_to_the_same_url_with_the_other_method_is_refused() -> None:
    gateway = FakeEvents()
    run(gateway, method="GET")

    with pytest.raises(UsageError, match="already delivers") as caught:
        run(gateway, method="POST")

    assert caught.value.field == "--method"
    assert len(gateway.sinks) == 1


@pytest.mark.parametrize("call", ["create_sink", "create_subscription"])
def test_a_lost_create_answer_is_recovered_by_listing_not_by_creating_again(call: str) -> None:
    gateway = FakeEvents()
    gateway.lose_answer_of.add(call)

    result = run(gateway)

    assert gateway.calls.count(call) == 1
    assert len(gateway.sinks) == 1 and len(gateway.subscriptions) == 1
    assert result.sink_sid == gateway.sinks[0]["sid"]
    assert result.subscription_sid == gateway.subscriptions[0]["sid"]


def test_a_non_ambiguous_gateway_error_propagates() -> None:
    gateway = FakeEvents()

    def refuse(**kwargs: Any) -> Subscription:
        raise GatewayError("Sink must be active", status=400, code=20001)

    gateway.create_subscription = refuse  # type: ignore[method-assign]

    with pytest.raises(GatewayError, match="Sink must be active"):
        run(gateway)


def test_an_initialized_sink_is_tested_validated_with_the_received_test_id_then_subscribed(
    store: Store,
) -> None:
    gateway = FakeEvents()
    gateway.new_sink_status = "initialized"
    gateway.receiver = store
    clock = FakeClock()

    result = run(gateway, clock, store=store)

    assert gateway.calls.count("test_sink") == 1
    [validated] = [c for c in gateway.calls if c.startswith("validate_sink")]
    assert validated.split()[1] == gateway.test_ids[result.sink_sid]
    assert gateway.calls.index(validated) < gateway.calls.index("create_subscription")
    assert (result.sink_tested, result.sink_validated, result.sink_status) == (True, True, "active")
    assert result.subscription_created
    assert clock.sleeps == []  # the test id was there at the first look


def test_an_active_sink_is_not_tested_again_and_a_rerun_creates_nothing(store: Store) -> None:
    gateway = FakeEvents()
    gateway.new_sink_status = "initialized"
    gateway.receiver = store
    run(gateway, store=store)
    calls = len(gateway.calls)

    again = run(gateway, store=store)

    later = gateway.calls[calls:]
    assert not [c for c in later if c.startswith(("test_sink", "validate_sink", "create_"))]
    assert (again.sink_created, again.subscription_created, again.sink_tested) == (
        False,
        False,
        False,
    )


def test_a_sink_whose_test_id_never_arrives_ends_pending_saying_how_to_finish() -> None:
    gateway = FakeEvents()
    gateway.new_sink_status = "initialized"  # someone else's receiver: nothing reaches a2pctl
    clock = FakeClock()

    with pytest.raises(SinkNotActive) as caught:
        run(gateway, clock, test_wait=5.0)

    assert caught.value.exit_code == 3
    assert "--test-id" in (caught.value.hint or "")
    assert "validating" in caught.value.message
    assert gateway.subscriptions == [] and "create_subscription" not in gateway.calls
    assert 5.0 <= sum(clock.sleeps) <= 5.0 + 1.0  # waited on the clock, never for real

    sink = gateway.sinks[0]["sid"]
    result = run(gateway, test_id=gateway.test_ids[sink])  # the id read from the test event

    assert gateway.calls.count("test_sink") == 1 and result.sink_validated
    assert result.subscription_created and not result.sink_created


def test_a_wrong_test_id_is_a_usage_error_naming_the_option() -> None:
    gateway = FakeEvents()
    gateway.new_sink_status = "initialized"

    with pytest.raises(UsageError, match="refused --test-id") as caught:
        run(gateway, test_id="TE" + "9" * 32)

    assert caught.value.field == "--test-id"
    assert gateway.subscriptions == []


def test_a_test_id_that_arrived_after_setup_gave_up_is_used_without_a_new_test(
    store: Store,
) -> None:
    gateway = FakeEvents()
    gateway.new_sink_status = "initialized"
    with pytest.raises(SinkNotActive):
        run(gateway, store=store, test_wait=0.0)
    sink = gateway.sinks[0]
    event = {"id": "CE9", "type": TEST_EVENT_TYPE, "source": sink["sid"]}
    record_test(store, URL, {**event, "data": {"test_id": gateway.test_ids[sink["sid"]]}},
                received_at=1.0)  # fmt: skip  # `events serve` got it later

    result = run(gateway, store=store)

    assert gateway.calls.count("test_sink") == 1
    assert result.sink_validated and not result.sink_tested and result.subscription_created


def test_a_validation_whose_answer_was_lost_is_looked_up_not_failed(store: Store) -> None:
    gateway = FakeEvents()
    gateway.new_sink_status = "initialized"
    gateway.receiver = store
    gateway.validate_answer_lost = True

    result = run(gateway, store=store)

    assert result.sink_status == "active" and result.subscription_created


def test_an_active_sink_with_a_test_id_given_warns_that_it_was_not_needed() -> None:
    gateway = FakeEvents()
    run(gateway)

    result = run(gateway, test_id="TE" + "1" * 32)

    assert any("--test-id was not needed" in w for w in result.warnings)
    assert not [c for c in gateway.calls if c.startswith("validate_sink")]


def test_the_default_wait_for_a_test_event_is_half_a_minute() -> None:
    from a2pctl.cli import events as cli_events

    assert TEST_WAIT_SECONDS == cli_events.TEST_WAIT_SECONDS == 30.0


def test_available_a2p_types_unknown_to_a2pctl_are_warned_about_not_subscribed() -> None:
    extra = A2P_PREFIX + "campaign-registration.campaign-teleported"
    gateway = FakeEvents(extra_types=(extra,))

    result = run(gateway)

    assert result.warnings == (
        f"A2P event type {extra} is available but unknown to a2pctl: not subscribed "
        "(if delivered, it is recorded as received)",
    )
    assert extra not in result.types


def test_newer_registration_types_are_subscribed_when_twilio_lists_them() -> None:
    deleted = A2P_PREFIX + "campaign-registration.campaign-deleted"
    clicked = A2P_PREFIX + "brand-registration.email-2fa-clicked"
    sharing = A2P_PREFIX + "brand-registration.sharing-created"
    gateway = FakeEvents(extra_types=(deleted, clicked, sharing))

    result = run(gateway)

    [sub] = gateway.subscriptions
    subscribed = {t["type"] for t in gateway.subscribed[sub["sid"]]}
    assert subscribed == set(ALL_TYPES) | {deleted, clicked}  # sharing: decoded, not wanted
    assert result.warnings == ()
    older = FakeEvents()  # an account whose Types do not list them: the 12 only
    assert set(run(older).types) == set(ALL_TYPES)


def test_subscribed_types_missing_from_the_types_endpoint_are_warned_about() -> None:
    gateway = FakeEvents()
    missing = A2P_PREFIX + "number-deregistration.failed"
    gateway.types = [t for t in gateway.types if t["type"] != missing]

    result = run(gateway)

    assert result.warnings == (
        f"A2P event type {missing} is not listed as available by Twilio's Types endpoint",
    )


def test_batch_and_get_are_passed_on_and_get_is_warned_about() -> None:
    gateway = FakeEvents()

    result = run(gateway, method="get", batch=True)

    assert gateway.sinks[0]["sink_configuration"]["method"] == "GET"
    assert result.batch_events is True
    assert any("POST deliveries only" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("url", "method", "message"),
    [
        ("isv.example/hook", "POST", "not an http"),
        ("ftp://isv.example/hook", "POST", "not an http"),
        (URL, "PUT", "not POST or GET"),
    ],
)
def test_bad_urls_and_methods_are_usage_errors_before_any_request(
    url: str, method: str, message: str
) -> None:
    gateway = FakeEvents()

    with pytest.raises(UsageError, match=message):
        run(gateway, url=url, method=method)

    assert gateway.calls == []


def test_the_account_sid_option_must_be_an_account_sid() -> None:
    assert check_account_sid(None) is None
    assert check_account_sid(f" {ACCOUNT} ") == ACCOUNT
    with pytest.raises(UsageError, match="not an account SID"):
        check_account_sid("BU" + "1" * 32)


def test_setup_runs_in_the_subaccount_of_the_gateway_it_is_given() -> None:
    sub = FakeEvents(account_sid="AC" + "2" * 32)

    result = run(sub)

    assert result.account_sid == "AC" + "2" * 32
    assert len(sub.sinks) == 1
