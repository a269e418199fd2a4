"""How register ends when reviewers or Twilio say no, and how a fixed file resumes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_support import (
    SOLE_PROPRIETOR,
    STANDARD,
    Killed,
    Notices,
    World,
    count_resources,
    make_world,
)

from a2pctl.engine.outcomes import Outcome, exit_code, plan_for
from a2pctl.engine.plan import Plan
from a2pctl.flows import build_flow
from a2pctl.flows.model import CreateCampaign
from a2pctl.gateway import CAMPAIGN_COMPLIANCE_SID
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SimResponse
from a2pctl.spec import customer as spec


def test_a_failed_brand_ends_with_exit_1_its_reason_and_the_file_field(tmp_path: Path) -> None:
    world = make_world(tmp_path, "brand-fails")
    [outcome] = world.register(STANDARD)
    assert outcome.outcome == "failed"
    assert exit_code([outcome]) == 1
    codes = [e["code"] for e in outcome.errors]
    assert "FAILED" in codes and 30795 in codes
    legal_name = next(e for e in outcome.errors if e["code"] == 30795)
    assert legal_name["field"].startswith("business.")
    assert isinstance(legal_name["line"], int)
    assert outcome.resources["campaign"] is None
    assert count_resources(world)["campaigns"] == 0


def test_a_failed_sole_proprietor_brand_reports_its_failure_reason(tmp_path: Path) -> None:
    world = make_world(tmp_path, "brand-fails")
    [outcome] = world.register(SOLE_PROPRIETOR)
    assert outcome.outcome == "failed"
    assert "Unable to register Brand with The Campaign Registry" in outcome.errors[0]["message"]


def test_a_noncompliant_evaluation_stops_before_the_brand_naming_each_field(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path, "evaluation-noncompliant")
    [outcome] = world.register(SOLE_PROPRIETOR)
    assert outcome.outcome == "failed"
    assert [e["field"] for e in outcome.errors] == ["contact.phone_number"]
    assert "22218" in outcome.errors[0]["message"]
    assert count_resources(world)["brands"] == 0
    # Re-running evaluates again (the simulator now follows the policy for the profile);
    # the trust bundle's first evaluation fails in this scenario too, then all passes.
    [again] = world.register(SOLE_PROPRIETOR)
    assert [e["field"] for e in again.errors] == ["sole_proprietor.mobile_phone_number"]
    [last] = world.register(SOLE_PROPRIETOR)
    assert last.outcome == "complete", last.errors
    assert count_resources(world)["customer_profiles"] == 1


def test_an_unanswered_otp_is_pending_with_the_resend_command(tmp_path: Path) -> None:
    world = make_world(tmp_path, "otp-never-answered")
    [outcome] = world.register(SOLE_PROPRIETOR, wait=True, timeout=3 * 3600)
    assert outcome.outcome == "pending"
    assert exit_code([outcome]) == 3
    assert "UNVERIFIED" in (outcome.waiting_for or "")
    assert "a2pctl otp resend jane-doe-pottery" in (outcome.waiting_for or "")


def test_a_rejected_profile_is_fixed_by_changing_the_file_and_rerunning(tmp_path: Path) -> None:
    world = make_world(tmp_path, "bundle-rejected")
    [first] = world.register(SOLE_PROPRIETOR)
    # Rejected during the documented pause: caught before anything is built on it.
    assert first.outcome == "failed"
    assert first.errors[0]["code"] == "twilio-rejected"
    assert "customer profile" in first.errors[0]["message"]
    assert first.resources["trust_product"] is None and first.resources["brand"] is None
    assert count_resources(world)["brands"] == 0
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(SOLE_PROPRIETOR.read_text().replace("123 Main St", "125 Main St"))
    before = len(world.recorder.hits)
    [second] = world.register(fixed)
    assert second.outcome == "complete", second.errors
    rerun = world.recorder.hits[before:]
    updates = [h for h in rerun if h.method == "POST" and "/Addresses/AD" in h.path]
    assert len(updates) == 1 and updates[0].form["Street"] == ["125 Main St"]
    assert "IsoCountry" not in updates[0].form  # not updatable
    submits = [
        h for h in rerun if h.path.startswith("/v1/CustomerProfiles/BU") and "Status" in h.form
    ]
    assert len(submits) == 1
    counts = count_resources(world)
    assert (counts["addresses"], counts["customer_profiles"], counts["brands"]) == (1, 1, 1)


def test_a_400_is_reported_with_twilios_code_and_the_customer_file_field(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    body = {
        "code": 21728,
        "message": "Length validation failed",
        "more_info": "https://www.twilio.com/docs/errors/21728",
        "status": 400,
        "details": {"field": "MessageFlow"},
    }

    def reject_campaign(method: str, path: str) -> SimResponse | None:
        if method == "POST" and path.endswith("/Compliance/Usa2p"):
            return SimResponse(400, {"Content-Type": "application/json"}, json.dumps(body))
        return None

    world.recorder.override = reject_campaign
    [outcome] = world.register(SOLE_PROPRIETOR)
    assert outcome.outcome == "failed"
    [error] = outcome.errors
    assert error["code"] == 21728
    assert error["field"] == "campaign.message_flow"
    assert "Length validation failed" in error["message"]
    campaign_posts = [h for h in world.recorder.hits if h.path.endswith("/Compliance/Usa2p")]
    assert len([h for h in campaign_posts if h.method == "POST"]) == 1  # never retried


def _failed_campaign(tmp_path: Path, file: Path) -> tuple[World, Outcome]:
    world = make_world(tmp_path, "campaign-rejected")
    [outcome] = world.register(file, until="submitted")
    assert outcome.outcome == "submitted", outcome.errors
    world.clock.advance(3600)  # the review rejects it meanwhile
    service = outcome.resources["messaging_service"]
    assert world.gateway().fetch_campaign(service).campaign_status == "FAILED"
    return world, outcome


def test_a_rejected_campaign_is_edited_in_place_from_the_changed_file(tmp_path: Path) -> None:
    world, first = _failed_campaign(tmp_path, SOLE_PROPRIETOR)
    text = SOLE_PROPRIETOR.read_text()
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(text.replace("Jane Doe Pottery sends", "Jane Doe Pottery, a studio, sends"))
    assert fixed.read_text() != text
    before = len(world.recorder.hits)
    [second] = world.register(fixed)
    assert second.outcome == "complete", second.errors
    edits = [
        h
        for h in world.recorder.hits[before:]
        if h.method == "POST" and h.path.endswith("/Compliance/Usa2p/" + CAMPAIGN_COMPLIANCE_SID)
    ]
    assert len(edits) == 1
    assert "a studio" in edits[0].form["Description"][0]
    assert edits[0].form["AgeGated"] == ["false"]
    world.clock.advance(3600)
    service = first.resources["messaging_service"]
    assert world.gateway().fetch_campaign(service).campaign_status == "VERIFIED"
    assert count_resources(world)["campaigns"] == 1
    [third] = world.register(fixed)  # nothing changed since: nothing is sent again
    assert third.outcome == "complete"


def test_a_changed_use_case_replaces_the_failed_campaign_5_s_after_deleting_it(
    tmp_path: Path,
) -> None:
    world, first = _failed_campaign(tmp_path, STANDARD)
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        STANDARD.read_text().replace("DELIVERY_NOTIFICATION", "ACCOUNT_NOTIFICATION")
    )
    before = len(world.recorder.hits)
    [second] = world.register(changed, until="submitted")
    assert second.outcome == "submitted", second.errors  # the new campaign is in review
    hits = world.recorder.hits[before:]
    deleted = next(h for h in hits if h.method == "DELETE")
    created = next(h for h in hits if h.method == "POST" and h.path.endswith("/Compliance/Usa2p"))
    assert created.at - deleted.at >= 5
    assert created.form["UsAppToPersonUsecase"] == ["ACCOUNT_NOTIFICATION"]
    service = first.resources["messaging_service"]
    [campaign] = world.gateway().list_campaigns(service)
    assert campaign.us_app_to_person_usecase == "ACCOUNT_NOTIFICATION"


def _killed_at_campaign_delete(tmp_path: Path, *, after: bool) -> tuple[World, Outcome, Path]:
    """A FAILED campaign whose use case the file changes, and a `register` killed just
    before it sends the campaign's DELETE (or just after the answer)."""
    world, first = _failed_campaign(tmp_path, STANDARD)
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        STANDARD.read_text().replace("DELIVERY_NOTIFICATION", "ACCOUNT_NOTIFICATION")
    )

    def at_delete(method: str, path: str) -> None:
        if method != "DELETE":
            return
        world.recorder.before = None
        if not after:
            raise Killed()
        world.recorder.kill_after = len(world.recorder.hits) + 1  # once it is answered

    world.recorder.before = at_delete
    with pytest.raises(Killed):
        world.register(changed)
    world.recorder.kill_after = None
    return world, first, changed


@pytest.mark.parametrize("after", [False, True], ids=["before the DELETE", "after the DELETE"])
def test_a_kill_around_the_campaign_delete_never_adopts_the_deleted_campaign(
    tmp_path: Path, after: bool
) -> None:
    world, first, changed = _killed_at_campaign_delete(tmp_path, after=after)
    world.clock.advance(60)
    before = len(world.recorder.hits)
    [second] = world.register(changed, until="submitted")
    assert second.outcome == "submitted", second.errors
    hits = world.recorder.hits[before:]
    deleted = [h for h in hits if h.method == "DELETE"]
    created = [h for h in hits if h.method == "POST" and h.path.endswith("/Compliance/Usa2p")]
    assert len(created) == 1
    if not after:  # the re-run sends the DELETE, then waits 5 s
        assert created[0].at - deleted[-1].at >= 5
    service = first.resources["messaging_service"]
    [campaign] = world.gateway().list_campaigns(service)
    assert campaign.us_app_to_person_usecase == "ACCOUNT_NOTIFICATION"
    assert campaign.sid == second.resources["campaign"]


def test_a_campaign_made_elsewhere_after_a_killed_delete_is_adopted_not_deleted(
    tmp_path: Path,
) -> None:
    world, first, changed = _killed_at_campaign_delete(tmp_path, after=False)
    # Meanwhile someone replaces the campaign in the Console.
    service, brand = first.resources["messaging_service"], first.resources["brand"]
    [(_, customer)] = spec.load_customers([changed])
    [campaign_step] = [s for s in build_flow(customer).steps if s.records == "campaign"]
    assert isinstance(campaign_step.action, CreateCampaign)
    gw = world.gateway()
    gw.delete_campaign(service)
    world.clock.advance(10)
    theirs = gw.create_campaign(
        service, brand_registration_sid=brand, **campaign_step.action.params
    )
    before = len(world.recorder.hits)
    [second] = world.register(changed)
    hits = world.recorder.hits[before:]
    assert [h for h in hits if h.method in ("DELETE", "POST") and "Usa2p" in h.path] == []
    assert second.resources["campaign"] == theirs.sid


def test_a_campaign_under_review_is_not_edited_and_the_user_is_told(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.register(SOLE_PROPRIETOR)
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        SOLE_PROPRIETOR.read_text().replace("Jane Doe Pottery sends", "Jane Doe Pottery now sends")
    )
    notices: list[str] = []
    world.observer = Notices(notices)
    before = len(world.recorder.hits)
    [again] = world.register(changed)
    assert again.outcome == "complete"
    assert not [h for h in world.recorder.hits[before:] if h.method == "POST"]
    assert any("FAILED campaign only" in n for n in notices), notices


def test_a_pause_cut_short_by_a_kill_is_served_in_full_on_the_rerun(tmp_path: Path) -> None:
    reference = make_world(tmp_path / "reference")
    reference.register(SOLE_PROPRIETOR)
    submit_index = next(
        i
        for i, h in enumerate(reference.recorder.hits)
        if h.path.startswith("/v1/CustomerProfiles/BU") and "Status" in h.form
    )
    world = make_world(tmp_path / "killed")
    world.recorder.kill_after = submit_index + 1  # killed right after submitting the profile
    with pytest.raises(Killed):
        world.register(SOLE_PROPRIETOR)
    world.recorder.kill_after = None
    [outcome] = world.register(SOLE_PROPRIETOR)
    assert outcome.outcome == "complete", outcome.errors
    submitted = world.recorder.hits[submit_index]
    trust = next(
        h for h in world.recorder.hits if h.method == "POST" and h.path == "/v1/TrustProducts"
    )
    assert trust.at - submitted.at >= 30


def test_a_change_twilio_cannot_take_is_reported_not_sent_and_nothing_fails(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    world.register(SOLE_PROPRIETOR)
    changed = tmp_path / "changed.yaml"
    changed.write_text(SOLE_PROPRIETOR.read_text().replace("first_name: Jane", "first_name: Janet"))
    notices: list[str] = []
    world.observer = Notices(notices)
    before = len(world.recorder.hits)
    [again] = world.register(changed)
    assert again.outcome == "complete", again.errors
    assert not [h for h in world.recorder.hits[before:] if h.method == "POST"]
    assert any("not sent" in n and "twilio-approved" in n for n in notices), notices


def test_a_failed_brand_is_resubmitted_after_its_rejected_bundles_are_fixed(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path, "brand-fails")
    [first] = world.register(SOLE_PROPRIETOR)
    assert first.outcome == "failed"
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(
        SOLE_PROPRIETOR.read_text().replace(
            "brand_name: Jane Doe Pottery", "brand_name: Jane Doe Pottery Studio"
        )
    )
    assert fixed.read_text() != SOLE_PROPRIETOR.read_text()
    before = len(world.recorder.hits)
    [second] = world.register(fixed)
    assert second.outcome == "complete", second.errors
    rerun = world.recorder.hits[before:]
    resubmits = [
        h
        for h in rerun
        if h.method == "POST" and h.path == f"/v1/a2p/BrandRegistrations/{first.resources['brand']}"
    ]
    assert len(resubmits) == 1
    submits = [
        h
        for h in rerun
        if h.path.startswith(("/v1/CustomerProfiles/BU", "/v1/TrustProducts/BU"))
        and "Status" in h.form
    ]
    assert len(submits) == 2  # both rejected bundles went back for review first
    assert submits[-1].at < resubmits[0].at
    assert count_resources(world)["brands"] == 1


def test_a_rerun_reports_a_campaign_known_to_have_failed_review(tmp_path: Path) -> None:
    world, _ = _failed_campaign(tmp_path, SOLE_PROPRIETOR)
    [again] = world.register(SOLE_PROPRIETOR)
    assert again.outcome == "failed"
    assert exit_code([again]) == 1
    fields = {e["field"] for e in again.errors}
    assert {"campaign.description", "campaign.message_samples[0]"} <= fields


def test_a_mock_sole_proprietor_brand_ends_with_a_clear_reason(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    mock = tmp_path / "mock.yaml"
    mock.write_text(SOLE_PROPRIETOR.read_text().replace("mock: false", "mock: true"))
    assert "mock: true" in mock.read_text()
    [outcome] = world.register(mock, wait=True)
    assert outcome.outcome == "failed"
    assert outcome.errors[0]["field"] == "brand.mock"
    assert "no OTP" in outcome.errors[0]["message"]


def test_renaming_a_registered_file_is_refused_rather_than_paying_again(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    file = tmp_path / "customer.yaml"
    file.write_text(SOLE_PROPRIETOR.read_text())
    world.register(file)
    file.write_text(SOLE_PROPRIETOR.read_text().replace("jane-doe-pottery", "jane-doe-studio"))
    [renamed] = world.register(file)
    assert renamed.outcome == "invalid"
    assert renamed.errors[0]["field"] == "name"
    assert "jane-doe-pottery" in renamed.errors[0]["message"]
    assert count_resources(world)["brands"] == 1


def test_plan_shows_what_a_changed_file_would_send(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.register(SOLE_PROPRIETOR)
    changed = tmp_path / "changed.yaml"
    changed.write_text(SOLE_PROPRIETOR.read_text().replace("123 Main St", "125 Main St"))
    plans = [
        plan_for(spec.check_file(file), world.store, SANDBOX_ACCOUNT_SID)
        for file in (SOLE_PROPRIETOR, changed)
    ]
    unchanged, edited = plans
    assert isinstance(edited, Plan)
    assert unchanged.outcome == "complete"
    assert edited.outcome == "pending"
    assert [s.name for s in edited.steps if s.state == "changed"] == ["address"]
