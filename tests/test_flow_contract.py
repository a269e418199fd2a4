"""Every request of both flows, on the wire, against Twilio's official OpenAPI description.

The real gateway sends through `requests`; `responses` intercepts each request
and lets the simulator answer it. Each captured request is then checked against
the operation it targets (path, method, parameter names, required parameters,
enum values) and for the documented policy SIDs, types and attribute names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from engine_support import LOW_VOLUME, SOLE_PROPRIETOR, STANDARD
from oas import Specs, check_request, load_specs

from a2pctl.engine import executor
from a2pctl.engine.outcomes import Outcome
from a2pctl.gateway import Credentials, Gateway
from a2pctl.gateway.twilio import TwilioGateway
from a2pctl.pacing import FakeClock, RateLimiter
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator
from a2pctl.spec import customer as spec
from a2pctl.state.store import Store

TWILIO = re.compile(r"https://(api|trusthub|messaging|events)\.twilio\.com/.*")

SP_ATTRIBUTES = {
    "starter_customer_profile_information": {"first_name", "last_name", "email", "phone_number"},
    "sole_proprietor_information": {"brand_name", "mobile_phone_number", "vertical"},
}
STANDARD_ATTRIBUTES = {
    "customer_profile_business_information": {
        "business_name",
        "business_type",
        "business_industry",
        "business_registration_identifier",
        "business_registration_number",
        "business_regions_of_operation",
        "business_identity",
        "website_url",
        "social_media_profile_urls",
    },
    "authorized_representative_1": {
        "first_name",
        "last_name",
        "email",
        "phone_number",
        "business_title",
        "job_position",
    },
    "us_a2p_messaging_profile_information": {
        "company_type",
        "stock_exchange",
        "stock_ticker",
        "brand_contact_email",
    },
}
STANDARD_ATTRIBUTES["authorized_representative_2"] = STANDARD_ATTRIBUTES[
    "authorized_representative_1"
]


@pytest.fixture(scope="module")
def specs() -> Specs:
    return load_specs()


class Wire:
    """The captured requests: method, URL and parsed form of each."""

    def __init__(self, calls: list[Any]) -> None:
        self.calls = calls

    def form(self, call: Any) -> dict[str, list[str]]:
        body = call.request.body or ""
        return parse_qs(body.decode() if isinstance(body, bytes) else body)

    def posts(self, path: str) -> list[dict[str, list[str]]]:
        return [
            self.form(c)
            for c in self.calls
            if c.request.method == "POST" and urlsplit(c.request.url).path == path
        ]

    def posts_matching(self, pattern: str) -> list[dict[str, list[str]]]:
        regex = re.compile(pattern)
        return [
            self.form(c)
            for c in self.calls
            if c.request.method == "POST" and regex.fullmatch(urlsplit(c.request.url).path)
        ]


def _register(tmp_path: Path, file: Path) -> tuple[list[Outcome], Wire]:
    clock = FakeClock()
    simulator = Simulator(now=clock.now, review_seconds=120.0)
    limiter = RateLimiter(clock, 1.0)
    creds = Credentials(SANDBOX_ACCOUNT_SID, SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else body
        reply = simulator.handle(request.method or "GET", request.url or "", request.headers, raw)
        return reply.status, dict(reply.headers), reply.body

    def make(account: str | None) -> Gateway:
        return TwilioGateway(creds, account, limiter=limiter, clock=clock)

    store = Store.open(tmp_path / "state.db", clock)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in ("GET", "POST", "DELETE"):
            mock.add_callback(method, TWILIO, callback=answer)
        outcomes = executor.register(
            [spec.check_file(file)],
            store=store,
            clock=clock,
            make_gateway=make,
            default_account=SANDBOX_ACCOUNT_SID,
            pause_seconds=30,
            poll_seconds=60,
            wait=True,
            timeout=7200,
            until="verified",
        )
        calls = list(mock.calls)
    store.close()
    return outcomes, Wire(calls)


@pytest.fixture(
    scope="module", params=[SOLE_PROPRIETOR, STANDARD, LOW_VOLUME], ids=lambda p: p.stem
)
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    file: Path = request.param
    outcomes, wire = _register(tmp_path_factory.mktemp(file.stem), file)
    assert outcomes[0].outcome == "complete", outcomes[0].errors
    yield file, spec.check_file(file).customer, wire


def test_every_request_matches_an_operation_of_the_openapi_description(
    specs: Specs, run: Any
) -> None:
    _, _, wire = run
    assert len(wire.calls) > 20
    operations = set()
    for call in wire.calls:
        op = check_request(specs, call.request.method, call.request.url, call.request.body)
        operations.add(op.operation_id)
    assert "CreateBrandRegistrations" in operations
    assert "CreateUsAppToPerson" in operations


def test_bundles_carry_the_documented_policy_sids_and_emails(run: Any) -> None:
    file, customer, wire = run
    sole = file == SOLE_PROPRIETOR
    profile_policy, trust_policy = (
        ("RN806dd6cd175f314e1f96a9727ee271f4", "RN670d5d2e282a6130ae063b234b6019c8")
        if sole
        else ("RNdfbf3fae0e1107f8aded0e7cead80bf5", "RNb0d4771c2c98518d916a3d4cd70a8f8b")
    )
    [profile] = wire.posts("/v1/CustomerProfiles")
    [trust] = wire.posts("/v1/TrustProducts")
    assert profile["PolicySid"] == [profile_policy]
    assert trust["PolicySid"] == [trust_policy]
    # Sole proprietor bundles use the customer's e-mail; standard ones the ISV's.
    email = customer.contact.email if sole else customer.isv.notification_email
    assert profile["Email"] == [email] and trust["Email"] == [email]
    evaluations = wire.posts_matching(r"/v1/(CustomerProfiles|TrustProducts)/BU\w+/Evaluations")
    assert [e["PolicySid"] for e in evaluations] == [[profile_policy], [trust_policy]]
    submits = wire.posts_matching(r"/v1/(CustomerProfiles|TrustProducts)/BU\w+")
    assert [s["Status"] for s in submits] == [["pending-review"], ["pending-review"]]


def test_end_users_carry_the_documented_types_and_attribute_names(run: Any) -> None:
    file, _, wire = run
    documented = SP_ATTRIBUTES if file == SOLE_PROPRIETOR else STANDARD_ATTRIBUTES
    end_users = wire.posts("/v1/EndUsers")
    types = [u["Type"][0] for u in end_users]
    assert set(types) <= set(documented)
    assert len(types) == len(set(types))
    for user in end_users:
        attributes = json.loads(user["Attributes"][0])
        assert set(attributes) <= documented[user["Type"][0]], user["Type"]
    if file != SOLE_PROPRIETOR:
        profile = next(
            json.loads(u["Attributes"][0])
            for u in end_users
            if u["Type"] == ["us_a2p_messaging_profile_information"]
        )
        assert profile["company_type"] in {"public", "private", "non-profit", "government"}


def test_the_address_becomes_a_customer_profile_address_document(run: Any) -> None:
    _, _, wire = run
    [document] = wire.posts("/v1/SupportingDocuments")
    assert document["Type"] == ["customer_profile_address"]
    assert re.fullmatch(r"AD[0-9a-f]{32}", json.loads(document["Attributes"][0])["address_sids"])


def test_the_primary_profile_is_assigned_to_the_customer_profile(run: Any) -> None:
    _, customer, wire = run
    assigned = [
        a["ObjectSid"][0]
        for a in wire.posts_matching(r"/v1/CustomerProfiles/BU\w+/EntityAssignments")
    ]
    assert customer.isv.primary_customer_profile_sid in assigned


def test_the_brand_request_carries_type_and_vetting_as_documented(run: Any) -> None:
    file, _, wire = run
    [brand] = wire.posts("/v1/a2p/BrandRegistrations")
    if file == SOLE_PROPRIETOR:
        assert brand["BrandType"] == ["SOLE_PROPRIETOR"]
        assert "SkipAutomaticSecVet" not in brand
    elif file == LOW_VOLUME:
        assert brand["BrandType"] == ["STANDARD"]
        assert brand["SkipAutomaticSecVet"] == ["true"]
    else:
        assert brand["BrandType"] == ["STANDARD"]
        assert "SkipAutomaticSecVet" not in brand
    assert "Mock" not in brand


def test_the_campaign_request_carries_the_files_campaign(run: Any) -> None:
    _, customer, wire = run
    [campaign] = wire.posts_matching(r"/v1/Services/MG\w+/Compliance/Usa2p")
    c = customer.campaign
    assert campaign["UsAppToPersonUsecase"] == [c.us_app_to_person_usecase]
    assert campaign["MessageSamples"] == list(c.message_samples)
    assert campaign["Description"] == [c.description]
    assert campaign["HasEmbeddedLinks"] == [str(c.has_embedded_links).lower()]
    assert re.fullmatch(r"BN[0-9a-f]{32}", campaign["BrandRegistrationSid"][0])
    numbers = wire.posts_matching(r"/v1/Services/MG\w+/PhoneNumbers")
    assert len(numbers) == len(customer.phone_numbers)
