"""A customer file naming a subaccount (`account_sid`), end to end in process: the main
account reads the subaccount's auth token once, every other request acts as the
subaccount with that token, what is registered lives in the subaccount, and the token
stays in memory (never in the state store or the outcome)."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
from engine_support import SOLE_PROPRIETOR, Hit, World, count_resources, make_world

from a2pctl.engine.outcomes import Outcome
from a2pctl.gateway import GatewayError
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN

SUBACCOUNT = "AC5e1b9c2d7f3a4e6b8c0d2f4a6b8c0d2e"
ACCOUNT_FETCH = f"/2010-04-01/Accounts/{SUBACCOUNT}.json"
MAIN = (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)


@dataclass
class Registered:
    world: World
    outcome: Outcome
    hits: list[Hit]  # the requests of the registration, before any test looks around
    state_dir: Path


def in_subaccount(directory: Path) -> Path:
    """A copy of the sole-proprietor example with `account_sid: <SUBACCOUNT>` added."""
    text = SOLE_PROPRIETOR.read_text()
    assert text.count("\nflow: sole_proprietor\n") == 1
    path = directory / "sole-proprietor-in-subaccount.yaml"
    path.write_text(
        text.replace(
            "\nflow: sole_proprietor\n", f"\nflow: sole_proprietor\naccount_sid: {SUBACCOUNT}\n"
        )
    )
    return path


def subaccount_token(world: World) -> str:
    """The subaccount's auth token, as the sandbox shows it to the main account."""
    basic = base64.b64encode(f"{MAIN[0]}:{MAIN[1]}".encode()).decode()
    answer = world.simulator.handle(
        "GET", f"https://api.twilio.com{ACCOUNT_FETCH}", {"Authorization": f"Basic {basic}"}, b""
    )
    token = json.loads(answer.body)["auth_token"]
    assert isinstance(token, str) and token not in ("", SANDBOX_AUTH_TOKEN)
    return token


@pytest.fixture
def registered_in_subaccount(tmp_path: Path) -> Registered:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    world = make_world(state_dir)
    [outcome] = world.register(in_subaccount(tmp_path), wait=True)
    return Registered(world, outcome, list(world.recorder.hits), state_dir)


def test_a_customer_with_an_account_sid_registers_to_completion_in_that_subaccount(
    registered_in_subaccount: Registered,
) -> None:
    outcome, world = registered_in_subaccount.outcome, registered_in_subaccount.world

    assert outcome.outcome == "complete", outcome.errors
    assert outcome.account == SUBACCOUNT
    brand, service = outcome.resources["brand"], outcome.resources["messaging_service"]
    sub, main = world.gateway(SUBACCOUNT), world.gateway()
    assert [b.sid for b in sub.list_brands()] == [brand]
    assert [s.sid for s in sub.list_services()] == [service]
    [campaign] = sub.list_campaigns(service)
    assert campaign.brand_registration_sid == brand
    assert main.list_brands() == [] and main.list_services() == []
    with pytest.raises(GatewayError) as caught:
        main.list_campaigns(service)
    assert caught.value.status == 404
    assert set(count_resources(world).values()) == {0}  # nothing at all in the main account


def test_the_subaccount_token_is_read_once_with_the_main_accounts_credentials(
    registered_in_subaccount: Registered,
) -> None:
    hits = registered_in_subaccount.hits
    token = subaccount_token(registered_in_subaccount.world)

    first, *rest = hits
    assert (first.method, first.path, first.auth) == ("GET", ACCOUNT_FETCH, MAIN)
    assert rest and all(hit.path != ACCOUNT_FETCH for hit in rest)
    # TrustHub, Messaging and the subaccount's API 2010 paths: all as the subaccount.
    assert {hit.auth for hit in rest} == {(SUBACCOUNT, token)}
    assert any(hit.path.startswith(f"/2010-04-01/Accounts/{SUBACCOUNT}/") for hit in rest)
    assert any(hit.path.startswith("/v1/a2p/BrandRegistrations") for hit in rest)


def test_the_subaccount_token_is_never_stored_or_reported(
    registered_in_subaccount: Registered,
) -> None:
    registered = registered_in_subaccount
    token = subaccount_token(registered.world).encode()
    registered.world.store.close()
    stored = b"".join(path.read_bytes() for path in sorted(registered.state_dir.iterdir()))

    assert SUBACCOUNT.encode() in stored  # the registration is there, keyed by the subaccount
    assert token not in stored
    assert token not in json.dumps(asdict(registered.outcome), default=str).encode()
    assert token not in repr(registered.outcome).encode()
    assert token not in registered.world.simulator.dump().encode()


def test_the_token_fetch_counts_against_the_main_accounts_rate(tmp_path: Path) -> None:
    """It is the main account's request: paced by its limit, not the subaccount's (four
    workers reading four subaccounts' tokens at once would otherwise go over it)."""
    world = make_world(tmp_path)
    paced: list[str] = []
    acquire = world.limiter.acquire

    def recording(account: str) -> None:
        paced.append(account)
        acquire(account)

    world.limiter.acquire = recording  # type: ignore[method-assign]
    gateway = world.gateway(SUBACCOUNT)
    gateway.list_brands()
    assert paced == [SANDBOX_ACCOUNT_SID, SUBACCOUNT]
    first = world.recorder.hits[0]
    assert (first.path, first.auth) == (ACCOUNT_FETCH, MAIN)
