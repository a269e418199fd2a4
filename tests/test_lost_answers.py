"""Answers lost on the way back: every request of each flow performed and its answer
dropped, one at a time, and the process then killed or not. One re-run at most
completes the registration, and nothing is created or submitted twice. (A kill after
any single request alone: `test_register.py`.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_support import (
    LOW_VOLUME,
    SOLE_PROPRIETOR,
    STANDARD,
    Killed,
    World,
    count_resources,
    make_world,
)

FLOWS = [SOLE_PROPRIETOR, STANDARD, LOW_VOLUME]


def _submits(world: World) -> list[str]:
    """The paths of every bundle submission sent (a status change to pending-review)."""
    return [
        h.path
        for h in world.recorder.hits
        if h.method == "POST"
        and h.path.startswith(("/v1/CustomerProfiles/BU", "/v1/TrustProducts/BU"))
        and h.form.get("Status") == ["pending-review"]
    ]


@pytest.mark.slow
@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_an_answer_lost_after_any_request_completes_within_one_rerun_without_duplicates(
    tmp_path: Path, file: Path
) -> None:
    reference = make_world(tmp_path / "reference")
    reference.register(file)
    total = len(reference.recorder.hits)
    expected = count_resources(reference)
    for n in range(1, total + 1):
        world = make_world(tmp_path / f"drop-{n}")
        world.recorder.drop_at = n
        [outcome] = world.register(file)
        if outcome.outcome != "complete":
            world.recorder.drop_at = None
            [outcome] = world.register(file)
        lost = world.recorder.hits[n - 1]
        where = f"answer of request {n} ({lost.method} {lost.path}) lost"
        assert outcome.outcome == "complete", (where, outcome.errors)
        assert count_resources(world) == expected, where
        assert len(_submits(world)) == len(set(_submits(world))) == 2, where


@pytest.mark.slow
@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_an_answer_lost_then_a_kill_at_the_next_request_completes_in_one_rerun(
    tmp_path: Path, file: Path
) -> None:
    """The answer of request n is lost, and the process dies after request n + 1 (the look
    it takes before anything else): the re-run completes with one of everything."""
    reference = make_world(tmp_path / "reference")
    reference.register(file)
    total = len(reference.recorder.hits)
    expected = count_resources(reference)
    for n in range(1, total):
        world = make_world(tmp_path / f"drop-kill-{n}")
        world.recorder.drop_at, world.recorder.kill_after = n, n + 1
        with pytest.raises(Killed):
            world.register(file)
        lost = world.recorder.hits[n - 1]
        world.recorder.drop_at = world.recorder.kill_after = None
        [outcome] = world.register(file)
        where = f"answer of request {n} ({lost.method} {lost.path}) lost, then killed"
        assert outcome.outcome == "complete", (where, outcome.errors)
        assert count_resources(world) == expected, where
        assert len(_submits(world)) == len(set(_submits(world))) == 2, where


@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
@pytest.mark.parametrize("bundles", ["/v1/CustomerProfiles", "/v1/TrustProducts"])
def test_a_lost_answer_to_a_bundle_submit_is_looked_up_not_submitted_again(
    tmp_path: Path, file: Path, bundles: str
) -> None:
    world = make_world(tmp_path)
    bundle = f"{bundles}/BU{'?' * 32}"  # the bundle itself: its submission, nothing below it
    world.simulator.inject_fault(method="POST", path=bundle, drop_after=True)
    [outcome] = world.register(file)
    assert outcome.outcome == "complete", outcome.errors
    assert len(_submits(world)) == 2  # one per bundle: the lost one was fetched, not re-sent


def test_a_submission_answered_500_is_looked_at_then_sent_again_until_it_goes_through(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    bundle = f"/v1/CustomerProfiles/BU{'?' * 32}"
    world.simulator.inject_fault(method="POST", path=bundle, status=500, times=2)
    [outcome] = world.register(SOLE_PROPRIETOR)
    assert outcome.outcome == "complete", outcome.errors
    profile_submits = [p for p in _submits(world) if p.startswith("/v1/CustomerProfiles/")]
    assert len(profile_submits) == 3  # two answered 500 (not performed), then the one that went
    assert count_resources(world)["customer_profiles"] == 1
