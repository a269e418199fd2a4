"""How register ends when reviewers or Twilio say no, and how a fixed file resumes."""

from __future__ import annotations

import json
from pathlib import Path

from engine_support import SOLE_PROPRIETOR, STANDARD, count_resources, make_world

from a2pctl.executor import exit_code
from a2pctl.sandbox import SimResponse


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
    assert first.outcome == "failed"
    assert any(e["code"] == 30793 for e in first.errors)
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
