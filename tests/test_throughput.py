"""Many customers, one rate limit: the benchmark behind "interleaved, never idle".

Twenty sole proprietors registered in one run on the fake clock. Alone, one takes
~350 simulated seconds (three 30 s pauses, the brand review and the OTP); run one
after the other, twenty would take ~7000 s. Interleaved, the run is bound by the
rate limit itself: it takes about as long as its requests need at 1 per second,
plus at most one customer's own waiting.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from engine_support import SOLE_PROPRIETOR, World, make_world

CUSTOMERS = 20
RATE = 1.0  # requests per second, Twilio's documented limit


def _customers(directory: Path, count: int) -> list[Path]:
    text = SOLE_PROPRIETOR.read_text()
    files = []
    for index in range(count):
        file = directory / f"customer-{index:03d}.yaml"
        file.write_text(
            text.replace("jane-doe-pottery", f"customer-{index:03d}")
            .replace("+14155550123", f"+1415555{1000 + index:04d}")  # its own number
            .replace("+14155550101", f"+1415556{1000 + index:04d}")  # its own OTP mobile
        )
        files.append(file)
    return files


def _span(world: World) -> float:
    return world.recorder.hits[-1].at - world.recorder.hits[0].at


@pytest.mark.slow
def test_many_customers_take_about_as_long_as_the_rate_limit_allows(tmp_path: Path) -> None:
    alone = make_world(tmp_path / "alone", rate=RATE)
    alone.register(*_customers(tmp_path / "alone", 1))
    one_customer = _span(alone)

    many = make_world(tmp_path / "many", rate=RATE)
    outcomes = many.register(*_customers(tmp_path / "many", CUSTOMERS))
    assert {o.outcome for o in outcomes} == {"complete"}

    hits = many.recorder.hits
    rate_bound = (len(hits) - 1) / RATE
    span = _span(many)
    assert min(b.at - a.at for a, b in itertools.pairwise(hits)) >= 1 / RATE - 1e-9
    assert rate_bound <= span <= rate_bound + one_customer
    assert span < CUSTOMERS * one_customer / 5  # one after the other would take ~20x
