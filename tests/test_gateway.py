"""The Twilio gateway's requests on the wire, its retries, pacing and transports.

The real `twilio` library sends through `requests`, answered by `responses`;
every wait happens on a FakeClock.
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from a2pctl.errors import UsageError
from a2pctl.gateway import Credentials, GatewayError
from a2pctl.gateway.records import Bundle
from a2pctl.gateway.twilio import InProcessTransport, TwilioGateway
from a2pctl.pacing import FakeClock, RateLimiter

ACCOUNT = "AC" + "a" * 32
SUBACCOUNT = "AC" + "5" * 32
TOKEN = "auth-token-that-must-never-show"
API_KEY = "SK" + "b" * 32
TRUSTHUB = "https://trusthub.twilio.com"
MESSAGING = "https://messaging.twilio.com"
EVENTS = "https://events.twilio.com"
API = "https://api.twilio.com"
SIMULATOR = "http://127.0.0.1:8765"
ANY_URL = re.compile(r"https?://.*")
BU = "BU" + "1" * 32
POLICY = "RN" + "2" * 32
BN = "BN" + "3" * 32


def v1_page(key: str, records: list[dict[str, Any]], next_url: str | None = None) -> str:
    return json.dumps({key: records, "meta": {"key": key, "next_page_url": next_url}})


def problem(code: int, message: str, status: int, **extra: Any) -> str:
    return json.dumps({"code": code, "message": message, "status": status, **extra})


@dataclass
class Wire:
    """Answers requests in order from a script, noting when (on the clock) each arrived."""

    clock: FakeClock
    mock: responses.RequestsMock
    script: list[Any] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def answer(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.times.append(self.clock.now())
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        status, headers, body = step
        return status, headers, body

    @property
    def requests(self) -> list[requests.PreparedRequest]:
        return [call.request for call in self.mock.calls]


@pytest.fixture
def wire(clock: FakeClock) -> Iterator[Wire]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        scripted = Wire(clock, mock)
        for method in ("GET", "POST", "DELETE"):
            mock.add_callback(method, ANY_URL, callback=scripted.answer)
        yield scripted


def gateway(clock: FakeClock, rate: float = 1000.0, **options: Any) -> TwilioGateway:
    creds = options.pop("credentials", Credentials(ACCOUNT, ACCOUNT, TOKEN))
    options.setdefault("rng", random.Random(42))
    limiter = options.pop("limiter", RateLimiter(clock, rate))
    return TwilioGateway(
        creds, options.pop("account_sid", None), limiter=limiter, clock=clock, **options
    )


def created(sid: str = BU, **fields: Any) -> tuple[int, dict[str, str], str]:
    return 201, {}, json.dumps({"sid": sid, **fields})


def create_profile(g: TwilioGateway) -> Bundle:
    return g.create_bundle(
        "customer_profile", friendly_name="jane", email="jane@example.com", policy_sid=POLICY
    )


# --- request shapes -------------------------------------------------------------------------
def test_attributes_travel_as_one_json_form_field(wire: Wire, clock: FakeClock) -> None:
    wire.script = [created("IT" + "4" * 32)]

    gateway(clock).create_end_user(
        friendly_name="jane",
        type="starter_customer_profile_information",
        attributes={"first_name": "Jane", "email": "jane@example.com"},
    )

    form = parse_qs(str(wire.requests[0].body))
    assert json.loads(form["Attributes"][0]) == {"first_name": "Jane", "email": "jane@example.com"}
    assert form["Type"] == ["starter_customer_profile_information"]


def test_campaign_lists_travel_as_repeated_keys_and_booleans_as_words(
    wire: Wire, clock: FakeClock
) -> None:
    wire.script = [created("QE" + "5" * 32)]

    gateway(clock).create_campaign(
        "MG" + "6" * 32,
        brand_registration_sid=BN,
        description="d" * 40,
        message_flow="f" * 40,
        message_samples=["sample one is twenty chars", "sample two is twenty chars"],
        us_app_to_person_usecase="LOW_VOLUME",
        has_embedded_links=False,
        has_embedded_phone=True,
        opt_in_keywords=["START", "YES"],
    )

    form = parse_qs(str(wire.requests[0].body))
    assert form["MessageSamples"] == ["sample one is twenty chars", "sample two is twenty chars"]
    assert form["OptInKeywords"] == ["START", "YES"]
    assert (form["HasEmbeddedLinks"], form["HasEmbeddedPhone"]) == (["false"], ["true"])


def test_unset_options_are_left_out_of_the_request(wire: Wire, clock: FakeClock) -> None:
    wire.script = [created(BN)]

    gateway(clock).create_brand(customer_profile_bundle_sid=BU, a2p_profile_bundle_sid=BU)

    assert parse_qs(str(wire.requests[0].body)) == {
        "CustomerProfileBundleSid": [BU],
        "A2PProfileBundleSid": [BU],
    }


def test_api_key_credentials_authenticate_as_the_key_on_the_account(
    wire: Wire, clock: FakeClock
) -> None:
    wire.script = [(200, {}, json.dumps({"addresses": [], "next_page_uri": None}))]
    creds = Credentials(account_sid=ACCOUNT, username=API_KEY, password=TOKEN)

    gateway(clock, credentials=creds).list_addresses()

    request = wire.requests[0]
    expected = base64.b64encode(f"{API_KEY}:{TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert urlsplit(request.url or "").path == f"/2010-04-01/Accounts/{ACCOUNT}/Addresses.json"


def test_a_subaccount_is_reached_with_its_own_token_read_by_the_main_account(
    wire: Wire, clock: FakeClock
) -> None:
    sub_token = "subaccount-token-never-shown"
    wire.script = [
        (200, {}, json.dumps({"sid": SUBACCOUNT, "auth_token": sub_token, "status": "active"})),
        (200, {}, json.dumps({"addresses": [], "next_page_uri": None})),
        (200, {}, json.dumps({"data": [], "meta": {"key": "data", "next_page_url": None}})),
    ]
    limiter = RateLimiter(clock, 1.0)

    g = gateway(clock, account_sid=SUBACCOUNT, limiter=limiter)
    g.list_addresses(friendly_name="jane")
    g.list_brands()

    assert g.account_sid == SUBACCOUNT
    first, addresses, brands = wire.requests
    assert (first.url or "").endswith(f"/2010-04-01/Accounts/{SUBACCOUNT}.json")
    assert first.headers["Authorization"] == _basic(ACCOUNT, TOKEN)
    assert f"/Accounts/{SUBACCOUNT}/Addresses.json" in (addresses.url or "")
    # TrustHub, Messaging and Events accept only the subaccount's own credentials.
    assert addresses.headers["Authorization"] == _basic(SUBACCOUNT, sub_token)
    assert brands.headers["Authorization"] == _basic(SUBACCOUNT, sub_token)
    assert limiter.ready_at(SUBACCOUNT) == clock.now() + 1.0
    assert limiter.ready_at(ACCOUNT) == clock.now()


def test_main_account_api_keys_are_refused_for_a_subaccount(wire: Wire, clock: FakeClock) -> None:
    creds = Credentials(ACCOUNT, API_KEY, "key-secret")
    g = gateway(clock, account_sid=SUBACCOUNT, credentials=creds)

    with pytest.raises(UsageError, match="API keys cannot act on subaccount") as caught:
        g.list_brands()
    assert not isinstance(caught.value, GatewayError)
    assert caught.value.exit_code == 2
    assert caught.value.hint is not None and "TWILIO_AUTH_TOKEN" in caught.value.hint
    assert wire.requests == []


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_records_come_out_as_json_data_with_iso_dates(wire: Wire, clock: FakeClock) -> None:
    address = {
        "sid": "AD" + "7" * 32,
        "date_created": "Tue, 18 Aug 2015 17:07:30 +0000",
        "validated": False,
    }
    wire.script = [(200, {}, json.dumps({"addresses": [address], "next_page_uri": None}))]

    records = gateway(clock).list_addresses()

    assert records[0].sid == address["sid"]
    assert records[0].date_created == "2015-08-18T17:07:30Z"
    detail = records[0].as_detail()  # what the store keeps: the answer as plain JSON
    assert detail["date_created"] == "2015-08-18T17:07:30Z"
    assert detail["validated"] is False
    assert not any(key.startswith("_") for key in detail)


def test_region_and_edge_in_the_environment_never_redirect_requests(
    wire: Wire, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_REGION", "au1")
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    wire.script = [created()]

    create_profile(gateway(clock))

    assert wire.requests[0].url == f"{TRUSTHUB}/v1/CustomerProfiles"


def test_every_request_has_the_configured_timeout(wire: Wire, clock: FakeClock) -> None:
    wire.script = [created()]

    create_profile(gateway(clock, timeout=12.5))

    assert wire.mock.calls[0].request.req_kwargs["timeout"] == 12.5  # type: ignore[attr-defined]


# --- --api-url --------------------------------------------------------------------------------
def test_api_url_receives_every_host_and_every_page(wire: Wire, clock: FakeClock) -> None:
    end_user = {"sid": "IT" + "1" * 32}
    wire.script = [
        (200, {}, v1_page("results", [end_user], f"{TRUSTHUB}/v1/EndUsers?PageToken=PT1")),
        (200, {}, v1_page("results", [end_user])),
        (200, {}, v1_page("data", [{"sid": BN}])),
        (200, {}, v1_page("sinks", [])),
        (
            200,
            {},
            json.dumps(
                {
                    "addresses": [],
                    "next_page_uri": f"/2010-04-01/Accounts/{ACCOUNT}/Addresses.json?Page=1",
                }
            ),
        ),
        (200, {}, json.dumps({"addresses": [], "next_page_uri": None})),
    ]
    g = gateway(clock, api_url=SIMULATOR)

    assert len(g.list_end_users()) == 2
    g.list_brands()
    g.list_sinks()
    g.list_addresses()

    paths = [(urlsplit(r.url or "").netloc, urlsplit(r.url or "").path) for r in wire.requests]
    assert paths == [
        ("127.0.0.1:8765", "/v1/EndUsers"),
        ("127.0.0.1:8765", "/v1/EndUsers"),
        ("127.0.0.1:8765", "/v1/a2p/BrandRegistrations"),
        ("127.0.0.1:8765", "/v1/Sinks"),
        ("127.0.0.1:8765", f"/2010-04-01/Accounts/{ACCOUNT}/Addresses.json"),
        ("127.0.0.1:8765", f"/2010-04-01/Accounts/{ACCOUNT}/Addresses.json"),
    ]
    assert "PageToken=PT1" in (wire.requests[1].url or "")
    assert "Page=1" in (wire.requests[5].url or "")


def test_api_url_with_a_path_prefixes_it_once(wire: Wire, clock: FakeClock) -> None:
    base = f"{SIMULATOR}/twilio"
    wire.script = [
        (200, {}, v1_page("results", [], f"{base}/v1/EndUsers?PageToken=PT1")),
        (200, {}, v1_page("results", [])),
    ]

    gateway(clock, api_url=base + "/").list_end_users()

    assert [urlsplit(r.url or "").path for r in wire.requests] == [
        "/twilio/v1/EndUsers",
        "/twilio/v1/EndUsers",
    ]


def test_an_api_url_that_is_not_an_http_url_is_a_usage_error(clock: FakeClock) -> None:
    with pytest.raises(UsageError) as caught:
        gateway(clock, api_url="127.0.0.1:8765")

    assert caught.value.field == "--api-url"


# --- retries ----------------------------------------------------------------------------------
def test_a_429_is_retried_after_at_least_retry_after(wire: Wire, clock: FakeClock) -> None:
    too_many = (429, {"Retry-After": "7"}, problem(20429, "Too Many Requests", 429))
    wire.script = [too_many, too_many, created()]
    seen: list[tuple[int | None, float]] = []

    record = create_profile(gateway(clock, on_retry=lambda e, w: seen.append((e.status, w))))

    assert record.sid == BU
    assert len(wire.requests) == 3
    assert clock.sleeps == [7.0, 7.0]
    assert seen == [(429, 7.0), (429, 7.0)]
    assert wire.times[1] - wire.times[0] >= 7.0


def test_a_503_is_retried_with_jittered_exponential_backoff(wire: Wire, clock: FakeClock) -> None:
    unavailable: tuple[int, dict[str, str], str] = (503, {}, "<html>Service Unavailable</html>")
    wire.script = [unavailable, unavailable, unavailable, created()]
    expected_rng = random.Random(42)
    expected = [expected_rng.uniform(0, ceiling) for ceiling in (1.0, 2.0, 4.0)]

    create_profile(gateway(clock, rng=random.Random(42)))

    assert len(wire.requests) == 4
    assert clock.sleeps == pytest.approx(expected)


def test_retries_stop_after_max_attempts_with_the_last_error(wire: Wire, clock: FakeClock) -> None:
    wire.script = [(500, {}, problem(20500, "Internal Server Error", 500))] * 3

    with pytest.raises(GatewayError) as caught:
        gateway(clock, max_attempts=3).fetch_brand(BN)

    assert len(wire.requests) == 3
    assert caught.value.status == 500
    assert caught.value.retryable


def test_backoff_never_exceeds_max_backoff_unless_twilio_asks(wire: Wire, clock: FakeClock) -> None:
    wire.script = [(503, {}, "")] * 7 + [(200, {}, json.dumps({"sid": BN}))]

    gateway(clock, max_attempts=8, max_backoff=3.0).fetch_brand(BN)

    assert len(clock.sleeps) == 7
    assert max(clock.sleeps) <= 3.0


def test_a_400_is_not_retried_and_names_code_message_and_field(
    wire: Wire, clock: FakeClock
) -> None:
    body = problem(
        21211,
        "Invalid parameter",
        400,
        more_info="https://www.twilio.com/docs/errors/21211",
        details={"field": "PolicySid"},
    )
    wire.script = [(400, {}, body)]

    with pytest.raises(GatewayError) as caught:
        create_profile(gateway(clock))

    error = caught.value
    assert len(wire.requests) == 1
    assert clock.sleeps == []
    assert (error.status, error.code, error.field) == (400, 21211, "PolicySid")
    assert str(error) == (
        "POST /v1/CustomerProfiles: Invalid parameter "
        "(HTTP 400, Twilio error 21211, https://www.twilio.com/docs/errors/21211)"
    )


def test_a_create_whose_connection_drops_is_raised_at_once_as_ambiguous(
    wire: Wire, clock: FakeClock
) -> None:
    wire.script = [requests.exceptions.ConnectionError("Connection aborted."), created()]

    with pytest.raises(GatewayError) as caught:
        create_profile(gateway(clock))

    assert caught.value.ambiguous
    assert [r.method for r in wire.requests] == ["POST"]
    assert clock.sleeps == []


def test_a_create_whose_answer_times_out_is_raised_at_once_as_ambiguous(
    wire: Wire, clock: FakeClock
) -> None:
    wire.script = [requests.exceptions.ReadTimeout("read timed out"), created()]

    with pytest.raises(GatewayError) as caught:
        gateway(clock).send_brand_otp(BN)

    assert caught.value.ambiguous
    assert len(wire.requests) == 1


def test_a_brand_resubmission_whose_answer_times_out_is_ambiguous_and_sent_once(
    wire: Wire, clock: FakeClock
) -> None:
    wire.script = [requests.exceptions.ReadTimeout("read timed out"), created(BN)]

    with pytest.raises(GatewayError) as caught:
        gateway(clock).resubmit_brand(BN)

    assert caught.value.ambiguous
    assert [(r.method, urlsplit(r.url or "").path) for r in wire.requests] == [
        ("POST", f"/v1/a2p/BrandRegistrations/{BN}")
    ]


def test_a_create_that_never_connected_is_retried(wire: Wire, clock: FakeClock) -> None:
    wire.script = [requests.exceptions.ConnectTimeout("connect timed out"), created()]

    assert create_profile(gateway(clock)).sid == BU
    assert len(wire.requests) == 2


def test_a_read_whose_connection_drops_is_retried(wire: Wire, clock: FakeClock) -> None:
    wire.script = [
        requests.exceptions.ConnectionError("Connection aborted."),
        (200, {}, json.dumps({"sid": BN, "status": "APPROVED"})),
    ]

    assert gateway(clock).fetch_brand(BN).status == "APPROVED"
    assert [r.method for r in wire.requests] == ["GET", "GET"]


def test_an_update_whose_connection_drops_is_retried(wire: Wire, clock: FakeClock) -> None:
    wire.script = [
        requests.exceptions.ReadTimeout("read timed out"),
        (200, {}, json.dumps({"sid": BU, "status": "draft", "email": "new@isv.example"})),
    ]

    record = gateway(clock).update_bundle("customer_profile", BU, email="new@isv.example")

    assert record.email == "new@isv.example"
    assert len(wire.requests) == 2


def test_a_bundle_submission_whose_answer_times_out_is_ambiguous_and_sent_once(
    wire: Wire, clock: FakeClock
) -> None:
    # Twilio refuses a second submission: the caller looks at the bundle instead.
    wire.script = [
        requests.exceptions.ReadTimeout("read timed out"),
        (200, {}, json.dumps({"sid": BU, "status": "pending-review"})),
    ]

    with pytest.raises(GatewayError) as caught:
        gateway(clock).update_bundle("customer_profile", BU, status="pending-review")

    assert caught.value.ambiguous
    assert len(wire.requests) == 1


def _evaluation(status: str = "compliant") -> tuple[int, dict[str, str], str]:
    return 201, {}, json.dumps({"sid": "EL" + "8" * 32, "status": status, "policy_sid": POLICY})


def test_an_evaluation_after_a_500_is_retried(wire: Wire, clock: FakeClock) -> None:
    # An evaluation creates nothing that matters: repeating it is harmless.
    wire.script = [(500, {}, problem(20500, "Internal Server Error", 500)), _evaluation()]

    record = gateway(clock).evaluate("customer_profile", BU, POLICY)

    assert record.status == "compliant"
    assert [(r.method, urlsplit(r.url or "").path) for r in wire.requests] == [
        ("POST", f"/v1/CustomerProfiles/{BU}/Evaluations")
    ] * 2
    assert len(clock.sleeps) == 1


def test_an_evaluation_whose_connection_drops_is_retried(wire: Wire, clock: FakeClock) -> None:
    wire.script = [requests.exceptions.ConnectionError("Connection aborted."), _evaluation()]

    record = gateway(clock).evaluate("trust_product", BU, POLICY)

    assert record.status == "compliant"
    assert [(r.method, urlsplit(r.url or "").path) for r in wire.requests] == [
        ("POST", f"/v1/TrustProducts/{BU}/Evaluations")
    ] * 2


def test_an_evaluation_that_keeps_failing_names_its_request(wire: Wire, clock: FakeClock) -> None:
    wire.script = [(500, {}, problem(20500, "Internal Server Error", 500))] * 2

    with pytest.raises(GatewayError) as caught:
        gateway(clock, max_attempts=2).evaluate("customer_profile", BU, POLICY)

    assert caught.value.resource == f"POST /v1/CustomerProfiles/{BU}/Evaluations"
    assert not caught.value.ambiguous
    assert len(wire.requests) == 2


def test_the_librarys_own_retries_are_off(wire: Wire, clock: FakeClock) -> None:
    wire.script = [(503, {"Retry-After": "1"}, ""), created()]
    g = gateway(clock, max_attempts=1)

    with pytest.raises(GatewayError):
        g.fetch_brand(BN)

    assert len(wire.requests) == 1
    for prefix in ("https://", "http://"):
        assert g.http_client.session.get_adapter(prefix).max_retries.total == 0


# --- pacing -------------------------------------------------------------------------------------
def test_two_calls_at_rate_one_are_a_second_apart(wire: Wire, clock: FakeClock) -> None:
    wire.script = [(200, {}, json.dumps({"sid": BN}))] * 2
    g = gateway(clock, rate=1.0)

    g.fetch_brand(BN)
    g.fetch_brand(BN)

    assert wire.times[1] - wire.times[0] >= 1.0


def test_every_attempt_and_every_page_passes_the_rate_limiter(wire: Wire, clock: FakeClock) -> None:
    wire.script = [
        (503, {}, ""),
        (200, {}, v1_page("results", [], f"{TRUSTHUB}/v1/EndUsers?PageToken=PT1")),
        (200, {}, v1_page("results", [])),
    ]

    gateway(clock, rate=0.5, rng=random.Random(0)).list_end_users()

    gaps = [later - earlier for earlier, later in zip(wire.times, wire.times[1:], strict=False)]
    assert len(gaps) == 2
    assert all(gap >= 2.0 for gap in gaps)


# --- secrets ------------------------------------------------------------------------------------
def test_an_answer_echoing_the_secret_does_not_print_it(wire: Wire, clock: FakeClock) -> None:
    wire.script = [(401, {}, problem(20003, f"Bad token {TOKEN}", 401))]

    with pytest.raises(GatewayError) as caught:
        gateway(clock).fetch_brand(BN)

    error = caught.value
    shown = [str(error), repr(error), error.hint or "", json.dumps(error.as_dict())]
    assert all(TOKEN not in text for text in shown)
    assert "***" in str(error)


def test_credentials_in_the_api_url_never_reach_an_error(wire: Wire, clock: FakeClock) -> None:
    wire.script = [requests.exceptions.ConnectTimeout("connect timed out")] * 2

    with pytest.raises(GatewayError) as caught:
        gateway(clock, max_attempts=2, api_url="http://user:hunter2@127.0.0.1:9").fetch_brand(BN)

    error = caught.value
    shown = " ".join([str(error), error.hint or "", json.dumps(error.as_dict())])
    assert "hunter2" not in shown
    assert "http://127.0.0.1:9" in shown
    assert TOKEN not in repr(gateway(clock))


# --- the in-process transport -------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] | None = None
    drop: bool = False
    delay: float = 0.0


@dataclass
class FakeSimulator:
    answers: list[Answer]
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes) -> Answer:
        self.seen.append((method, url, headers, body))
        return self.answers.pop(0)


def test_the_in_process_transport_gets_the_request_as_requests_would_send_it(
    clock: FakeClock,
) -> None:
    sim = FakeSimulator([Answer(201, {"sid": "QE" + "1" * 32})])
    g = gateway(clock, transport=InProcessTransport(sim))

    g.create_campaign(
        "MG" + "6" * 32,
        brand_registration_sid=BN,
        description="d" * 40,
        message_flow="f" * 40,
        message_samples=["sample one, twenty chars", "sample two, twenty chars"],
        us_app_to_person_usecase="LOW_VOLUME",
        has_embedded_links=False,
        has_embedded_phone=False,
    )

    method, url, headers, body = sim.seen[0]
    assert (method, url) == ("POST", f"{MESSAGING}/v1/Services/{'MG' + '6' * 32}/Compliance/Usa2p")
    form = parse_qs(body.decode())
    assert form["MessageSamples"] == ["sample one, twenty chars", "sample two, twenty chars"]
    assert form["HasEmbeddedLinks"] == ["false"]
    expected = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert headers["Authorization"] == f"Basic {expected}"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_the_in_process_transport_puts_filters_in_the_query_and_follows_pages(
    clock: FakeClock,
) -> None:
    sim = FakeSimulator(
        [
            Answer(200, v1_page("results", [{"sid": BU}], f"{TRUSTHUB}/v1/TrustProducts?Page=1")),
            Answer(200, v1_page("results", [{"sid": BU}]).encode()),
        ]
    )

    found = gateway(clock, transport=InProcessTransport(sim)).list_bundles(
        "trust_product", friendly_name="jane doe", policy_sid=POLICY
    )

    assert len(found) == 2
    first = urlsplit(sim.seen[0][1])
    assert first.path == "/v1/TrustProducts"
    assert parse_qs(first.query) == {
        "FriendlyName": ["jane doe"],
        "PolicySid": [POLICY],
        "PageSize": ["1000"],
    }
    assert sim.seen[0][3] == b""
    assert sim.seen[1][1] == f"{TRUSTHUB}/v1/TrustProducts?Page=1"


def test_the_in_process_transport_sleeps_delays_on_the_gateways_clock(clock: FakeClock) -> None:
    sim = FakeSimulator([Answer(200, {"sid": BN}, delay=2.5)])

    gateway(clock, transport=InProcessTransport(sim)).fetch_brand(BN)

    assert clock.sleeps == [2.5]


def test_a_dropped_create_in_process_is_ambiguous_and_sent_once(clock: FakeClock) -> None:
    sim = FakeSimulator([Answer(201, {"sid": BN}, drop=True), Answer(201, {"sid": BN})])

    with pytest.raises(GatewayError) as caught:
        gateway(clock, transport=InProcessTransport(sim)).create_brand(
            customer_profile_bundle_sid=BU, a2p_profile_bundle_sid=BU
        )

    assert caught.value.ambiguous
    assert len(sim.seen) == 1


def test_an_error_answer_in_process_is_mapped_and_retried_like_any(clock: FakeClock) -> None:
    sim = FakeSimulator(
        [
            Answer(429, problem(20429, "Too Many Requests", 429), headers={"Retry-After": "4"}),
            Answer(404, problem(20404, "The requested resource was not found", 404)),
        ]
    )

    with pytest.raises(GatewayError) as caught:
        gateway(clock, transport=InProcessTransport(sim), api_url=SIMULATOR).fetch_brand(BN)

    assert (caught.value.status, caught.value.code) == (404, 20404)
    assert clock.sleeps == [4.0]
    assert [urlsplit(seen[1]).netloc for seen in sim.seen] == ["127.0.0.1:8765"] * 2


# --- real sockets on loopback: the exceptions requests really raises ----------------------------
@pytest.fixture
def hang_up_server() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback server that reads each request and closes without answering."""
    server = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return  # closed by the fixture
            with conn:
                received.append(conn.recv(65536))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", received
    with contextlib.suppress(OSError):
        server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
    server.close()
    thread.join(timeout=5)


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def test_a_refused_connection_is_retried_even_for_a_create(clock: FakeClock) -> None:
    retries: list[GatewayError] = []
    g = gateway(
        clock,
        api_url=f"http://127.0.0.1:{closed_port()}",
        max_attempts=3,
        on_retry=lambda e, w: retries.append(e),
    )

    with pytest.raises(GatewayError) as caught:
        create_profile(g)

    assert len(retries) == 2
    assert caught.value.retryable and not caught.value.ambiguous
    assert "could not connect to Twilio (Connection refused)" in str(caught.value)


def test_a_hang_up_after_a_create_was_sent_is_ambiguous(
    clock: FakeClock, hang_up_server: tuple[str, list[bytes]]
) -> None:
    url, received = hang_up_server

    with pytest.raises(GatewayError) as caught:
        create_profile(gateway(clock, api_url=url))

    assert caught.value.ambiguous
    assert len(received) == 1
    assert received[0].startswith(b"POST /v1/CustomerProfiles HTTP/1.1")


def test_a_hang_up_after_a_read_was_sent_is_retried(
    clock: FakeClock, hang_up_server: tuple[str, list[bytes]]
) -> None:
    url, received = hang_up_server

    with pytest.raises(GatewayError) as caught:
        gateway(clock, api_url=url, max_attempts=2).fetch_brand(BN)

    assert caught.value.retryable
    assert len(received) == 2
