"""Costs that do not grow with the fleet: a brand built on bundles this very run created
cannot exist yet, so the list of every brand in the account (a request per 1,000 brands)
is sent only where one may exist that this run did not create (bundles found again,
a lost answer: tests/test_lost_answers.py)."""

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

from a2pctl.state.store import Store

BRANDS = "/v1/a2p/BrandRegistrations"
FLOWS = [SOLE_PROPRIETOR, STANDARD, LOW_VOLUME]


def brand_lists(world: World, since: int = 0) -> int:
    return sum(1 for h in world.recorder.hits[since:] if h.method == "GET" and h.path == BRANDS)


@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_a_brand_on_bundles_this_run_created_is_created_without_listing_every_brand(
    tmp_path: Path, file: Path
) -> None:
    world = make_world(tmp_path)
    [outcome] = world.register(file, wait=False)
    assert outcome.resources["brand"] is not None
    assert brand_lists(world) == 0
    assert len(world.recorder.posts(BRANDS)) == 1


def test_a_brand_on_bundles_found_again_is_looked_for_first(tmp_path: Path) -> None:
    file = FLOWS[0]
    world = make_world(tmp_path)

    def before(method: str, path: str) -> None:
        if (method, path) == ("POST", BRANDS):
            raise Killed()  # killed just before the brand: its bundles exist in Twilio

    world.recorder.before = before
    with pytest.raises(Killed):
        world.register(file, wait=False)
    world.recorder.before = None
    world.store.close()
    world.store = Store.open(tmp_path / "fresh-state.db", world.clock)  # and the store is lost
    sent = len(world.recorder.hits)
    [outcome] = world.register(file, wait=False)

    assert outcome.outcome == "pending"
    assert brand_lists(world, since=sent) == 1  # bundles found by name: the brand looked for
    assert count_resources(world)["brands"] == 1
