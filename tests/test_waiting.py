"""`register --wait`: looks at a review with back-off (seconds first, then a minute), looks
once more at the deadline itself and says the timeout was reached, and wakes at once on
an event recorded for the registration."""

from __future__ import annotations

import itertools
from pathlib import Path

from engine_support import POLL, STANDARD, World, make_world

from a2pctl.engine.executor import FIRST_POLL_SECONDS
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID

NAME = "northwind-outfitters"


def brand_looks(world: World) -> list[float]:
    """When the brand gate looked at the brand (GET of one brand)."""
    return [
        h.at
        for h in world.recorder.hits
        if h.method == "GET" and h.path.startswith("/v1/a2p/BrandRegistrations/BN")
    ]


def test_a_review_is_looked_at_with_back_off_and_once_more_at_the_deadline(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path, "slow-review")
    start = world.clock.now()
    timeout = 900.0
    [outcome] = world.register(STANDARD, wait=True, timeout=timeout)
    assert outcome.outcome == "pending"
    assert outcome.waiting_for and outcome.waiting_for.endswith(
        "(--timeout reached; still waiting)"
    )
    looks = brand_looks(world)
    gaps = [round(b - a) for a, b in itertools.pairwise(looks)]
    doubling = [FIRST_POLL_SECONDS * 2**k for k in range(4)]  # 5, 10, 20, 40 s
    assert gaps[:4] == doubling
    assert set(gaps[4:-1]) == {POLL}  # then once a minute
    assert 0 < gaps[-1] <= POLL
    assert looks[-1] == start + timeout  # the last look is at the deadline itself


def test_an_event_recorded_for_the_registration_wakes_its_wait(tmp_path: Path) -> None:
    world = make_world(tmp_path, "slow-review")
    start = world.clock.now()
    heard: list[float] = []
    sleep = world.clock.sleep

    def sleep_and_hear(seconds: float) -> None:
        sleep(seconds)
        # Six minutes in the gate looks once a minute; an event arrives between looks.
        if not heard and world.clock.now() >= start + 400 and brand_looks(world):
            world.store.add_event(
                "EVx", "brand-registration.brand-registered", {}, name=NAME,
                account=SANDBOX_ACCOUNT_SID,
            )  # fmt: skip
            heard.append(world.clock.now())

    world.clock.sleep = sleep_and_hear  # type: ignore[method-assign]
    world.register(STANDARD, wait=True, timeout=600.0)
    [event_at] = heard
    before, after = (
        [t for t in brand_looks(world) if t < event_at],
        [t for t in brand_looks(world) if t >= event_at],
    )
    assert before and after
    assert after[0] - event_at <= 1.0 + 1e-6  # within one tick of the event
    assert after[0] - before[-1] < POLL  # sooner than the poll it would have waited for
