"""Each documented scenario produces its documented outcome, on the
simulator's own review clock (a fake clock here: nothing sleeps)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from sandbox_flows import (
    MESSAGING,
    TRUSTHUB,
    Api,
    brand,
    campaign_params,
    campaign_url,
    create_campaign,
    evaluate,
    fetch_brand,
    own_number,
    service,
    sole_proprietor_bundles,
    standard_bundles,
    submit,
    subscribe,
)

from a2pctl.pacing import FakeClock
from a2pctl.sandbox import SCENARIOS, SLOW_REVIEW_FACTOR, Simulator
from a2pctl.sandbox.eventstreams import TEST_EVENT_TYPE

REVIEW = 2.0
TESTED_SCENARIOS = {
    "default",
    "brand-fails",
    "campaign-rejected",
    "otp-never-answered",
    "bundle-rejected",
    "email-rejected",
    "slow-review",
    "evaluation-noncompliant",
    "number-registration-fails",
    "2fa-expired",  # tests/test_twofa.py
}
Sent = list[tuple[str, dict[str, str], bytes]]


@pytest.fixture
def sent() -> Sent:
    return []


def make_api(clock: FakeClock, sent: Sent, scenario: str = "default") -> Api:
    def deliver(url: str, headers: dict[str, str], body: bytes) -> None:
        sent.append((url, headers, body))

    return Api(Simulator(now=clock.now, scenario=scenario, review_seconds=REVIEW, deliver=deliver))


def events(sent: Sent) -> list[dict[str, Any]]:
    """The CloudEvents delivered (status callbacks left out)."""
    delivered = [e for url, _, body in sent if "bodySHA256=" in url for e in json.loads(body)]
    return [event for event in delivered if event["type"] != TEST_EVENT_TYPE]


def event_types(sent: Sent) -> list[str]:
    return [e["type"].removeprefix("com.twilio.messaging.compliance.") for e in events(sent)]


def status(api: Api, collection: str, sid: str) -> str:
    return str(api.ok("GET", f"{TRUSTHUB}/{collection}/{sid}")["status"])


def test_every_documented_scenario_has_an_outcome_test() -> None:
    assert set(SCENARIOS) == TESTED_SCENARIOS
    assert all(description for description in SCENARIOS.values())


def test_default_sole_proprietor_brand_is_approved_then_verified_when_the_otp_is_answered(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent)
    subscribe(api)
    made = sole_proprietor_bundles(api)
    bn = brand(api, made, sole=True)
    assert (bn["status"], bn["identity_status"], bn["tcr_id"]) == ("PENDING", None, None)
    clock.advance(REVIEW - 0.01)
    assert fetch_brand(api, bn["sid"])["status"] == "PENDING"  # not a moment early
    clock.advance(0.01)
    approved = fetch_brand(api, bn["sid"])
    assert (approved["status"], approved["identity_status"]) == ("APPROVED", "UNVERIFIED")
    assert approved["tcr_id"].startswith("B") and len(approved["tcr_id"]) == 7
    # Sole-proprietor bundles wait for the OTP (docs/twilio/flows.md §4.1).
    assert status(api, "CustomerProfiles", made.profile) == "in-review"
    clock.advance(REVIEW)
    assert fetch_brand(api, bn["sid"])["identity_status"] == "VERIFIED"
    assert status(api, "CustomerProfiles", made.profile) == "twilio-approved"
    assert status(api, "TrustProducts", made.trust) == "twilio-approved"
    assert event_types(sent) == [
        "brand-registration.brand-unverified",
        "brand-registration.brand-registered",
    ]


def test_default_campaign_goes_pending_in_progress_verified_and_its_number_registers(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent)
    made = sole_proprietor_bundles(api)
    bn = brand(api, made, sole=True)["sid"]
    clock.advance(2 * REVIEW)
    mg = service(api)
    subscribe(api)
    created = create_campaign(api, mg, bn, sole=True)
    assert (created["campaign_status"], created["campaign_id"]) == ("PENDING", None)
    api.ok("POST", f"{MESSAGING}/Services/{mg}/PhoneNumbers", {"PhoneNumberSid": own_number(api)})
    clock.advance(REVIEW)
    progress = api.ok("GET", campaign_url(mg))
    assert progress["campaign_status"] == "IN_PROGRESS" and len(progress["campaign_id"]) == 7
    clock.advance(REVIEW)
    assert api.ok("GET", campaign_url(mg))["campaign_status"] == "VERIFIED"
    assert api.ok("GET", f"{MESSAGING}/Services/{mg}")["us_app_to_person_registered"] is True
    clock.advance(REVIEW)
    api.ok("GET", campaign_url(mg))
    assert event_types(sent) == [
        "campaign-registration.campaign-submitted",
        "campaign-registration.campaign-approved",
        "number-registration.pending",
        "number-registration.successful",
    ]


def test_one_late_tick_plays_the_whole_story_in_order(clock: FakeClock, sent: Sent) -> None:
    api = make_api(clock, sent)
    subscribe(api)
    made = standard_bundles(api)
    bn = brand(api, made, sole=False, SkipAutomaticSecVet=True)["sid"]
    clock.advance(100 * REVIEW)
    approved = fetch_brand(api, bn)
    assert (approved["status"], approved["identity_status"]) == ("APPROVED", "VERIFIED")
    assert approved["brand_score"] is None  # no secondary vetting when it is skipped
    assert status(api, "CustomerProfiles", made.profile) == "twilio-approved"
    assert event_types(sent) == ["brand-registration.brand-registered"]


def test_default_standard_brand_is_vetted_and_its_bundles_approved_after_one_review(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent)
    made = standard_bundles(api, company_type="public")
    assert status(api, "TrustProducts", made.trust) == "in-review"
    bn = brand(api, made, sole=False)["sid"]
    clock.advance(REVIEW)
    assert status(api, "TrustProducts", made.trust) == "twilio-approved"
    approved = fetch_brand(api, bn)
    assert (approved["status"], approved["identity_status"]) == ("APPROVED", "VETTED_VERIFIED")
    assert approved["brand_score"] == 75


def test_brand_fails_gives_a_standard_brand_30795_and_its_resubmission_passes(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent, "brand-fails")
    subscribe(api)
    bn = brand(api, standard_bundles(api), sole=False)["sid"]
    clock.advance(REVIEW)
    failed = fetch_brand(api, bn)
    assert failed["status"] == "FAILED" and failed["tcr_id"] is not None
    assert [(e["error_code"], e["fields"]) for e in failed["errors"]] == [
        (30795, ["business_registration_number", "business_registration_identifier",
                 "business_name"])
    ]  # fmt: skip
    assert "does not match with US EIN" in failed["failure_reason"]
    resubmitted = api.call("POST", f"{MESSAGING}/a2p/BrandRegistrations/{bn}")
    assert (resubmitted.status, resubmitted.body["status"]) == (202, "PENDING")
    clock.advance(REVIEW)
    assert fetch_brand(api, bn)["status"] == "APPROVED"
    failure = events(sent)[0]
    assert failure["data"]["brandstatus"] == "registration_failed"
    assert failure["data"]["brandregistrationerrors"][0]["registrationerrorcode"] == 30795


def test_brand_fails_gives_a_sole_proprietor_the_tcr_failure_reason_and_rejects_its_bundles(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent, "brand-fails")
    made = sole_proprietor_bundles(api)
    bn = brand(api, made, sole=True)["sid"]
    clock.advance(REVIEW)
    failed = fetch_brand(api, bn)
    assert failed["status"] == "FAILED"
    assert failed["failure_reason"] == "Unable to register Brand with The Campaign Registry"
    assert failed["identity_status"] is None
    # Reviewed with the brand, the bundles fail with it and can be corrected.
    assert status(api, "CustomerProfiles", made.profile) == "twilio-rejected"
    user = made.end_users["starter_customer_profile_information"]
    api.ok("POST", f"{TRUSTHUB}/EndUsers/{user}", {"Attributes": {"first_name": "Janet"}})


def test_campaign_rejected_fails_with_the_documented_errors_and_an_edit_passes(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent, "campaign-rejected")
    subscribe(api)
    bn = brand(api, standard_bundles(api), sole=False)["sid"]
    clock.advance(REVIEW)
    mg = service(api)
    create_campaign(api, mg, bn, sole=False)
    clock.advance(2 * REVIEW)
    failed = api.ok("GET", campaign_url(mg))
    assert failed["campaign_status"] == "FAILED"
    assert [(e["error_code"], e["fields"]) for e in failed["errors"]] == [
        (30886, ["USE_CASE DESCRIPTION"]),
        (30893, ["SAMPLE MESSAGE_1"]),
    ]
    assert failed["errors"][0]["url"] == "https://www.twilio.com/docs/api/errors/30886"
    failure = next(e for e in events(sent) if e["type"].endswith("failure"))["data"]
    assert failure["campaignregistrationstatus"] == "failure"
    assert [e["registrationerrorfields"] for e in failure["campaignregistrationerrors"]] == [
        ["USE_CASE DESCRIPTION"],
        ["SAMPLE MESSAGE_1"],
    ]
    params = campaign_params(bn, sole=False)
    edit = {k: params[k] for k in ("Description", "MessageFlow", "MessageSamples")}
    edit.update(HasEmbeddedLinks=False, HasEmbeddedPhone=False, AgeGated=False, DirectLending=False)
    assert api.ok("POST", campaign_url(mg), edit)["campaign_status"] == "PENDING"
    clock.advance(2 * REVIEW)
    assert api.ok("GET", campaign_url(mg))["campaign_status"] == "VERIFIED"


def test_otp_never_answered_keeps_the_brand_unverified_and_refuses_its_campaign(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent, "otp-never-answered")
    bn = brand(api, sole_proprietor_bundles(api), sole=True)["sid"]
    clock.advance(50 * REVIEW)
    stuck = fetch_brand(api, bn)
    assert (stuck["status"], stuck["identity_status"]) == ("APPROVED", "UNVERIFIED")
    assert api.call("POST", f"{MESSAGING}/a2p/BrandRegistrations/{bn}/SmsOtp").status == 201
    clock.advance(50 * REVIEW)
    assert fetch_brand(api, bn)["identity_status"] == "UNVERIFIED"
    refused = api.error(
        "POST",
        f"{MESSAGING}/Services/{service(api)}/Compliance/Usa2p",
        campaign_params(bn, sole=True),
    )
    assert (refused.status, refused.body["code"]) == (400, 30991)


def test_bundle_rejected_rejects_the_profile_soon_after_submission_and_a_resubmission_passes(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent, "bundle-rejected")
    made = standard_bundles(api)
    clock.advance(0.1 * REVIEW)  # a fast validation failure, inside Twilio's 30 s pause
    profile = api.ok("GET", f"{TRUSTHUB}/CustomerProfiles/{made.profile}")
    assert profile["status"] == "twilio-rejected"
    assert profile["errors"] == [
        {"code": 18601, "message": "The provided address is not a valid US or Canada address"}
    ]
    callbacks = [parse_qs(body.decode()) for url, _, body in sent if "trusthub" in url]
    assert callbacks[0]["Status"] == ["twilio-rejected"]
    assert callbacks[0]["FailureReason"] == [profile["errors"][0]["message"]]
    # The remediation: correct the address, evaluate, submit again.
    api.ok("POST", f"https://api.twilio.com/2010-04-01/Accounts/{api.account}/Addresses/"
           f"{made.address}.json", {"PostalCode": "62702"})  # fmt: skip
    evaluate(api, "CustomerProfiles", made.profile, profile["policy_sid"])
    assert submit(api, "CustomerProfiles", made.profile)["status"] == "in-review"
    clock.advance(REVIEW)
    assert status(api, "CustomerProfiles", made.profile) == "twilio-approved"


def test_email_rejected_rejects_the_profile_until_its_email_changes(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent, "email-rejected")
    made = standard_bundles(api)
    clock.advance(0.1 * REVIEW)
    profile = api.ok("GET", f"{TRUSTHUB}/CustomerProfiles/{made.profile}")
    assert profile["status"] == "twilio-rejected"
    assert "email address could not be verified" in profile["errors"][0]["message"]
    # Submitted again unchanged: rejected again.
    evaluate(api, "CustomerProfiles", made.profile, profile["policy_sid"])
    submit(api, "CustomerProfiles", made.profile)
    clock.advance(0.1 * REVIEW)
    assert status(api, "CustomerProfiles", made.profile) == "twilio-rejected"
    # The remediation: a working Email, then submit again.
    api.ok("POST", f"{TRUSTHUB}/CustomerProfiles/{made.profile}", {"Email": "ops@isv.example"})
    evaluate(api, "CustomerProfiles", made.profile, profile["policy_sid"])
    submit(api, "CustomerProfiles", made.profile)
    clock.advance(REVIEW)
    assert status(api, "CustomerProfiles", made.profile) == "twilio-approved"


def test_slow_review_holds_the_brand_in_review_for_a_long_simulated_time(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent, "slow-review")
    bn = brand(api, standard_bundles(api), sole=False)["sid"]
    clock.advance(REVIEW)
    assert fetch_brand(api, bn)["status"] == "IN_REVIEW"
    clock.advance((SLOW_REVIEW_FACTOR - 1) * REVIEW)
    assert fetch_brand(api, bn)["status"] == "IN_REVIEW"
    clock.advance(REVIEW)
    assert fetch_brand(api, bn)["status"] == "APPROVED"


def test_evaluation_noncompliant_fails_the_first_evaluation_on_a_phone_number(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent, "evaluation-noncompliant")
    with pytest.raises(AssertionError):  # the flow helper insists on compliant
        sole_proprietor_bundles(api)
    profile = api.ok("GET", f"{TRUSTHUB}/CustomerProfiles")["results"][0]
    first = api.ok("GET", f"{TRUSTHUB}/CustomerProfiles/{profile['sid']}/Evaluations")["results"]
    failing = [r for r in first[0]["results"] if not r["passed"]]
    assert [(i["object_field"], i["error_code"]) for i in failing[0]["invalid"]] == [
        ("phone_number", 22218)
    ]
    refused = api.error("POST", f"{TRUSTHUB}/CustomerProfiles/{profile['sid']}",
                        {"Status": "pending-review"})  # fmt: skip
    assert refused.status == 400 and "not compliant" in refused.body["message"]
    again = evaluate(api, "CustomerProfiles", profile["sid"], profile["policy_sid"])
    assert again["status"] == "compliant"


def test_number_registration_fails_emits_the_failed_event_with_30126(
    clock: FakeClock, sent: Sent
) -> None:
    api = make_api(clock, sent, "number-registration-fails")
    subscribe(api)
    bn = brand(api, standard_bundles(api), sole=False)["sid"]
    clock.advance(REVIEW)
    mg = service(api)
    api.ok("POST", f"{MESSAGING}/Services/{mg}/PhoneNumbers", {"PhoneNumberSid": own_number(api)})
    create_campaign(api, mg, bn, sole=False)
    clock.advance(3 * REVIEW)
    api.ok("GET", campaign_url(mg))
    failed = [e["data"] for e in events(sent) if e["type"].endswith("number-registration.failed")]
    assert failed[0]["externalstatus"] == "failure"
    assert failed[0]["failureReason"] == "https://www.twilio.com/docs/api/errors/30126"
    assert failed[0]["phonenumber"] == "4155550123"


def test_set_scenario_refuses_an_unknown_name_and_lists_the_known_ones(clock: FakeClock) -> None:
    simulator = Simulator(now=clock.now)
    with pytest.raises(ValueError, match="brand-fails") as refused:
        simulator.set_scenario("everything-explodes")
    assert "everything-explodes" in str(refused.value)
    simulator.set_scenario("slow-review")
    assert simulator.scenario == "slow-review"
