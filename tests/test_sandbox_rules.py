"""The rules a2pctl must respect, enforced by the sandbox as Twilio enforces
them: evaluations, submissions, locked bundles, brand and campaign
preconditions, senders, accounts, authentication and the rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_flows import (
    ISV_PRIMARY_PROFILE,
    MESSAGING,
    SECONDARY_POLICY,
    SP_TRUST_POLICY,
    STANDARD_TRUST_POLICY,
    STARTER_POLICY,
    TRUSTHUB,
    Api,
    address,
    api2010,
    assign,
    brand,
    bundle,
    campaign_params,
    create_campaign,
    end_user,
    evaluate,
    fetch_brand,
    own_number,
    service,
    sole_proprietor_bundles,
    standard_bundles,
    submit,
)

from a2pctl.pacing import FakeClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, Simulator

REVIEW = 2.0
OTHER_ACCOUNT = "AC" + "b" * 32


@pytest.fixture
def api(clock: FakeClock) -> Api:
    return Api(Simulator(now=clock.now, review_seconds=REVIEW, deliver=lambda *a: None))


def failing(result: dict[str, Any]) -> list[tuple[str, int]]:
    return [(r["requirement_name"], r["error_code"]) for r in result["results"] if not r["passed"]]


# --- evaluations and submissions -------------------------------------------------------------


def test_an_empty_starter_profile_is_noncompliant_naming_each_missing_requirement(
    api: Api,
) -> None:
    profile = bundle(api, "CustomerProfiles", STARTER_POLICY)
    result = evaluate(api, "CustomerProfiles", profile, STARTER_POLICY)
    assert result["status"] == "noncompliant"
    assert failing(result) == [
        ("starter_customer_profile_information", 22214),
        ("customer_profile_address", 22216),
        ("primary_customer_profile", 22214),
    ]


def test_a_missing_attribute_and_an_unknown_address_fail_their_requirement_by_field(
    api: Api,
) -> None:
    profile = bundle(api, "CustomerProfiles", STARTER_POLICY)
    user = end_user(
        api,
        "starter_customer_profile_information",
        {"first_name": "Jane", "email": "j@x.example", "phone_number": "+14155550100"},
    )
    doc = api.ok(
        "POST",
        f"{TRUSTHUB}/SupportingDocuments",
        {"FriendlyName": "a", "Type": "customer_profile_address",
         "Attributes": {"address_sids": "AD" + "9" * 32}},
    )["sid"]  # fmt: skip
    for sid in (user, doc, ISV_PRIMARY_PROFILE):
        assign(api, "CustomerProfiles", profile, sid)
    result = evaluate(api, "CustomerProfiles", profile, STARTER_POLICY)
    assert failing(result) == [
        ("starter_customer_profile_information", 22215),
        ("customer_profile_address", 22219),
    ]
    invalid = [i["object_field"] for r in result["results"] for i in r["invalid"]]
    assert invalid == ["last_name", "address_sids"]


def test_a_public_company_needs_its_stock_fields_and_the_secondary_profile(api: Api) -> None:
    trust = bundle(api, "TrustProducts", STANDARD_TRUST_POLICY)
    info = end_user(api, "us_a2p_messaging_profile_information", {"company_type": "public"})
    assign(api, "TrustProducts", trust, info)
    result = evaluate(api, "TrustProducts", trust, STANDARD_TRUST_POLICY)
    assert failing(result) == [
        ("us_a2p_messaging_profile_information", 22215),
        ("customer_profile", 22214),
    ]
    fields = [i["object_field"] for i in result["results"][0]["invalid"]]
    assert fields == ["stock_exchange", "stock_ticker"]


def test_a_sole_proprietor_trust_bundle_needs_the_starter_profile_not_any_bundle(
    api: Api,
) -> None:
    trust = bundle(api, "TrustProducts", SP_TRUST_POLICY)
    user = end_user(
        api, "sole_proprietor_information", {"brand_name": "JDP", "mobile_phone_number": "+1415"}
    )
    assign(api, "TrustProducts", trust, user)
    assign(api, "TrustProducts", trust, bundle(api, "CustomerProfiles", SECONDARY_POLICY))
    assert failing(evaluate(api, "TrustProducts", trust, SP_TRUST_POLICY)) == [
        ("customer_profile", 22214)
    ]


def test_submitting_needs_a_compliant_evaluation_and_happens_once(api: Api) -> None:
    profile = bundle(api, "CustomerProfiles", STARTER_POLICY)
    refused = api.error(
        "POST", f"{TRUSTHUB}/CustomerProfiles/{profile}", {"Status": "pending-review"}
    )
    assert "not compliant" in refused.body["message"]
    made = sole_proprietor_bundles(api)
    again = api.error("POST", f"{TRUSTHUB}/CustomerProfiles/{made.profile}",
                      {"Status": "pending-review"})  # fmt: skip
    assert (again.body["code"], "in-review" in again.body["message"]) == (60711, True)


def test_a_status_change_cannot_travel_with_other_changes(api: Api) -> None:
    profile = bundle(api, "CustomerProfiles", STARTER_POLICY)
    mixed = api.error(
        "POST",
        f"{TRUSTHUB}/CustomerProfiles/{profile}",
        {"Status": "pending-review", "Email": "other@x.example"},
    )
    assert (mixed.status, mixed.body["code"]) == (400, 22204)


def test_objects_of_a_bundle_in_review_cannot_be_edited_or_added_to(api: Api) -> None:
    made = sole_proprietor_bundles(api)
    user = made.end_users["starter_customer_profile_information"]
    edits = [
        api.error("POST", f"{TRUSTHUB}/EndUsers/{user}", {"Attributes": {"first_name": "X"}}),
        api.error("POST", f"{api2010()}/Addresses/{made.address}.json", {"City": "Chicago"}),
        api.error("POST", f"{TRUSTHUB}/CustomerProfiles/{made.profile}/EntityAssignments",
                  {"ObjectSid": end_user(api, "x", {})}),
        api.error("DELETE", f"{TRUSTHUB}/SupportingDocuments/{made.document}"),
    ]  # fmt: skip
    assert [(e.status, e.body["code"]) for e in edits] == [(400, 60711)] * 4
    assert made.profile in edits[0].body["message"]


def test_an_object_is_assigned_to_a_bundle_once(api: Api) -> None:
    profile = bundle(api, "CustomerProfiles", STARTER_POLICY)
    assign(api, "CustomerProfiles", profile, ISV_PRIMARY_PROFILE)
    twice = api.error(
        "POST",
        f"{TRUSTHUB}/CustomerProfiles/{profile}/EntityAssignments",
        {"ObjectSid": ISV_PRIMARY_PROFILE},
    )
    assert twice.status == 400 and "already assigned" in twice.body["message"]
    unknown = api.error(
        "POST",
        f"{TRUSTHUB}/CustomerProfiles/{profile}/EntityAssignments",
        {"ObjectSid": "IT" + "4" * 32},
    )
    assert "not found" in unknown.body["message"]


# --- brands --------------------------------------------------------------------------------------


def test_a_brand_needs_both_bundles_submitted_and_of_its_type(api: Api) -> None:
    made = sole_proprietor_bundles(api, submit_trust=False)
    url = f"{MESSAGING}/a2p/BrandRegistrations"
    draft = api.error("POST", url, {"CustomerProfileBundleSid": made.profile,
                                    "A2PProfileBundleSid": made.trust,
                                    "BrandType": "SOLE_PROPRIETOR"})  # fmt: skip
    assert draft.body["code"] == 30793 and "draft" in draft.body["message"]
    submit(api, "TrustProducts", made.trust)
    swapped = api.error("POST", url, {"CustomerProfileBundleSid": made.trust,
                                      "A2PProfileBundleSid": made.profile,
                                      "BrandType": "SOLE_PROPRIETOR"})  # fmt: skip
    assert swapped.body["code"] == 30793 and "swapped" in swapped.body["message"]
    standard = api.error("POST", url, {"CustomerProfileBundleSid": made.profile,
                                       "A2PProfileBundleSid": made.trust})  # fmt: skip
    assert standard.body["code"] == 30793
    starter = api.error("POST", url, {"CustomerProfileBundleSid": made.profile,
                                      "A2PProfileBundleSid": made.trust,
                                      "BrandType": "STARTER"})  # fmt: skip
    assert starter.body["code"] == 21726
    assert brand(api, made, sole=True)["brand_type"] == "SOLE_PROPRIETOR"
    duplicate = api.error("POST", url, {"CustomerProfileBundleSid": made.profile,
                                        "A2PProfileBundleSid": made.trust,
                                        "BrandType": "SOLE_PROPRIETOR"})  # fmt: skip
    assert duplicate.body["code"] == 30703


def test_only_a_failed_brand_is_resubmitted_and_at_most_three_times(
    api: Api, clock: FakeClock
) -> None:
    api.sim.set_scenario("brand-fails")
    bn = brand(api, sole_proprietor_bundles(api), sole=True)["sid"]
    url = f"{MESSAGING}/a2p/BrandRegistrations/{bn}"
    assert api.error("POST", url).body["code"] == 21725  # still PENDING
    for _ in range(3):
        clock.advance(REVIEW)
        assert fetch_brand(api, bn)["status"] == "FAILED"
        # Its bundles were rejected with it and were not resubmitted: it fails again.
        assert api.call("POST", url).status == 202
    clock.advance(REVIEW)
    failed = fetch_brand(api, bn)
    assert failed["errors"][0]["error_code"] == 30793
    assert failed["failure_reason"].startswith("Unable to fetch Customer Profile Bundle")
    assert api.error("POST", url).body["code"] == 21724


def test_otp_resends_only_for_an_unverified_sole_proprietor_brand(
    api: Api, clock: FakeClock
) -> None:
    sole = brand(api, sole_proprietor_bundles(api), sole=True)["sid"]
    standard = brand(api, standard_bundles(api), sole=False)["sid"]
    otp = f"{MESSAGING}/a2p/BrandRegistrations/{{}}/SmsOtp"
    assert "not APPROVED" in api.error("POST", otp.format(sole)).body["message"]
    clock.advance(REVIEW)
    assert api.ok("POST", otp.format(sole)) == {
        "account_sid": SANDBOX_ACCOUNT_SID,
        "brand_registration_sid": sole,
    }
    assert "not a SOLE_PROPRIETOR" in api.error("POST", otp.format(standard)).body["message"]
    clock.advance(REVIEW)
    assert "already VERIFIED" in api.error("POST", otp.format(sole)).body["message"]


# --- campaigns and senders ------------------------------------------------------------------------


def test_a_campaign_waits_for_an_approved_brand_of_the_right_type(
    api: Api, clock: FakeClock
) -> None:
    bn = brand(api, standard_bundles(api), sole=False)["sid"]
    mg = service(api)
    url = f"{MESSAGING}/Services/{mg}/Compliance/Usa2p"
    early = api.error("POST", url, campaign_params(bn, sole=False))
    assert (early.body["code"], "PENDING" in early.body["message"]) == (21717, True)
    clock.advance(REVIEW)
    wrong_usecase = api.error("POST", url, campaign_params(bn, sole=True))
    assert wrong_usecase.body["code"] == 21717
    invalid_usecase = api.error(
        "POST", url, {**campaign_params(bn, sole=False), "UsAppToPersonUsecase": "GOSSIP"}
    )
    assert invalid_usecase.body["code"] == 21720
    create_campaign(api, mg, bn, sole=False)
    second = api.error("POST", url, campaign_params(bn, sole=False))
    assert (second.status, "already has" in second.body["message"]) == (409, True)


def test_campaign_parameters_are_required_and_length_checked(api: Api, clock: FakeClock) -> None:
    bn = brand(api, standard_bundles(api), sole=False)["sid"]
    clock.advance(REVIEW)
    url = f"{MESSAGING}/Services/{service(api)}/Compliance/Usa2p"
    params = campaign_params(bn, sole=False)
    missing = api.error("POST", url, {k: v for k, v in params.items() if k != "MessageFlow"})
    assert (missing.body["code"], missing.body["message"]) == (
        21727,
        "Missing required parameter MessageFlow in the post body",
    )
    short = api.error("POST", url, {**params, "Description": "too short"})
    assert short.body["code"] == 21728 and "Description" in short.body["message"]
    one_sample = api.error("POST", url, {**params, "MessageSamples": [params["MessageSamples"][0]]})
    assert one_sample.body["code"] == 21728


def test_a_sole_proprietor_brand_gets_one_campaign(api: Api, clock: FakeClock) -> None:
    bn = brand(api, sole_proprietor_bundles(api), sole=True)["sid"]
    clock.advance(2 * REVIEW)
    create_campaign(api, service(api), bn, sole=True)
    other = api.error(
        "POST",
        f"{MESSAGING}/Services/{service(api, 'second')}/Compliance/Usa2p",
        campaign_params(bn, sole=True),
    )
    assert other.body["code"] == 21732


def test_a_number_joins_one_service_and_unowned_numbers_are_not_found(api: Api) -> None:
    pn = own_number(api)
    first, second = service(api), service(api, "other")
    api.ok("POST", f"{MESSAGING}/Services/{first}/PhoneNumbers", {"PhoneNumberSid": pn})
    again = api.error("POST", f"{MESSAGING}/Services/{first}/PhoneNumbers", {"PhoneNumberSid": pn})
    assert (again.status, again.body["code"]) == (409, 21710)
    elsewhere = api.error(
        "POST", f"{MESSAGING}/Services/{second}/PhoneNumbers", {"PhoneNumberSid": pn}
    )
    assert (elsewhere.status, elsewhere.body["code"]) == (409, 21710)
    assert first in elsewhere.body["message"]  # names the service that holds it
    unowned = api.ok(
        "GET", f"{api2010()}/IncomingPhoneNumbers.json", {"PhoneNumber": "+15550199001"}
    )
    assert unowned["incoming_phone_numbers"] == []
    assert own_number(api) == pn  # the same record on every lookup


# --- accounts, auth, routing, rate ---------------------------------------------------------------


def test_unknown_sids_paths_and_methods_answer_like_twilio(api: Api) -> None:
    missing = api.error("GET", f"{TRUSTHUB}/EndUsers/IT" + "0" * 32)
    assert missing.status == 404 and missing.body == {
        "code": 20404,
        "message": f"The requested resource /v1/EndUsers/IT{'0' * 32} was not found",
        "more_info": "https://www.twilio.com/docs/api/errors/20404",
        "status": 404,
    }
    assert api.error("GET", f"{TRUSTHUB}/Nothing").status == 404
    assert api.error("DELETE", f"{TRUSTHUB}/Policies").body["code"] == 20004
    required = api.error("POST", f"{TRUSTHUB}/EndUsers", {"FriendlyName": "x"})
    assert required.body["message"] == "Missing required parameter Type in the post body"


def test_a_base_url_with_a_path_prefix_still_reaches_the_api(api: Api) -> None:
    answer = api.call("GET", "http://127.0.0.1:8765/twilio/v1/Policies")
    assert answer.status == 200 and len(answer.body["results"]) == 4


def test_requests_without_basic_auth_are_401(api: Api) -> None:
    answer = api.sim.handle("GET", f"{TRUSTHUB}/Policies", {}, b"")
    assert answer.status == 401 and '"code": 20003' in answer.body
    assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_each_account_sees_only_its_own_resources(api: Api, clock: FakeClock) -> None:
    mine = service(api)
    other = Api(api.sim, account=OTHER_ACCOUNT, token="other-token")
    assert other.error("GET", f"{MESSAGING}/Services/{mine}").status == 404
    assert other.ok("GET", f"{MESSAGING}/Services")["services"] == []
    theirs = address(other)
    assert other.ok("GET", f"{api2010(OTHER_ACCOUNT)}/Addresses/{theirs}.json")["account_sid"] == (
        OTHER_ACCOUNT
    )
    assert api.error("GET", f"{api2010()}/Addresses/{theirs}.json").status == 404


def test_an_account_faster_than_the_rate_gets_429_with_retry_after(clock: FakeClock) -> None:
    api = Api(Simulator(now=clock.now, rate=2.0))
    other = Api(api.sim, account=OTHER_ACCOUNT)
    assert api.call("GET", f"{TRUSTHUB}/Policies").status == 200
    clock.advance(0.2)
    limited = api.call("GET", f"{TRUSTHUB}/Policies")
    assert (limited.status, limited.body["code"]) == (429, 20429)
    assert limited.headers["Retry-After"] == "0.3"
    assert other.call("GET", f"{TRUSTHUB}/Policies").status == 200  # per account
    clock.advance(0.3)
    assert api.call("GET", f"{TRUSTHUB}/Policies").status == 200


# --- faults --------------------------------------------------------------------------------------


def test_an_injected_error_is_answered_without_performing_the_request(api: Api) -> None:
    api.sim.inject_fault(method="POST", path="/v1/Services", status=503, times=2)
    for _ in range(2):
        failed = api.call("POST", f"{MESSAGING}/Services", {"FriendlyName": "x"})
        assert (failed.status, failed.body["code"]) == (503, 20503)
    assert api.ok("GET", f"{MESSAGING}/Services")["services"] == []
    assert api.call("POST", f"{MESSAGING}/Services", {"FriendlyName": "x"}).status == 201


def test_an_injected_429_carries_retry_after_and_a_delay_is_returned_not_slept(
    api: Api, clock: FakeClock
) -> None:
    api.sim.inject_fault(method="GET", path="/v1/Policies/*", status=429, retry_after=3)
    api.sim.inject_fault(method="*", path="/v1/Policies", delay=1.5)
    limited = api.call("GET", f"{TRUSTHUB}/Policies/{STARTER_POLICY}")
    assert (limited.status, limited.body["code"], limited.headers["Retry-After"]) == (
        429,
        20429,
        "3",
    )
    before = clock.now()
    answer = api.sim.handle("GET", f"{TRUSTHUB}/Policies", {"Authorization": "Basic eDp5"}, b"")
    assert (answer.status, answer.delay, clock.now()) == (200, 1.5, before)


def test_drop_after_performs_the_request_then_drops_the_answer(api: Api) -> None:
    api.sim.inject_fault(method="POST", path="/v1/Services", drop_after=True)
    dropped = api.call("POST", f"{MESSAGING}/Services", {"FriendlyName": "ambiguous"})
    assert dropped.drop is True
    names = [s["friendly_name"] for s in api.ok("GET", f"{MESSAGING}/Services")["services"]]
    assert names == ["ambiguous"]  # performed, so a2pctl must look before re-creating


def test_the_request_log_records_method_path_and_parsed_parameters(api: Api) -> None:
    address(api)
    method, path, params = api.sim.requests[-1]
    assert (method, path) == ("POST", f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/Addresses.json")
    assert params["CustomerName"] == ["Jane Doe"]
