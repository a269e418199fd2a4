"""The engine end to end, in-process: the real gateway and twilio library, the simulator,
a fake clock."""

from __future__ import annotations

import base64
import itertools
from pathlib import Path

import pytest
from engine_support import (
    LOW_VOLUME,
    PAUSE,
    SOLE_PROPRIETOR,
    STANDARD,
    Killed,
    World,
    count_resources,
    make_world,
)

from a2pctl.engine.outcomes import exit_code
from a2pctl.gateway import CAMPAIGN_COMPLIANCE_SID as CAMPAIGN_SID
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from a2pctl.state.store import Store

ONE_OF_EACH_SP = {
    "customer_profiles": 1,
    "trust_products": 1,
    "end_users": 2,
    "supporting_documents": 1,
    "addresses": 1,
    "brands": 1,
    "services": 1,
    "campaigns": 1,
    "assignments": 5,
    "numbers": 1,
}

FLOWS = [SOLE_PROPRIETOR, STANDARD, LOW_VOLUME]


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_register_runs_each_example_to_completion_with_wait(world: World, file: Path) -> None:
    [outcome] = world.register(file, wait=True)
    assert outcome.outcome == "complete", outcome.errors
    res = outcome.resources
    for kind in ("customer_profile", "trust_product", "brand", "messaging_service", "campaign"):
        assert res[kind], kind
    assert res["brand"].startswith("BN")
    assert res["messaging_service"].startswith("MG")
    assert all(sid.startswith("PN") for sid in res["phone_numbers"])
    assert len(res["phone_numbers"]) >= 1
    counts = count_resources(world)
    assert counts["brands"] == 1 and counts["campaigns"] == 1


def test_sole_proprietor_creates_exactly_one_of_every_resource(world: World) -> None:
    world.register(SOLE_PROPRIETOR)
    assert count_resources(world) == ONE_OF_EACH_SP


@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_the_documented_pauses_are_kept(world: World, file: Path) -> None:
    world.register(file)
    rec = world.recorder
    profile_submit = next(
        h for h in rec.hits if h.path.startswith("/v1/CustomerProfiles/BU") and "Status" in h.form
    )
    trust_create = rec.posts("/v1/TrustProducts")[0]
    trust_submit = next(
        h for h in rec.hits if h.path.startswith("/v1/TrustProducts/BU") and "Status" in h.form
    )
    brand_create = rec.posts("/v1/a2p/BrandRegistrations")[0]
    campaign_create = next(
        h for h in rec.hits if h.method == "POST" and h.path.endswith("/Compliance/Usa2p")
    )
    assert trust_create.at - profile_submit.at >= PAUSE
    assert brand_create.at - trust_submit.at >= PAUSE
    assert campaign_create.at - brand_create.at >= PAUSE


def test_requests_of_an_account_are_never_closer_than_the_rate_allows(tmp_path: Path) -> None:
    world = make_world(tmp_path, rate=2.0)
    world.register(SOLE_PROPRIETOR, STANDARD)
    times = [h.at for h in world.recorder.hits]
    assert len(times) > 40
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.5 - 1e-9


def _duration(world: World) -> float:
    return world.recorder.hits[-1].at - world.recorder.hits[0].at


def test_one_customers_pause_does_not_block_anothers_requests(tmp_path: Path) -> None:
    alone = []
    for index, file in enumerate((SOLE_PROPRIETOR, STANDARD)):
        single = make_world(tmp_path / f"alone-{index}")
        single.register(file, wait=False)
        alone.append(_duration(single))
    both = make_world(tmp_path / "both")
    both.register(SOLE_PROPRIETOR, STANDARD, wait=False)
    hits = both.recorder.hits
    first_submit = next(
        h for h in hits if h.path.startswith("/v1/CustomerProfiles/BU") and "Status" in h.form
    )
    inside = [h for h in hits if first_submit.at < h.at < first_submit.at + PAUSE]
    assert inside, "the other customer's requests go on during the pause"
    # Interleaved, the two runs overlap their pauses instead of adding them up.
    assert _duration(both) < sum(alone) - 2 * PAUSE


@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_register_stops_at_the_brand_gate_and_a_rerun_resumes_to_completion(
    world: World, file: Path
) -> None:
    [first] = world.register(file, wait=False)
    assert first.outcome == "pending"
    assert first.waiting_for and "brand" in first.waiting_for
    assert exit_code([first]) == 3
    assert first.resources["brand"] and first.resources["campaign"] is None
    world.clock.advance(3600)  # reviews (and the OTP reply) happen meanwhile
    [second] = world.register(file, wait=False)
    assert second.outcome == "submitted", second.errors  # the campaign is in review now
    assert exit_code([second]) == 0
    assert second.waiting_for and "campaign review" in second.waiting_for
    assert second.resources["brand"] == first.resources["brand"]
    counts = count_resources(world)
    assert (counts["brands"], counts["campaigns"], counts["customer_profiles"]) == (1, 1, 1)
    if file == SOLE_PROPRIETOR:
        assert counts == ONE_OF_EACH_SP


def test_a_rerun_of_a_complete_registration_only_checks_the_campaign_and_numbers(
    world: World,
) -> None:
    world.register(SOLE_PROPRIETOR)
    before = len(world.recorder.hits)
    [again] = world.register(SOLE_PROPRIETOR)
    assert again.outcome == "complete"
    campaign, numbers = world.recorder.hits[before:]
    assert campaign.method == "GET" and campaign.path.endswith("/Compliance/Usa2p/" + CAMPAIGN_SID)
    assert numbers.method == "GET" and numbers.path.endswith("/PhoneNumbers")


def test_complete_is_claimed_only_once_the_campaign_is_verified(world: World) -> None:
    [submitted] = world.register(SOLE_PROPRIETOR, until="submitted")
    assert submitted.outcome == "submitted" and exit_code([submitted]) == 0
    assert submitted.resources["campaign"]
    [verified] = world.register(SOLE_PROPRIETOR, until="verified")
    assert verified.outcome == "complete", verified.errors
    service = verified.resources["messaging_service"]
    assert world.gateway().fetch_campaign(service).campaign_status == "VERIFIED"


def test_a_number_removed_from_the_service_is_attached_again_before_complete(
    world: World,
) -> None:
    [first] = world.register(SOLE_PROPRIETOR)
    service, [number] = first.resources["messaging_service"], first.resources["phone_numbers"]
    gateway = world.gateway()
    auth = base64.b64encode(f"{SANDBOX_ACCOUNT_SID}:{SANDBOX_AUTH_TOKEN}".encode()).decode()
    url = f"https://messaging.twilio.com/v1/Services/{service}/PhoneNumbers/{number}"
    world.simulator.handle("DELETE", url, {"Authorization": f"Basic {auth}"}, b"")
    assert gateway.list_service_phone_numbers(service) == []
    [again] = world.register(SOLE_PROPRIETOR)
    assert again.outcome == "complete", again.errors
    assert [p.sid for p in gateway.list_service_phone_numbers(service)] == [number]


@pytest.mark.slow  # an exhaustive matrix: ~36 s; CI runs it with the slow set
@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_a_run_killed_after_any_single_request_reruns_to_exactly_one_of_everything(
    tmp_path: Path, file: Path
) -> None:
    reference = make_world(tmp_path / "reference")
    reference.register(file)
    total = len(reference.recorder.hits)
    expected = count_resources(reference)
    for n in range(1, total + 1):
        world = make_world(tmp_path / f"kill-{n}")
        world.recorder.kill_after = n
        with pytest.raises(Killed):
            world.register(file)
        world.recorder.kill_after = None
        [outcome] = world.register(file)
        assert outcome.outcome == "complete", (n, outcome.errors)
        assert count_resources(world) == expected, f"killed after request {n}"


@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_a_connection_dropped_after_the_brand_create_is_reconciled_without_a_second_brand(
    world: World, file: Path
) -> None:
    world.simulator.inject_fault(method="POST", path="/v1/a2p/BrandRegistrations", drop_after=True)
    [outcome] = world.register(file)
    assert outcome.outcome == "complete", outcome.errors
    assert len(world.recorder.posts("/v1/a2p/BrandRegistrations")) == 1
    assert count_resources(world)["brands"] == 1


@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_a_connection_dropped_after_the_campaign_create_is_reconciled_without_a_second_one(
    world: World, file: Path
) -> None:
    world.simulator.inject_fault(
        method="POST", path="/v1/Services/*/Compliance/Usa2p", drop_after=True
    )
    [outcome] = world.register(file)
    assert outcome.outcome == "complete", outcome.errors
    creates = [h for h in world.recorder.hits if h.method == "POST" and h.path.endswith("/Usa2p")]
    assert len(creates) == 1
    assert count_resources(world)["campaigns"] == 1


def test_a_connection_dropped_after_an_end_user_create_is_found_again(world: World) -> None:
    world.simulator.inject_fault(method="POST", path="/v1/EndUsers", drop_after=True)
    [outcome] = world.register(SOLE_PROPRIETOR)
    assert outcome.outcome == "complete", outcome.errors
    assert count_resources(world) == ONE_OF_EACH_SP


@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
@pytest.mark.parametrize("status", [429, 503])
def test_throttled_and_unavailable_answers_are_retried(
    world: World, status: int, file: Path
) -> None:
    world.simulator.inject_fault(
        method="POST", path="/v1/a2p/BrandRegistrations", status=status, times=2, retry_after=2
    )
    [outcome] = world.register(file)
    assert outcome.outcome == "complete", outcome.errors
    assert len(world.recorder.posts("/v1/a2p/BrandRegistrations")) == 3
    assert count_resources(world)["brands"] == 1


def test_the_same_registration_in_two_files_is_refused(world: World, tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(SOLE_PROPRIETOR.read_text())
    outcomes = world.register(SOLE_PROPRIETOR, copy, wait=False)
    assert [o.outcome for o in outcomes] == ["pending", "invalid"]


@pytest.mark.parametrize("file", FLOWS, ids=lambda p: p.stem)
def test_a_lost_state_store_is_rebuilt_from_twilio_without_creating_anything(
    world: World, tmp_path: Path, file: Path
) -> None:
    [first] = world.register(file, wait=True)
    assert first.outcome == "complete", first.errors
    before = count_resources(world)
    world.store.close()
    world.store = Store.open(tmp_path / "fresh-state.db", world.clock)  # the store is gone
    posts = len(world.recorder.hits)
    [again] = world.register(file, wait=True)
    assert again.outcome == "complete", again.errors
    assert again.resources == first.resources
    assert count_resources(world) == before
    # Only checks are sent: evaluations, and adding numbers Twilio answers with 21710
    # ("already in the Messaging Service").
    sent = [h.path for h in world.recorder.hits[posts:] if h.method in ("POST", "DELETE")]
    assert {p.rsplit("/", 1)[1] for p in sent} <= {"Evaluations", "PhoneNumbers"}, sent


def test_a_run_killed_while_rebuilding_a_lost_store_still_creates_nothing(
    world: World, tmp_path: Path
) -> None:
    world.register(STANDARD, wait=True)
    before = count_resources(world)
    world.store.close()
    world.store = Store.open(tmp_path / "fresh-state.db", world.clock)
    world.recorder.kill_after = len(world.recorder.hits) + 4  # in the middle of the bundle
    with pytest.raises(Killed):
        world.register(STANDARD, wait=True)
    world.recorder.kill_after = None
    [again] = world.register(STANDARD, wait=True)
    assert again.outcome == "complete", again.errors
    assert count_resources(world) == before


def test_a_complete_registration_leaves_its_bundles_approved_in_the_store(world: World) -> None:
    # A sole proprietor's bundles are approved only after the OTP: `status` reads the store.
    [done] = world.register(SOLE_PROPRIETOR)
    assert done.outcome == "complete"
    for kind in ("customer_profile", "trust_product"):
        known = world.store.find_resource(done.resources[kind])
        assert known is not None and known.status == "twilio-approved", kind
