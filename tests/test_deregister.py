"""`a2pctl deregister`: numbers out of the messaging service, the campaign deleted, the
brand and its bundles kept (Twilio has no API to delete a brand); previewed, confirmed,
resumable after a kill, recorded."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from cli_support import InProcess
from engine_support import SOLE_PROPRIETOR, STANDARD, Killed, World, make_world

from a2pctl.engine import offboard
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID
from a2pctl.state.markers import deregistered_at

NAME = "northwind-outfitters"
ACCOUNT = SANDBOX_ACCOUNT_SID


def service_of(world: World, name: str = NAME) -> str:
    sid = world.store.steps(name, ACCOUNT)["messaging_service"].sid
    assert sid is not None
    return sid


def account_view(world: World, service: str) -> tuple[int, int, int]:
    """(campaigns, numbers in the service, brands) as the simulated account has them."""
    gw = world.gateway()
    return (
        len(gw.list_campaigns(service)),
        len(gw.list_service_phone_numbers(service)),
        len(gw.list_brands()),
    )


def deregister(world: World, name: str = NAME) -> offboard.Offboarding:
    gateway = world.gateway()
    plan = offboard.preview(world.store, gateway, name, ACCOUNT)
    return offboard.run(plan, world.store, gateway)


@pytest.fixture
def registered(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    [outcome] = world.register(STANDARD, wait=True, timeout=7200)
    assert outcome.outcome == "complete"
    world.clock.sleep(3600)  # the campaign review ends meanwhile
    return world


def test_the_preview_lists_each_change_in_twilios_order_and_sends_no_change(
    registered: World,
) -> None:
    before = len(registered.recorder.hits)
    plan = offboard.preview(registered.store, registered.gateway(), NAME, ACCOUNT)
    # The service's numbers, its campaign and the brand: nothing else is asked, nothing sent.
    assert [h.method for h in registered.recorder.hits[before:]] == ["GET"] * 3
    assert [(c.kind, c.state) for c in plan.changes] == [
        ("remove_number", "todo"),
        ("remove_number", "todo"),
        ("delete_campaign", "todo"),
        ("keep", "kept"),  # the brand: no API deletes it
        ("keep", "kept"),  # the trust product and the customer profile: the brand's
        ("keep", "kept"),
        ("keep", "kept"),  # the messaging service
    ]
    assert plan.changes[3].note == offboard.BRAND_KEPT
    assert plan.changes[2].note == (
        "VERIFIED: final; a new campaign would be a new registration (new vetting fee)"
    )


def test_deregister_leaves_the_service_with_no_campaign_and_no_numbers(registered: World) -> None:
    service = service_of(registered)
    assert account_view(registered, service) == (1, 2, 1)
    result = deregister(registered)
    assert (result.outcome, result.errors) == ("deregistered", [])
    assert account_view(registered, service) == (0, 0, 1)  # the brand stays
    deletes = [h.path for h in registered.recorder.hits if h.method == "DELETE"]
    assert len(deletes) == 3
    assert all(d.startswith(f"/v1/Services/{service}/PhoneNumbers/PN") for d in deletes[:2])
    assert (
        deletes[2] == f"/v1/Services/{service}/Compliance/Usa2p/QE2c6890da8086d771620e9b13fadeba0b"
    )
    assert deregistered_at(registered.store, NAME, ACCOUNT) is not None


def test_a_rerun_after_a_kill_at_any_request_finishes_without_errors(tmp_path: Path) -> None:
    world = make_world(tmp_path / "count")
    world.register(STANDARD, wait=True, timeout=7200)
    start = len(world.recorder.hits)
    deregister(world)
    requests = len(world.recorder.hits) - start  # the GETs of the preview and the 3 DELETEs
    for n in range(1, requests + 1):
        world = make_world(tmp_path / f"kill-{n}")
        world.register(STANDARD, wait=True, timeout=7200)
        service = service_of(world)
        world.recorder.kill_after = len(world.recorder.hits) + n
        with pytest.raises(Killed):
            deregister(world)
        world.recorder.kill_after = None
        result = deregister(world)
        assert (result.outcome, result.errors) == ("deregistered", []), f"killed after {n}"
        assert account_view(world, service) == (0, 0, 1), f"killed after {n}"
        again = deregister(world)  # a third run has nothing left to send
        assert [c.state for c in again.changes if c.kind != "keep"] == ["done"] * 3


def test_bundles_without_a_brand_are_deleted_trust_product_first(tmp_path: Path) -> None:
    world = make_world(tmp_path, "bundle-rejected")
    [outcome] = world.register(SOLE_PROPRIETOR, wait=True, timeout=7200)
    assert outcome.outcome == "failed" and outcome.resources["brand"] is None
    profile = outcome.resources["customer_profile"]
    result = deregister(world, "jane-doe-pottery")
    assert result.outcome == "deregistered"
    deletes = [h.path for h in world.recorder.hits if h.method == "DELETE"]
    assert deletes == [f"/v1/CustomerProfiles/{profile}"]
    assert world.gateway().list_bundles("customer_profile") == []


# --- the command --------------------------------------------------------------------------


@pytest.fixture
def sandboxed(tmp_path: Path, cli: InProcess) -> Path:
    done = cli("register", "--sandbox", "--wait", str(SOLE_PROPRIETOR), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp_path


def _service_items(cli: InProcess, cwd: Path) -> dict[str, str]:
    items = json.loads(cli("status", "--sandbox", "--json", cwd=cwd).stdout)["items"]
    return {i["kind"]: i["status"] for i in items}


def test_without_yes_and_without_a_terminal_nothing_changes_and_the_exit_is_2(
    sandboxed: Path, cli: InProcess
) -> None:
    done = cli("deregister", "--sandbox", "jane-doe-pottery", cwd=sandboxed)
    assert done.returncode == 2
    lines = done.stdout.splitlines()
    assert lines[0] == f"deregister jane-doe-pottery (account {ACCOUNT}):"
    assert lines[1].startswith("  - remove +14155550123 (PN")
    assert lines[2].startswith("  - delete the campaign of messaging service MG")
    assert any(line.startswith("  = keep brand BN") for line in lines)
    assert done.stderr == "nothing was changed: confirm with --yes\n"
    assert _service_items(cli, sandboxed)["campaign"] != "DELETED"


@pytest.mark.parametrize(("answer", "code"), [("y", 0), ("n", 2)])
def test_on_a_terminal_it_asks_first(
    sandboxed: Path,
    cli: InProcess,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(f"{answer}\n"))
    done = cli("deregister", "--sandbox", "jane-doe-pottery", cwd=sandboxed)
    assert done.returncode == code, done.stdout + done.stderr
    assert "Deregister 1 customer? [y/N]: " in done.stdout
    campaign = _service_items(cli, sandboxed)["campaign"]
    assert (campaign == "DELETED") == (answer == "y")


def test_yes_deregisters_by_file_and_status_register_and_forget_follow(
    sandboxed: Path, cli: InProcess
) -> None:
    done = cli("deregister", "--sandbox", "--yes", "--json", str(SOLE_PROPRIETOR), cwd=sandboxed)
    assert done.returncode == 0, done.stdout + done.stderr
    [item] = json.loads(done.stdout)["deregistrations"]
    assert (item["name"], item["outcome"], item["errors"]) == (
        "jane-doe-pottery",
        "deregistered",
        [],
    )
    states = [(c["action"], c["state"]) for c in item["changes"]]
    assert states[:2] == [("remove_number", "done"), ("delete_campaign", "done")]

    status = cli("status", "--sandbox", "--json", cwd=sandboxed)
    assert status.returncode == 0
    assert _service_items(cli, sandboxed) == {"brand": "APPROVED", "campaign": "DELETED"}

    refused = cli("register", "--sandbox", str(SOLE_PROPRIETOR), cwd=sandboxed)
    assert refused.returncode == 2
    assert "was taken off with `a2pctl deregister`" in refused.stdout + refused.stderr

    forgot = cli("deregister", "--sandbox", "--forget", "jane-doe-pottery", cwd=sandboxed)
    assert forgot.returncode == 0, forgot.stderr
    again = cli("register", "--sandbox", "--wait", "--json", str(SOLE_PROPRIETOR), cwd=sandboxed)
    assert again.returncode == 0, again.stdout + again.stderr
    [outcome] = json.loads(again.stdout)["registrations"]
    assert outcome["resources"]["brand"] == item["changes"][2]["sid"]  # the same brand
    brands = [i for i in json.loads(cli("status", "--sandbox", "--json", cwd=sandboxed).stdout)
              ["items"] if i["kind"] == "brand"]  # fmt: skip
    assert len(brands) == 1


def test_unknown_references_and_forgetting_a_live_registration_are_usage_errors(
    sandboxed: Path, cli: InProcess
) -> None:
    unknown = cli("deregister", "--sandbox", "--yes", "nobody", cwd=sandboxed)
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines()[0] == (
        "error: no registration named 'nobody' in the state store .a2pctl/state.db"
    )
    live = cli("deregister", "--sandbox", "--forget", "jane-doe-pottery", cwd=sandboxed)
    assert live.returncode == 2
    assert live.stderr.splitlines()[0].startswith("error: 'jane-doe-pottery' is not deregistered")
