"""`a2pctl unlock NAME`: release a registration's writer lease by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from a2pctl.cli.options import StateOpt, console, exit_with, get_clock
from a2pctl.cli.runtime import DEFAULT_STATE
from a2pctl.errors import ExitCode, UsageError


def unlock(
    name: Annotated[str, typer.Argument(help="The registration's name.", show_default=False)],
    account: Annotated[
        str | None,
        typer.Option("--account", help="Only its lease on this account (AC…).", show_default=False),
    ] = None,
    state: StateOpt = DEFAULT_STATE,
) -> None:
    """Release the writer lease of a registration that a process left behind.

    A process that registers a customer holds a lease on it and renews it while it
    works; one that crashed lets it expire (5 minutes) and another takes over. For a
    person who knows the holder is gone (another host, say) and will not wait. The
    holder, if it still runs, stops before its next request. Exit 0 released (or none
    held), 2 bad input.

    Example: a2pctl unlock jane-doe-pottery
    """
    from a2pctl.state.store import Store

    clock = get_clock()
    store = Store.open(state, clock, create=False)
    out = console()
    try:
        if store.read_only:
            raise UsageError(
                f"cannot release a lease in {state}: the store is read-only here",
                hint="run `a2pctl unlock` as a user who can write the store",
            )
        held = store.leases_on(name, account)
        if not held:
            on = f" on account {account}" if account else ""
            out.print(f"No lease is held on {name!r}{on} in {state}: nothing to release.")
            exit_with(ExitCode.OK)
        now = clock.now()
        for lease in held:
            released = store.unlock(lease)
            since = datetime.fromtimestamp(lease.acquired_at, UTC)
            left = lease.expires_at - now
            expiry = f"expiring in {left:.0f} s" if left > 0 else f"expired {-left:.0f} s ago"
            who = (
                f"{lease.name!r} (account {lease.account}): pid {lease.pid} on {lease.host}, "
                f"held since {since:%Y-%m-%d %H:%M:%S} UTC, {expiry}"
            )
            if released:
                out.print(f"Released the lease on {who}.", markup=False, highlight=False)
            else:
                out.print(f"The lease on {who} changed meanwhile: left as it is.", markup=False)
    finally:
        store.close()
