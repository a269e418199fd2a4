"""`a2pctl events setup --all-accounts`: Event Streams in every account that holds customers.

Event Streams is per account (docs/twilio/flows.md §5.1): a customer registered in
a subaccount is reported only by a sink and subscription of that subaccount. The
accounts are those of the registrations in the state store, each set up on its
own gateway, one after the other, each exactly as `events setup` does it
(idempotent: a re-run creates nothing). One account's failure does not stop the
others; each ends with its own outcome and exit code, and the run with the most
urgent of them (docs/contract.md §4). `events serve --all-accounts` checks
signatures with the auth token of each of those accounts (`subaccount_tokens`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from a2pctl.errors import A2pError, ExitCode, UsageError
from a2pctl.events.setup import SetupResult, check_target, setup_event_streams
from a2pctl.gateway import Gateway
from a2pctl.state.store import Store

# Most urgent first, as `register` ranks its files: usage, failed, pending, done.
_URGENCY = (ExitCode.USAGE, ExitCode.LOCKED, ExitCode.FAILED, ExitCode.PENDING, ExitCode.OK)


@dataclass(frozen=True)
class AccountSetup:
    """One account's outcome: its setup, or the error that stopped it."""

    account_sid: str
    registrations: int  # how many registrations of the store live in it
    result: SetupResult | None
    error: A2pError | None

    @property
    def exit_code(self) -> int:
        return int(self.error.exit_code) if self.error is not None else int(ExitCode.OK)


def accounts_with_registrations(store: Store) -> dict[str, int]:
    """Account SID -> number of registrations, in the store's order."""
    counts: dict[str, int] = {}
    for registration in store.registrations():
        counts[registration.account] = counts.get(registration.account, 0) + 1
    return counts


def setup_all_accounts(
    store: Store,
    make_gateway: Callable[[str | None], Gateway],
    **options: Any,
) -> list[AccountSetup]:
    """`setup_event_streams(gateway, store=store, **options)` in each account."""
    check_target(str(options["url"]), str(options["method"]).strip().upper())
    accounts = accounts_with_registrations(store)
    if not accounts:
        raise UsageError(
            "no registrations in the state store: no account to set up",
            hint="register customers first (or check --state), or name one account with "
            "--account-sid",
            field="--all-accounts",
        )
    done: list[AccountSetup] = []
    for account, count in accounts.items():
        try:
            result = setup_event_streams(make_gateway(account), store=store, **options)
        except A2pError as exc:
            done.append(AccountSetup(account, count, None, exc))
        else:
            done.append(AccountSetup(account, count, result, None))
    return done


def subaccount_tokens(store: Store, gateway: Gateway) -> list[str]:
    """The auth tokens of the other accounts with registrations in the store, read with
    `gateway`'s (the parent account's) credentials: Twilio signs each subaccount's
    webhooks with the subaccount's own token. In memory only; never shown."""
    tokens = []
    for account in accounts_with_registrations(store):
        if account == gateway.account_sid:
            continue
        token = gateway.fetch_account(account).auth_token
        if not token:
            raise UsageError(
                f"subaccount {account} returned no auth token",
                hint="check that it belongs to the account of TWILIO_ACCOUNT_SID and is active",
            )
        tokens.append(token)
    return tokens


def overall_exit_code(outcomes: list[AccountSetup]) -> int:
    codes = {outcome.exit_code for outcome in outcomes}
    for code in _URGENCY:
        if int(code) in codes:
            return int(code)
    return max(codes, default=int(ExitCode.OK))
