"""Every documented fix path, end to end in the sandbox: `plan` shows the fix (and its
fee) before `register` sends it, `register` sends exactly that, nothing is paid twice,
and a kill after any request of a fix leaves a registration a re-run finishes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pytest
from engine_support import (
    SOLE_PROPRIETOR,
    STANDARD,
    Hit,
    Killed,
    Patched,
    World,
    count_resources,
    make_world,
)

from a2pctl.engine.outcomes import Until, exit_code, plan_for
from a2pctl.engine.plan import Plan
from a2pctl.engine.reconcile import MAX_BRAND_RESUBMISSIONS, RESUBMIT_BRAND, FixKind
from a2pctl.gateway import CAMPAIGN_COMPLIANCE_SID
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID
from a2pctl.spec import customer as spec

USA2P = "/Compliance/Usa2p"
BRANDS = "/v1/a2p/BrandRegistrations"


def edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    fixed = tmp_path / f"fixed-{source.name}"
    fixed.write_text(text.replace(old, new), encoding="utf-8")
    return fixed


def plan_of(world: World, file: Path) -> Plan:
    planned = plan_for(spec.check_file(file), world.store, SANDBOX_ACCOUNT_SID)
    assert isinstance(planned, Plan)
    return planned


def fixes(planned: Plan) -> list[tuple[str, str, bool]]:
    """The reconciler's actions in a plan (the steps still to do follow them)."""
    return [(a.kind, a.target, a.fee) for a in planned.actions if a.kind in get_args(FixKind)]


def posts(hits: list[Hit], suffix: str) -> list[Hit]:
    return [h for h in hits if h.method == "POST" and h.path.endswith(suffix)]


# --- 1. a FAILED standard brand (30795) --------------------------------------------------


def failed_standard_brand(tmp_path: Path) -> tuple[World, str, Path]:
    world = make_world(tmp_path, "brand-fails")
    [first] = world.register(STANDARD)
    assert first.outcome == "failed" and exit_code([first]) == 1
    assert any(e.get("code") == 30795 for e in first.errors), first.errors
    fixed = edited(
        tmp_path,
        STANDARD,
        "business_name: Northwind Outfitters, Inc.",
        "business_name: Northwind Outfitters LLC",
    )
    return world, str(first.resources["brand"]), fixed


def test_plan_shows_the_failed_brands_documented_fix_before_register_sends_it(
    tmp_path: Path,
) -> None:
    world, _, fixed = failed_standard_brand(tmp_path)
    before = len(world.recorder.hits)
    planned = plan_of(world, fixed)
    assert len(world.recorder.hits) == before  # plan sends nothing
    assert fixes(planned) == [
        ("reopen_bundle", "customer_profile", False),
        ("update_end_user", "business_end_user", False),
        ("resubmit_bundle", "customer_profile", False),
        ("resubmit_brand", "brand", True),
    ]
    assert planned.outcome == "pending"


def test_a_failed_standard_brand_is_corrected_through_its_profile_and_resubmitted_once(
    tmp_path: Path,
) -> None:
    world, brand, fixed = failed_standard_brand(tmp_path)
    before = len(world.recorder.hits)
    [second] = world.register(fixed)
    assert second.outcome == "complete", second.errors
    rerun = world.recorder.hits[before:]
    profile = f"/v1/CustomerProfiles/{second.resources['customer_profile']}"
    statuses = [h.form["Status"][0] for h in posts(rerun, profile) if "Status" in h.form]
    assert statuses == ["draft", "pending-review"]  # set back to draft, corrected, submitted
    end_user = next(h for h in rerun if h.method == "POST" and h.path.startswith("/v1/EndUsers/"))
    assert "Northwind Outfitters LLC" in end_user.form["Attributes"][0]
    assert len(posts(rerun, f"{BRANDS}/{brand}")) == 1  # one resubmission
    assert posts(rerun, BRANDS) == []  # no new brand
    assert second.resources["brand"] == brand
    assert count_resources(world)["brands"] == 1
    assert world.gateway().fetch_brand(brand).status == "APPROVED"
    record = world.store.steps("northwind-outfitters", SANDBOX_ACCOUNT_SID)[RESUBMIT_BRAND]
    assert record.data == {"count": 1}


def test_brand_resubmissions_stop_before_twilios_cap_with_what_to_do(tmp_path: Path) -> None:
    world, _, fixed = failed_standard_brand(tmp_path)
    name = "northwind-outfitters"
    world.store.mark_done(
        name, SANDBOX_ACCOUNT_SID, RESUBMIT_BRAND, data={"count": MAX_BRAND_RESUBMISSIONS}
    )
    planned = plan_of(world, fixed)
    assert ("stop", "brand", False) in fixes(planned)
    assert planned.outcome == "failed"
    before = len(world.recorder.hits)
    [again] = world.register(fixed)
    assert again.outcome == "failed"
    assert "21724" in again.errors[0]["message"] and "Support" in again.errors[0]["message"]
    assert [h for h in world.recorder.hits[before:] if h.method == "POST"] == []


# --- 2. a sole-proprietor profile rejected for its e-mail ---------------------------------


def test_a_profile_rejected_for_its_email_gets_the_new_email_and_is_resubmitted(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path, "email-rejected")
    [first] = world.register(SOLE_PROPRIETOR)
    assert first.outcome == "failed"
    assert "could not be verified" in json.dumps(first.errors)
    assert count_resources(world)["brands"] == 0
    fixed = edited(
        tmp_path,
        SOLE_PROPRIETOR,
        "email: jane@janedoepottery.example",
        "email: jane@janedoe.example",
    )
    assert fixes(plan_of(world, fixed)) == [
        ("update_bundle", "customer_profile", False),
        ("update_end_user", "profile_end_user", False),
        ("resubmit_bundle", "customer_profile", False),
    ]
    before = len(world.recorder.hits)
    [second] = world.register(fixed)
    assert second.outcome == "complete", second.errors
    rerun = world.recorder.hits[before:]
    profile = f"/v1/CustomerProfiles/{first.resources['customer_profile']}"
    emails = [h.form["Email"][0] for h in posts(rerun, profile) if "Email" in h.form]
    assert emails == ["jane@janedoe.example"]
    assert (
        world.gateway().fetch_bundle("customer_profile", first.resources["customer_profile"]).email
        == "jane@janedoe.example"
    )
    assert len(posts(world.recorder.hits, BRANDS)) == 1  # the brand, created once
    assert count_resources(world)["brands"] == 1


# --- 3. a campaign rejected for its help message -----------------------------------------


def test_a_campaign_fix_the_update_cannot_carry_is_a_recreate_shown_with_its_fee_first(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path, "campaign-rejected")
    [first] = world.register(SOLE_PROPRIETOR, until="submitted")
    world.clock.advance(3600)  # the review rejects it meanwhile
    service = first.resources["messaging_service"]
    assert world.gateway().fetch_campaign(service).campaign_status == "FAILED"
    world.register(SOLE_PROPRIETOR, until="submitted")  # hears of the rejection
    old_help = "Jane Doe Pottery: for help, email jane@janedoepottery.example."
    new_help = "Jane Doe Pottery: help at jane@janedoepottery.example or +14155550100."
    fixed = edited(tmp_path, SOLE_PROPRIETOR, old_help, new_help)
    planned = plan_of(world, fixed)
    assert fixes(planned) == [("recreate_campaign", "campaign", True)]
    assert "help_message" in planned.actions[0].title
    before = len(world.recorder.hits)
    [second] = world.register(fixed, until="submitted")
    assert second.outcome == "submitted", second.errors
    rerun = world.recorder.hits[before:]
    [deleted] = [h for h in rerun if h.method == "DELETE"]
    [created] = posts(rerun, USA2P)
    assert created.at - deleted.at >= 5
    assert created.form["HelpMessage"] == [f"{new_help} Reply STOP to opt out."]
    assert posts(rerun, f"{USA2P}/{CAMPAIGN_COMPLIANCE_SID}") == []  # not an edit


# --- 4. outcomes that mean what they say ---------------------------------------------------


@pytest.mark.parametrize("status", ["SUSPENDED", "EXPIRED"])
def test_a_suspended_or_expired_brand_fails_with_the_documented_next_step(
    tmp_path: Path, status: str
) -> None:
    world = make_world(tmp_path)
    world.recorder.simulator = Patched(  # type: ignore[assignment]
        world.simulator, lambda m, url: f"{BRANDS}/BN" in url, {"status": status}
    )
    [outcome] = world.register(STANDARD)
    assert outcome.outcome == "failed" and exit_code([outcome]) == 1
    message = outcome.errors[0]["message"]
    assert f"is {status}" in message
    assert ("Support" in message) if status == "SUSPENDED" else ("Console" in message)
    assert outcome.resources["campaign"] is None


@pytest.mark.parametrize(
    ("status", "outcome", "code"),
    [("PENDING", "submitted", 0), ("IN_PROGRESS", "submitted", 0), ("SUSPENDED", "failed", 1),
     ("EXPIRED", "failed", 1)],
)  # fmt: skip
def test_the_campaigns_status_decides_the_outcome_and_complete_needs_verified(
    tmp_path: Path, status: str, outcome: str, code: int
) -> None:
    world = make_world(tmp_path)
    world.recorder.simulator = Patched(  # type: ignore[assignment]
        world.simulator,
        lambda m, url: url.endswith(f"{USA2P}/{CAMPAIGN_COMPLIANCE_SID}"),
        {"campaign_status": status},
    )
    [result] = world.register(SOLE_PROPRIETOR, until="submitted")
    assert result.outcome == outcome, result.errors
    assert exit_code([result]) == code
    if outcome == "failed":
        assert f"campaign is {status}" in result.errors[0]["message"]


# --- 5. a number that sits in another service ---------------------------------------------


def test_a_number_in_another_service_fails_naming_that_service(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    gw = world.gateway()
    other = gw.create_service(
        friendly_name="someone else's", inbound_request_url=None, fallback_url=None
    )
    [number] = gw.find_incoming_numbers(phone_number="+14155550123")
    gw.add_service_phone_number(other.sid, number.sid)
    [outcome] = world.register(SOLE_PROPRIETOR, until="submitted")
    assert outcome.outcome == "failed"
    [error] = [e for e in outcome.errors if e.get("code") == 21710]
    assert other.sid in error["message"] and error["field"] == "phone_numbers[0]"


# --- 6. a kill after any request of a fix ---------------------------------------------------


@dataclass(frozen=True)
class FixCase:
    """A registration that needs a fix, the fixed file, and what must hold after it."""

    setup: Callable[[Path], tuple[World, Path]]
    until: Until
    outcome: str
    # (every hit since the fix began) → the fee-bearing requests that must each happen once
    once: Callable[[list[Hit]], dict[str, int]]


def _brand_case(tmp_path: Path) -> tuple[World, Path]:
    world, _, fixed = failed_standard_brand(tmp_path)
    return world, fixed


def _email_case(tmp_path: Path) -> tuple[World, Path]:
    world = make_world(tmp_path, "email-rejected")
    world.register(SOLE_PROPRIETOR)
    return world, edited(
        tmp_path, SOLE_PROPRIETOR, "jane@janedoepottery.example\n", "j@jd.example\n"
    )


def _campaign_case(tmp_path: Path) -> tuple[World, Path]:
    world = make_world(tmp_path, "campaign-rejected")
    world.register(SOLE_PROPRIETOR, until="submitted")
    world.clock.advance(3600)
    world.register(SOLE_PROPRIETOR, until="submitted")
    return world, edited(tmp_path, SOLE_PROPRIETOR, "for help, email", "for help, write to")


FIX_CASES = {
    "brand resubmission": FixCase(
        _brand_case,
        "verified",
        "complete",
        lambda hits: {
            "brand resubmissions": len(
                [h for h in posts(hits, "") if h.path.startswith(BRANDS + "/BN")]
            ),
            "brands": len(posts(hits, BRANDS)) + 1,
        },
    ),
    "profile email": FixCase(
        _email_case,
        "verified",
        "complete",
        lambda hits: {"brands": len(posts(hits, BRANDS))},
    ),
    "campaign recreate": FixCase(
        _campaign_case,
        "submitted",
        "submitted",
        lambda hits: {"campaigns": len(posts(hits, USA2P))},
    ),
}


@pytest.mark.slow  # an exhaustive matrix: ~30 s; CI runs it with the slow set
@pytest.mark.parametrize("case", FIX_CASES.values(), ids=FIX_CASES.keys())
def test_a_kill_after_any_request_of_a_fix_reruns_to_exactly_one_of_each_fee(
    tmp_path: Path, case: FixCase
) -> None:
    reference, fixed = case.setup(tmp_path / "reference")
    start = len(reference.recorder.hits)
    [done] = reference.register(fixed, until=case.until)
    assert done.outcome == case.outcome, done.errors
    expected = case.once(reference.recorder.hits[start:])
    assert set(expected.values()) == {1}, expected
    for n in range(1, len(reference.recorder.hits) - start + 1):
        world, fixed = case.setup(tmp_path / f"kill-{n}")
        start = len(world.recorder.hits)
        world.recorder.kill_after = start + n
        with pytest.raises(Killed):
            world.register(fixed, until=case.until)
        world.recorder.kill_after = None
        [again] = world.register(fixed, until=case.until)
        assert again.outcome == case.outcome, (n, again.errors)
        assert case.once(world.recorder.hits[start:]) == expected, n
        counts = count_resources(world)
        assert (counts["brands"], counts["campaigns"]) == (1, 1), n


# --- 7. a FAILED brand that never reached TCR ------------------------------------------------


def test_a_brand_without_a_tcr_id_stops_then_a_console_deletion_lets_a_new_brand_be_made(
    tmp_path: Path,
) -> None:
    world, brand, fixed = failed_standard_brand(tmp_path)
    world.recorder.simulator = Patched(  # type: ignore[assignment]
        world.simulator, lambda m, url: f"{BRANDS}/BN" in url, {"tcr_id": None}
    )
    world.register(STANDARD)  # the store hears the brand as Twilio has it: no tcr_id
    planned = plan_of(world, fixed)
    [stop] = [f for f in fixes(planned) if f[0] == "stop"]
    assert stop[1] == "brand"
    before = len(world.recorder.hits)
    [stopped] = world.register(fixed)
    assert stopped.outcome == "failed"
    assert "Console" in stopped.errors[0]["message"] and "21725" in stopped.errors[0]["message"]
    assert [h for h in world.recorder.hits[before:] if h.method == "POST"] == []

    world.recorder.simulator = world.simulator
    assert world.simulator.delete_brand_in_console(brand)
    world.simulator.set_scenario("default")  # the corrected brand passes review
    [second] = world.register(fixed)
    assert second.outcome == "complete", second.errors
    rerun = world.recorder.hits[before:]
    end_user = [h for h in rerun if h.method == "POST" and h.path.startswith("/v1/EndUsers/")]
    assert end_user and "Northwind Outfitters LLC" in end_user[-1].form["Attributes"][0]
    assert second.resources["brand"] != brand  # a new brand, never the deleted one again
    assert len(posts(world.recorder.hits[before:], BRANDS)) == 1  # one new brand (fee)
    assert count_resources(world)["brands"] == 1
