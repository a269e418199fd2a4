"""`a2pctl deregister`: take customers off, previewed, confirmed, resumable."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from a2pctl.cli.options import (
    ApiUrlOpt,
    JsonOpt,
    RateOpt,
    SandboxOpt,
    StateOpt,
    console,
    exit_with,
    runtime,
)
from a2pctl.cli.runtime import DEFAULT_STATE, Settings
from a2pctl.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from a2pctl.state.store import Store


def deregister(
    refs: Annotated[
        list[str],
        typer.Argument(
            help="Registration names, or customer files, directories or globs (their name).",
            show_default=False,
        ),
    ],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Go ahead without asking (for scripts).")
    ] = False,
    forget: Annotated[
        bool,
        typer.Option(
            "--forget",
            help="For customers deregistered before: clear their records so that `register` "
            "takes them on again (their bundles and brand are found again; a new campaign).",
        ),
    ] = False,
    state: StateOpt = DEFAULT_STATE,
    api_url: ApiUrlOpt = None,
    json_out: JsonOpt = False,
    rate: RateOpt = None,
    sandbox: SandboxOpt = False,
) -> None:
    """Take customers off: their numbers out of the messaging service, their campaign deleted.

    Twilio's documented order. The brand stays (Twilio has no API to delete one) and so
    do the bundles it is built on; the messaging service is kept, empty. The changes are
    shown first and asked for (--yes: not asked; without a terminal to ask on, nothing
    is changed and the exit code is 2). Every step is recorded: a re-run after a kill
    finishes the rest. Exit 0 done, 1 a request failed, 2 bad input or not confirmed,
    4 another a2pctl process is writing the registration.

    Examples:

      a2pctl deregister jane-doe-pottery

      a2pctl deregister --yes customers/churned/
    """
    from a2pctl.engine import offboard
    from a2pctl.report import bulk as report
    from a2pctl.report.registrations import print_json

    settings = Settings(state=state, api_url=api_url, json=json_out, rate=rate, sandbox=sandbox)
    out, err = console(), console(stderr=True)
    with runtime(settings) as rt:
        targets = offboard.resolve(refs, rt.store, rt.default_account)
        if forget:
            _forget(targets, rt.store, out)
            exit_with(ExitCode.OK)
        plans = [
            offboard.preview(rt.store, rt.make_gateway(account), name, account)
            for name, account in targets
        ]
        if not json_out:
            report.render_offboarding(plans, out)
        if not yes and not _confirmed(plans):
            if json_out:
                print_json(report.offboarding_document(plans))
            err.print("nothing was changed: confirm with --yes", markup=False)
            exit_with(ExitCode.USAGE)
        shown = None if json_out else (lambda change: report.render_change(change, err))
        results = [
            offboard.run(plan, rt.store, rt.make_gateway(plan.account), on_change=shown)
            for plan in plans
        ]
    if json_out:
        print_json(report.offboarding_document(results))
    else:
        report.render_offboarding_outcomes(results, out)
    failed = any(plan.outcome == "failed" for plan in results)
    exit_with(ExitCode.FAILED if failed else ExitCode.OK)


def _confirmed(plans: Sequence[object]) -> bool:
    """Ask on the terminal; without one (a pipe, CI) the answer is no."""
    if not sys.stdin.isatty():
        return False
    count = len(plans)
    return typer.confirm(f"Deregister {count} customer{'s' if count != 1 else ''}?")


def _forget(targets: list[tuple[str, str]], store: Store, out: Console) -> None:
    from a2pctl.engine import offboard
    from a2pctl.state.markers import deregistered_at

    for name, account in targets:
        if deregistered_at(store, name, account) is None:
            raise UsageError(
                f"{name!r} is not deregistered: --forget only clears the records of a customer "
                "taken off before",
                hint=f"to take it off: a2pctl deregister {name}",
            )
    for name, account in targets:
        offboard.forget(store, name, account)
        out.print(
            f"forgot {name} (account {account}): `a2pctl register FILE` takes it on again, on "
            "its existing bundles and brand, with a new campaign (a new vetting fee)",
            markup=False,
        )
