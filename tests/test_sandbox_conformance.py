"""Every answer of the sandbox against the official OpenAPI description:
the response schema of its operation, with exactly the schema's fields."""

from __future__ import annotations

from typing import Any

import oas_schema
import pytest
from sandbox_flows import (
    EVENT_PREFIX,
    EVENTS,
    MESSAGING,
    STARTER_POLICY,
    TRUSTHUB,
    Answer,
    Api,
    address,
    api2010,
    assign,
    brand,
    bundle,
    campaign_params,
    campaign_url,
    create_campaign,
    end_user,
    fetch_brand,
    own_number,
    service,
    sole_proprietor_bundles,
    standard_bundles,
    subscribe,
)

from a2pctl.pacing import FakeClock
from a2pctl.sandbox import Simulator
from a2pctl.sandbox.simulator import ROUTES

REVIEW = 2.0
SUBACCOUNT = "AC" + "5" * 32


def _event_streams(api: Api) -> None:
    sink, sub = subscribe(api)
    api.ok("GET", f"{EVENTS}/Sinks", {"Status": "active"})
    api.ok("GET", f"{EVENTS}/Sinks/{sink}")
    api.ok("POST", f"{EVENTS}/Sinks/{sink}", {"Description": "renamed"})
    test = api.ok("POST", f"{EVENTS}/Sinks/{sink}/Test")
    assert test == {"result": "submitted"}
    test_id = api.sim.dump().split('"_test_id": "')[1].split('"')[0]
    api.ok("POST", f"{EVENTS}/Sinks/{sink}/Validate", {"TestId": test_id})
    api.ok("GET", f"{EVENTS}/Subscriptions", {"SinkSid": sink})
    api.ok("GET", f"{EVENTS}/Subscriptions/{sub}")
    api.ok("POST", f"{EVENTS}/Subscriptions/{sub}", {"Description": "renamed"})
    events = f"{EVENTS}/Subscriptions/{sub}/SubscribedEvents"
    extra = EVENT_PREFIX + "campaign-registration.campaign-deleted"
    api.ok("GET", events)
    api.ok("POST", events, {"Type": extra, "SchemaVersion": 1})
    api.ok("GET", f"{events}/{extra}")
    api.ok("POST", f"{events}/{extra}", {"SchemaVersion": 2})
    api.ok("DELETE", f"{events}/{extra}")
    api.ok("GET", f"{EVENTS}/Types")
    api.ok("GET", f"{EVENTS}/Types/{EVENT_PREFIX}brand-registration.brand-registered")
    spare_sink, spare_sub = subscribe(api, "https://isv.example/other")
    api.ok("DELETE", f"{EVENTS}/Subscriptions/{spare_sub}")
    api.ok("DELETE", f"{EVENTS}/Sinks/{spare_sink}")


def _accounts(api: Api) -> None:
    """The main account reads a subaccount (with its own auth token) and itself."""
    sub = api.ok("GET", f"{api2010(SUBACCOUNT)}.json")
    assert sub["owner_account_sid"] == api.account
    assert sub["auth_token"] not in ("", api.token)
    main = api.ok("GET", f"{api2010(api.account)}.json")
    assert main["owner_account_sid"] == main["sid"] == api.account


def _trusthub_reads(api: Api, profile: str, trust: str) -> None:
    for collection, sid in (("CustomerProfiles", profile), ("TrustProducts", trust)):
        api.ok("GET", f"{TRUSTHUB}/{collection}", {"PolicySid": STARTER_POLICY})
        api.ok("GET", f"{TRUSTHUB}/{collection}/{sid}")
        first = api.ok("GET", f"{TRUSTHUB}/{collection}/{sid}/EntityAssignments")["results"][0]
        api.ok("GET", f"{TRUSTHUB}/{collection}/{sid}/EntityAssignments/{first['sid']}")
        evaluation = api.ok("GET", f"{TRUSTHUB}/{collection}/{sid}/Evaluations")["results"][0]
        api.ok("GET", f"{TRUSTHUB}/{collection}/{sid}/Evaluations/{evaluation['sid']}")
    for collection in ("EndUsers", "SupportingDocuments"):
        first = api.ok("GET", f"{TRUSTHUB}/{collection}")["results"][0]
        api.ok("GET", f"{TRUSTHUB}/{collection}/{first['sid']}")
    api.ok("GET", f"{TRUSTHUB}/Policies")
    api.ok("GET", f"{TRUSTHUB}/Policies/{STARTER_POLICY}")


def _drafts_and_deletes(api: Api) -> None:
    """Edits and deletes on objects that no submitted bundle holds."""
    for collection, policy in (("CustomerProfiles", STARTER_POLICY), ("TrustProducts", None)):
        sid = bundle(api, collection, policy or "RN670d5d2e282a6130ae063b234b6019c8")
        api.ok("POST", f"{TRUSTHUB}/{collection}/{sid}", {"FriendlyName": "renamed"})
        user = end_user(api, "sole_proprietor_information", {"brand_name": "x"})
        assign(api, collection, sid, user)
        bv = api.ok("GET", f"{TRUSTHUB}/{collection}/{sid}/EntityAssignments")["results"][0]
        api.ok("DELETE", f"{TRUSTHUB}/{collection}/{sid}/EntityAssignments/{bv['sid']}")
        api.ok("POST", f"{TRUSTHUB}/EndUsers/{user}", {"Attributes": {"brand_name": "y"}})
        api.ok("DELETE", f"{TRUSTHUB}/EndUsers/{user}")
        api.ok("DELETE", f"{TRUSTHUB}/{collection}/{sid}")
    ad = address(api, FriendlyName="spare")
    base = api2010(api.account)
    api.ok("GET", f"{base}/Addresses.json", {"FriendlyName": "spare"})
    api.ok("GET", f"{base}/Addresses/{ad}.json")
    api.ok("POST", f"{base}/Addresses/{ad}.json", {"Street": "124 Main St"})
    doc = api.ok(
        "POST",
        f"{TRUSTHUB}/SupportingDocuments",
        {"FriendlyName": "spare", "Type": "customer_profile_address",
         "Attributes": {"address_sids": ad}},
    )["sid"]  # fmt: skip
    api.ok("POST", f"{TRUSTHUB}/SupportingDocuments/{doc}", {"FriendlyName": "spare 2"})
    api.ok("DELETE", f"{TRUSTHUB}/SupportingDocuments/{doc}")
    api.ok("DELETE", f"{base}/Addresses/{ad}.json")


def _sole_proprietor_to_numbers(api: Api, clock: FakeClock) -> None:
    made = sole_proprietor_bundles(api)
    _trusthub_reads(api, made.profile, made.trust)
    bn = brand(api, made, sole=True)["sid"]
    api.ok("GET", f"{MESSAGING}/a2p/BrandRegistrations")
    clock.advance(REVIEW)
    assert fetch_brand(api, bn)["identity_status"] == "UNVERIFIED"
    api.ok("POST", f"{MESSAGING}/a2p/BrandRegistrations/{bn}/SmsOtp")
    clock.advance(REVIEW)
    mg = service(api)
    api.ok("GET", f"{MESSAGING}/Services")
    api.ok("GET", f"{MESSAGING}/Services/{mg}")
    api.ok("POST", f"{MESSAGING}/Services/{mg}", {"FallbackUrl": "https://isv.example/fb"})
    usa2p = f"{MESSAGING}/Services/{mg}/Compliance/Usa2p"
    api.ok("GET", f"{usa2p}/Usecases", {"BrandRegistrationSid": bn})
    create_campaign(api, mg, bn, sole=True)
    api.ok("GET", usa2p)
    api.ok("GET", campaign_url(mg), None, **{"X-Twilio-Api-Version": "v1.2"})
    base = api2010(api.account)
    pn = own_number(api)
    api.ok("GET", f"{base}/IncomingPhoneNumbers/{pn}.json")
    api.ok("POST", f"{MESSAGING}/Services/{mg}/PhoneNumbers", {"PhoneNumberSid": pn})
    api.ok("GET", f"{MESSAGING}/Services/{mg}/PhoneNumbers")
    api.ok("GET", f"{MESSAGING}/Services/{mg}/PhoneNumbers/{pn}")
    clock.advance(3 * REVIEW)
    edit = {
        key: value
        for key, value in campaign_params(bn, sole=True).items()
        if key in ("Description", "MessageFlow", "MessageSamples", "HasEmbeddedLinks")
        or key == "HasEmbeddedPhone"
    }
    api.ok("POST", campaign_url(mg), {**edit, "AgeGated": False, "DirectLending": False})
    api.ok("DELETE", f"{MESSAGING}/Services/{mg}/PhoneNumbers/{pn}")
    api.ok("DELETE", campaign_url(mg))
    api.ok("DELETE", f"{MESSAGING}/Services/{mg}")


def _failed_brand_resubmitted(api: Api, clock: FakeClock) -> None:
    api.sim.set_scenario("brand-fails")
    made = standard_bundles(api, company_type="public")
    bn = brand(api, made, sole=False)["sid"]
    clock.advance(REVIEW)
    api.ok("POST", f"{MESSAGING}/a2p/BrandRegistrations/{bn}")
    api.sim.set_scenario("default")


def _two_fa_resent(api: Api, clock: FakeClock) -> None:
    api.sim.set_scenario("2fa-expired")
    made = standard_bundles(api, company_type="public")
    bn = brand(api, made, sole=False)["sid"]
    clock.advance(REVIEW)
    api.ok("POST", f"{MESSAGING}/a2p/BrandRegistrations/{bn}/2fa")
    api.sim.set_scenario("default")


# The description lists this path without an operation (no response schema to check):
# its request is checked in test_oas_contract, the sandbox's answers in test_twofa.
PATH_ONLY = ("/2fa",)


def _described(answers: list[Answer]) -> list[Answer]:
    return [a for a in answers if not a.path.endswith(PATH_ONLY)]


@pytest.fixture(scope="module")
def exchanges() -> list[Answer]:
    clock = FakeClock()
    api = Api(Simulator(now=clock.now, review_seconds=REVIEW, deliver=lambda *a: None))
    _event_streams(api)
    _accounts(api)
    _sole_proprietor_to_numbers(api, clock)
    _drafts_and_deletes(api)
    _failed_brand_resubmitted(api, clock)
    _two_fa_resent(api, clock)
    return api.log


def test_every_answer_matches_its_operations_response_schema_exactly(
    exchanges: list[Answer],
) -> None:
    specs = oas_schema.specs()
    problems: list[str] = []
    checked = 0
    for answer in _described(exchanges):
        assert answer.status < 300, (answer.method, answer.path, answer.body)
        if answer.status == 204:
            assert answer.body is None
            continue
        product, schema = specs.response_schema(answer.method, answer.path, answer.status)
        for problem in specs.validate(product, answer.body, schema, exact=True):
            problems.append(f"{answer.method} {answer.path} {answer.status}: {problem}")
        checked += 1
    assert problems == []
    assert checked > 60


def test_every_operation_the_sandbox_serves_is_checked(exchanges: list[Answer]) -> None:
    unexercised = [
        f"{r.method} {r.pattern.pattern}"
        for r in ROUTES
        if not any(a.method == r.method and r.pattern.match(a.path) for a in exchanges)
    ]
    assert unexercised == []


def test_every_operation_the_sandbox_serves_is_in_the_official_description(
    exchanges: list[Answer],
) -> None:
    specs = oas_schema.specs()
    for answer in _described(exchanges):
        _, _, operation = specs.operation(answer.method, answer.path)
        assert str(answer.status) in operation["responses"], (answer.method, answer.path)


def test_the_validator_accepts_the_specs_own_examples_and_rejects_a_wrong_sid() -> None:
    specs = oas_schema.specs()
    examples: list[tuple[str, int, Any, dict[str, Any]]] = []
    for method, template in (
        ("GET", "/v1/a2p/BrandRegistrations/{Sid}"),
        ("GET", "/v1/Policies/{Sid}"),
        ("POST", "/v1/CustomerProfiles/{CustomerProfileSid}/Evaluations"),
        ("POST", "/v1/Services/{MessagingServiceSid}/Compliance/Usa2p"),
        ("GET", "/2010-04-01/Accounts/{AccountSid}/Addresses.json"),
        ("GET", "/v1/Sinks"),
    ):
        examples.extend(specs.examples(method, template))
    assert len(examples) > 10
    for product, _, value, schema in examples:
        assert specs.validate(product, value, schema) == []
    product, _, value, schema = specs.examples("GET", "/v1/a2p/BrandRegistrations/{Sid}")[0]
    wrong = {**value, "sid": "XX" + value["sid"][2:], "status": "LOST"}
    problems = specs.validate(product, wrong, schema)
    assert any("sid" in p for p in problems) and any("LOST" in p for p in problems)
