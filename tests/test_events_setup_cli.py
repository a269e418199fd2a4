"""`a2pctl events setup` through the CLI against the sandbox, whose sinks stay
`initialized` until validated with the test id of their newest test event: a2pctl's
own receiver, someone else's (exit 3, then `--test-id`), and `--all-accounts` (in
process, and over real sockets with one receiver holding every account's token)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_support import InProcess
from event_server_support import event_server

from a2pctl.cli.runtime import IN_PROCESS_EVENTS
from a2pctl.events.accounts import subaccount_tokens
from a2pctl.events.server import EventServer
from a2pctl.gateway import Credentials
from a2pctl.gateway.twilio import TwilioGateway
from a2pctl.pacing import FakeClock, RateLimiter
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator, serve
from a2pctl.state.store import Store

SUBACCOUNT = "AC5e1b9c2d7f3a4e6b8c0d2f4a6b8c0d2e"
ELSEWHERE = "https://isv.example/a2p-events"


def sandbox_tables(state: Path) -> dict[str, Any]:
    store = Store.open(state, FakeClock(), read_only=True)
    try:
        saved = store.get_blob("sandbox")
    finally:
        store.close()
    assert saved is not None
    tables: dict[str, Any] = json.loads(saved)["tables"]
    return tables


def sinks_by_account(state: Path) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for sink in sandbox_tables(state)["sinks"].values():
        found.setdefault(sink["_account"], []).append(sink)
    return found


def subscriptions_by_account(state: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sub in sandbox_tables(state)["subscriptions"].values():
        counts[sub["_account"]] = counts.get(sub["_account"], 0) + 1
    return counts


def test_setup_with_a2pctls_own_receiver_tests_validates_and_subscribes(
    cli: InProcess, tmp_path: Path
) -> None:
    state = tmp_path / "state.db"

    done = cli("events", "setup", "--sandbox", "--state", str(state), "--json", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["sink"]["destination"] == IN_PROCESS_EVENTS
    assert document["sink"]["status"] == "active"
    [sink] = sinks_by_account(state)[SANDBOX_ACCOUNT_SID]
    assert sink["status"] == "active" and sink["_test_id"]  # tested, then validated
    assert subscriptions_by_account(state) == {SANDBOX_ACCOUNT_SID: 1}


def test_setup_of_someone_elses_sink_ends_pending_then_finishes_with_the_test_id(
    cli: InProcess, clock: FakeClock, tmp_path: Path
) -> None:
    state = tmp_path / "state.db"
    common = ("--sandbox", "--state", str(state), "--url", ELSEWHERE)

    waiting = cli("events", "setup", *common, "--test-wait", "3", cwd=tmp_path)

    assert waiting.returncode == 3, waiting.stderr
    assert "no test id reached a2pctl within 3 s" in waiting.stderr
    assert f"a2pctl events setup --url {ELSEWHERE} --test-id ID" in waiting.stderr
    assert "Traceback" not in waiting.stderr
    [sink] = [s for s in sinks_by_account(state)[SANDBOX_ACCOUNT_SID] if s["sink_configuration"]
              ["destination"] == ELSEWHERE]  # fmt: skip
    assert sink["status"] == "validating"
    assert subscriptions_by_account(state) == {SANDBOX_ACCOUNT_SID: 1}  # the in-process one only

    wrong = cli("events", "setup", *common, "--test-id", "0" * 34, cwd=tmp_path)
    assert wrong.returncode == 2 and "refused --test-id" in wrong.stderr

    done = cli("events", "setup", *common, "--test-id", sink["_test_id"], "--json", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["sink"]["sid"], document["sink"]["status"]) == (sink["sid"], "active")
    assert document["sink"]["validated"] and document["subscription"]["created"]
    again = json.loads(cli("events", "setup", *common, "--json", cwd=tmp_path).stdout)
    assert not again["sink"]["created"] and not again["subscription"]["created"]
    assert not again["sink"]["tested"]
    assert subscriptions_by_account(state) == {SANDBOX_ACCOUNT_SID: 2}


def test_all_accounts_sets_up_each_account_with_registrations_once(
    cli: InProcess, tmp_path: Path
) -> None:
    state = tmp_path / "state.db"
    common = ("--sandbox", "--state", str(state))
    store = Store.open(state, FakeClock())  # what `register` records of each customer
    for name, account in (("main-customer", SANDBOX_ACCOUNT_SID), ("sub-customer", SUBACCOUNT)):
        store.upsert_registration(name, account, "sole_proprietor", None)
    store.close()

    first = cli("events", "setup", *common, "--all-accounts", "--json", cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    accounts = {a["account_sid"]: a for a in json.loads(first.stdout)["accounts"]}
    assert set(accounts) == {SANDBOX_ACCOUNT_SID, SUBACCOUNT}
    sub = accounts[SUBACCOUNT]
    assert sub["sink"]["created"] and sub["sink"]["validated"] and sub["subscription"]["created"]
    assert sub["sink"]["status"] == "active" and sub["registrations"] == 1
    main = accounts[SANDBOX_ACCOUNT_SID]  # the in-process sandbox set its own up already
    assert not main["sink"]["created"] and not main["subscription"]["created"]
    assert {a: len(s) for a, s in sinks_by_account(state).items()} == {
        SANDBOX_ACCOUNT_SID: 1,
        SUBACCOUNT: 1,
    }

    again = cli("events", "setup", *common, "--all-accounts", cwd=tmp_path)

    assert again.returncode == 0, again.stderr
    assert again.stdout.count(" reused: ") == 4  # two sinks and two subscriptions
    assert "2 of 2 accounts set up" in again.stdout
    assert subscriptions_by_account(state) == {SANDBOX_ACCOUNT_SID: 1, SUBACCOUNT: 1}
    assert {a: len(s) for a, s in sinks_by_account(state).items()} == {
        SANDBOX_ACCOUNT_SID: 1,
        SUBACCOUNT: 1,
    }


def test_all_accounts_without_registrations_and_with_account_sid_are_usage_errors(
    cli: InProcess, tmp_path: Path
) -> None:
    state = tmp_path / "state.db"

    empty = cli(
        "events", "setup", "--sandbox", "--state", str(state), "--all-accounts", cwd=tmp_path
    )
    both = cli("events", "setup", "--url", ELSEWHERE, "--all-accounts", "--account-sid",
               SUBACCOUNT, cwd=tmp_path)  # fmt: skip

    assert empty.returncode == 2 and "no registrations in the state store" in empty.stderr
    assert both.returncode == 2 and "exclude each other" in both.stderr


# --- one `events serve` for every account, over real sockets ---------------------------------


@dataclass
class Receiver:
    url: str
    server: EventServer


@contextmanager
def sandbox_over_http(clock: FakeClock) -> Iterator[str]:
    server = serve(Simulator(now=clock.now), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def receiver(state: Path, tokens: list[str]) -> Iterator[Receiver]:
    """`events serve` in a thread (`event_server_support`)."""
    with event_server(state, public_url=None, auth_tokens=tokens, observer=Quiet()) as server:
        yield Receiver(server.receiver.public_url, server)


class Quiet:
    def event(self, received: object) -> None: ...
    def problem(self, line: str) -> None: ...


def test_one_receiver_with_every_accounts_token_validates_every_accounts_sink(
    cli: InProcess, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SANDBOX_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", SANDBOX_AUTH_TOKEN)
    state = tmp_path / "state.db"
    store = Store.open(state, clock)
    for name, account in (("main-customer", SANDBOX_ACCOUNT_SID), ("sub-customer", SUBACCOUNT)):
        store.upsert_registration(name, account, "sole_proprietor", None)
    with sandbox_over_http(clock) as api_url:
        main = TwilioGateway(
            Credentials(SANDBOX_ACCOUNT_SID, SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
            limiter=RateLimiter(clock, 1000.0), clock=clock, api_url=api_url,
        )  # fmt: skip
        tokens = [SANDBOX_AUTH_TOKEN, *subaccount_tokens(store, main)]
        store.close()
        assert len(tokens) == 2 and tokens[1] != SANDBOX_AUTH_TOKEN
        with receiver(state, tokens) as served:
            common = ("--url", served.url, "--api-url", api_url, "--state", str(state))

            first = cli("events", "setup", "--all-accounts", "--json", *common, cwd=tmp_path)
            again = cli("events", "setup", "--all-accounts", "--json", *common, cwd=tmp_path)

    assert first.returncode == 0, first.stdout + first.stderr
    accounts = json.loads(first.stdout)["accounts"]
    assert {a["account_sid"] for a in accounts} == {SANDBOX_ACCOUNT_SID, SUBACCOUNT}
    for account in accounts:
        assert account["sink"]["created"] and account["sink"]["validated"]
        assert account["sink"]["status"] == "active" and account["subscription"]["created"]
    assert again.returncode == 0, again.stdout + again.stderr
    for account in json.loads(again.stdout)["accounts"]:
        assert not account["sink"]["created"] and not account["subscription"]["created"]
        assert not account["sink"]["tested"]
