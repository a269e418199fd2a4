"""The real `twilio` library against the sandbox, in process: its requests
parse as Twilio parses them, and its pagers walk the sandbox's list pages."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any, cast
from urllib.parse import urlencode

import pytest
from sandbox_flows import (
    CAMPAIGN,
    SP_TRUST_POLICY,
    STARTER_POLICY,
    Api,
    brand,
    campaign_params,
    service,
    sole_proprietor_bundles,
)
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from a2pctl.pacing import FakeClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator

REVIEW = 2.0
MANY = 120  # more than two pages of the default 50


class SimulatorHttpClient(HttpClient):  # type: ignore[misc]  # twilio ships no types
    """Hands every request of the library to `Simulator.handle`, no network."""

    def __init__(self, simulator: Simulator) -> None:
        super().__init__(logging.getLogger("sandbox-test"), is_async=False)
        self.simulator = simulator

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        url = f"{uri}?{urlencode(params, doseq=True)}" if params else uri
        body = urlencode(data, doseq=True).encode() if data else b""
        sent = dict(headers or {})
        if auth is not None:
            sent["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        answer = self.simulator.handle(method, url, sent, body)
        return Response(answer.status, answer.body, answer.headers)


@pytest.fixture
def simulator(clock: FakeClock) -> Simulator:
    return Simulator(now=clock.now, review_seconds=REVIEW, deliver=lambda *a: None)


@pytest.fixture
def client(simulator: Simulator) -> Client:
    return Client(
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        account_sid=SANDBOX_ACCOUNT_SID,
        http_client=SimulatorHttpClient(simulator),
    )


def _pages(simulator: Simulator, path: str) -> list[str]:
    return [params.get("Page", ["0"])[0] for m, p, params in simulator.requests if p == path]


def test_customer_profiles_page_through_the_library_across_three_pages(
    client: Client, simulator: Simulator
) -> None:
    profiles = client.trusthub.v1.customer_profiles
    for n in range(MANY):
        profiles.create(
            friendly_name=f"run-{n}", email="isv@example.com", policy_sid=STARTER_POLICY
        )
    listed = profiles.list(page_size=50)
    assert [p.friendly_name for p in listed] == [f"run-{n}" for n in range(MANY)]
    assert _pages(simulator, "/v1/CustomerProfiles")[-3:] == ["0", "1", "2"]
    filtered = profiles.list(friendly_name="run-7", policy_sid=STARTER_POLICY)
    assert [p.friendly_name for p in filtered] == ["run-7"]
    assert filtered[0].status == "draft" and filtered[0].sid.startswith("BU")


def test_end_users_keep_their_json_attributes_and_page_through_the_library(
    client: Client,
) -> None:
    users = client.trusthub.v1.end_users
    for n in range(MANY):
        users.create(
            friendly_name=f"user-{n}",
            type="starter_customer_profile_information",
            attributes={"first_name": "Jane", "last_name": f"Doe {n}", "email": "j@x.example"},
        )
    listed = users.list(page_size=50)
    assert len(listed) == MANY
    assert listed[119].attributes == {
        "first_name": "Jane",
        "last_name": "Doe 119",
        "email": "j@x.example",
    }
    fetched = users(listed[3].sid).update(attributes={"first_name": "Janet"})
    assert fetched.attributes == {"first_name": "Janet"}  # the whole object is replaced


def test_addresses_page_through_the_2010_envelope(client: Client, simulator: Simulator) -> None:
    addresses = client.api.v2010.account.addresses
    for n in range(MANY):
        addresses.create(
            customer_name="Jane Doe",
            street=f"{n} Main St",
            city="Springfield",
            region="IL",
            postal_code="62701",
            iso_country="US",
            friendly_name=f"addr-{n}",
        )
    listed = addresses.list(page_size=50)
    assert [a.street for a in listed] == [f"{n} Main St" for n in range(MANY)]
    assert _pages(simulator, f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/Addresses.json")[-3:] == [
        "0",
        "1",
        "2",
    ]
    only = addresses.list(friendly_name="addr-42")
    assert len(only) == 1 and only[0].date_created.year == 2026  # RFC 2822 parsed


def test_a_campaign_created_by_the_library_keeps_its_repeated_samples_and_keywords(
    client: Client, simulator: Simulator, clock: FakeClock
) -> None:
    api = Api(simulator)
    made = sole_proprietor_bundles(api)
    bn = brand(api, made, sole=True)["sid"]
    clock.advance(2 * REVIEW)  # approved, then the OTP is answered
    mg = service(api)
    params = campaign_params(bn, sole=True)
    created = client.messaging.v1.services(mg).us_app_to_person.create(
        brand_registration_sid=bn,
        description=params["Description"],
        message_flow=params["MessageFlow"],
        message_samples=params["MessageSamples"],
        us_app_to_person_usecase="SOLE_PROPRIETOR",
        has_embedded_links=False,
        has_embedded_phone=False,
        opt_in_keywords=["START", "YES"],
        opt_in_message=params["OptInMessage"],
    )
    assert created.message_samples == params["MessageSamples"]
    assert created.opt_in_keywords == ["START", "YES"]
    assert created.has_embedded_links is False and created.campaign_status == "PENDING"
    fetched = client.messaging.v1.services(mg).us_app_to_person(CAMPAIGN).fetch()
    assert fetched.sid == CAMPAIGN and fetched.brand_registration_sid == bn
    usecases = client.messaging.v1.services(mg).us_app_to_person_usecases.fetch(
        brand_registration_sid=bn
    )
    assert [u["code"] for u in usecases.us_app_to_person_usecases] == ["SOLE_PROPRIETOR"]


def test_subscription_types_sent_as_repeated_json_items_are_all_subscribed(
    client: Client, simulator: Simulator
) -> None:
    sink = client.events.v1.sinks.create(
        description="a2p",
        sink_configuration={"destination": "https://isv.example/e", "method": "POST"},
        sink_type="webhook",
    )
    assert client.events.v1.sinks(sink.sid).sink_test.create().result == "submitted"
    test_id = json.loads(simulator.dump())["tables"]["sinks"][sink.sid]["_test_id"]
    validated = client.events.v1.sinks(sink.sid).sink_validate.create(test_id=test_id)
    assert validated.result == "valid"
    types = [
        {"type": "com.twilio.messaging.compliance.brand-registration.brand-failure",
         "schema_version": 2},
        {"type": "com.twilio.messaging.compliance.number-registration.pending"},
    ]  # fmt: skip
    sub = client.events.v1.subscriptions.create(description="a2p", sink_sid=sink.sid, types=types)
    subscribed = client.events.v1.subscriptions(sub.sid).subscribed_events.list()
    first, second = (cast(dict[str, Any], t) for t in types)
    assert {(s.type, s.schema_version) for s in subscribed} == {
        (first["type"], 2),
        (second["type"], 1),
    }
    assert sink.sink_configuration["destination"] == "https://isv.example/e"


def test_library_errors_carry_twilios_code_and_status(client: Client) -> None:
    with pytest.raises(TwilioRestException) as missing:
        client.messaging.v1.brand_registrations("BN" + "0" * 32).fetch()
    assert (missing.value.status, missing.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as bundles:
        client.messaging.v1.brand_registrations.create(
            customer_profile_bundle_sid="BU" + "1" * 32, a2p_profile_bundle_sid="BU" + "2" * 32
        )
    assert (bundles.value.status, bundles.value.code) == (400, 30793)
    assert "CustomerProfileBundleSid" in bundles.value.msg


def test_policies_fetch_through_the_library_with_their_requirements(client: Client) -> None:
    policy = client.trusthub.v1.policies(SP_TRUST_POLICY).fetch()
    assert policy.friendly_name == "Sole Proprietor TrustProduct"
    assert policy.requirements["end_user"][0]["type"] == "sole_proprietor_information"
    assert len(client.trusthub.v1.policies.list()) == 4
