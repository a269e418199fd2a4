"""Typer wiring only: options and environment → build objects → call core → render → exit code.

The commands of the core workflow live here; each other command group in its own module
(`events`, `sandbox`, `otp`, `numbers`, `brand`, `bulk`, `offboard`), the shared options
in `options`. Core modules are
imported inside the commands, so `a2pctl --help` stays fast and never imports twilio.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from a2pctl import __version__
from a2pctl.cli import bulk as cli_bulk
from a2pctl.cli import files as cli_files
from a2pctl.cli import offboard as cli_offboard
from a2pctl.cli import sandbox as cli_sandbox
from a2pctl.cli import status as cli_status
from a2pctl.cli import unlock as cli_unlock
from a2pctl.cli.brand import brand_app
from a2pctl.cli.events import events_app
from a2pctl.cli.files import FilesArg
from a2pctl.cli.numbers import numbers_app
from a2pctl.cli.options import (
    ApiUrlOpt,
    Globals,
    JsonOpt,
    PauseOpt,
    RateOpt,
    SandboxOpt,
    ScenarioOpt,
    StateOpt,
    console,
    exit_with,
    flags_for,
    get_clock,
    run_with,
    runtime,
)
from a2pctl.cli.otp import otp_app
from a2pctl.cli.runtime import DEFAULT_STATE, Settings, parse_duration
from a2pctl.cli.values import finite
from a2pctl.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from a2pctl.engine.outcomes import Outcome, Until
    from a2pctl.pacing import Clock
    from a2pctl.spec.customer import FileCheck

app = typer.Typer(
    name="a2pctl",
    help=(
        "Register your customers for US A2P 10DLC messaging through Twilio.\n\n"
        "One YAML file per customer. `a2pctl register customer.yaml` walks the Sole "
        "Proprietor or Standard / Low-Volume Standard flow, paced as Twilio documents, "
        "and resumes exactly where it stopped.\n\n"
        "Try it without an account or fees: "
        "`a2pctl register --sandbox --wait examples/sole-proprietor.yaml`."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(otp_app, name="otp")
app.add_typer(events_app, name="events")
app.add_typer(numbers_app, name="numbers")
app.add_typer(brand_app, name="brand")


# --- global options --------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"a2pctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    context: typer.Context,
    verbose: Annotated[
        bool,
        typer.Option("-v", "--verbose", help="Show the traceback of an error (for bug reports)."),
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="Plain output without colour (also NO_COLOR).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    flags = flags_for(context)
    flags.verbose = verbose
    flags.no_color = no_color or bool(os.environ.get("NO_COLOR"))


# --- commands ---------------------------------------------------------------------


@app.command()
def validate(files: FilesArg, state: StateOpt = DEFAULT_STATE, json_out: JsonOpt = False) -> None:
    """Check customer files offline against every documented rule.

    Prints each problem as FILE:LINE: field.path: reason. Exit 0 when every file
    is valid (warnings are printed but do not fail), 2 otherwise. Files are also
    checked against each other and the state store: the same name, phone number or
    business twice, a sole proprietor's mobile or e-mail used more than TCR allows.

    Example: a2pctl validate customers/
    """
    from a2pctl.report import registrations as report

    results = cli_files.check_files(files, state, cli_files.default_account())
    if json_out:
        report.print_json(report.validation_document(results))
    else:
        report.render_validation(results, console(), console(stderr=True))
    exit_with(ExitCode.OK if all(r.valid for r in results) else ExitCode.USAGE)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the customer file (for editor completion).

    Example: a2pctl schema > a2pctl.schema.json
    """
    from a2pctl.spec import customer as spec

    typer.echo(spec.json_schema_text())


@app.command()
def plan(
    files: FilesArg,
    state: StateOpt = DEFAULT_STATE,
    json_out: JsonOpt = False,
    sandbox: SandboxOpt = False,
) -> None:
    """Show, per file, which steps are done (with SIDs), next, or waiting on a review.

    Changes nothing and sends no request (--sandbox: read the in-process sandbox's
    registrations). Example: a2pctl plan customers/*.yaml
    """
    from a2pctl.engine import outcomes
    from a2pctl.report import registrations as report
    from a2pctl.state.store import Store

    account = _plan_account(sandbox)
    checks = cli_files.check_files(files, state, account)
    # Plan writes nothing and creates nothing: without a store, everything is still to do.
    store = Store.open(state, get_clock(), read_only=True) if state.is_file() else None
    try:
        plans = [outcomes.plan_for(check, store, account) for check in checks]
    finally:
        if store is not None:
            store.close()
    if json_out:
        report.print_json(report.registrations_document(plans))
    else:
        report.render_plans(plans, console(), console(stderr=True))
    exit_with(
        outcomes.exit_code(plans) if any(p.outcome == "invalid" for p in plans) else ExitCode.OK
    )


def _plan_account(sandbox: bool) -> str | None:
    if sandbox:
        from a2pctl.sandbox import SANDBOX_ACCOUNT_SID

        return SANDBOX_ACCOUNT_SID
    return cli_files.default_account()


@app.command()
def register(
    files: FilesArg,
    wait: Annotated[
        bool, typer.Option("--wait", help="Keep polling through review gates until done.")
    ] = False,
    timeout: Annotated[
        str, typer.Option("--timeout", help="With --wait: give up after this long (90s, 30m, 2h).")
    ] = "2h",
    until: Annotated[
        str,
        typer.Option(
            "--until",
            help="With --wait: stop once the campaign is 'submitted' (in review), or wait "
            "through its review until 'verified', when messages can flow.",
        ),
    ] = "submitted",
    poll_seconds: Annotated[
        float | None,
        typer.Option(
            "--poll-seconds",
            envvar="A2PCTL_POLL_SECONDS",
            parser=finite(0.01),
            help="With --wait: seconds between checks of a review [default: 60].",
        ),
    ] = None,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker",
            help="Share the files with other workers on the same --state: take the "
            "registrations no other worker holds or has finished, a batch at a time.",
        ),
    ] = False,
    batch: Annotated[
        int,
        typer.Option(
            "--batch", min=1, help="With --worker: how many registrations to take at a time."
        ),
    ] = 10,
    state: StateOpt = DEFAULT_STATE,
    api_url: ApiUrlOpt = None,
    json_out: JsonOpt = False,
    pause_seconds: PauseOpt = None,
    rate: RateOpt = None,
    sandbox: SandboxOpt = False,
    scenario: ScenarioOpt = None,
) -> None:
    """Register each customer: run its flow until its campaign is submitted, or to a review gate.

    Re-running resumes exactly where the last run stopped and never creates
    anything twice. Many files run interleaved under one rate limit.

    Outcomes: complete (campaign VERIFIED, every number confirmed in the service),
    submitted (everything sent, the campaign in review), pending, failed, invalid.

    Exit 0 complete or submitted, 1 failed, 2 bad input, 3 waiting on a review, 4 locked,
    130 interrupted.

    Examples:

      a2pctl register --sandbox --wait examples/sole-proprietor.yaml

      a2pctl register --wait --until verified --timeout 7d customers/*.yaml

      a2pctl register --json customers/*.yaml

      a2pctl register --worker --state postgresql://db/a2pctl customers/
    """
    from a2pctl.engine import claims, executor, outcomes
    from a2pctl.report import registrations as report

    limit = parse_duration(timeout)
    if until not in ("submitted", "verified"):
        raise UsageError(
            f"--until {until!r}: expected submitted or verified", hint="e.g. --until verified"
        )
    settings = Settings(
        state=state,
        api_url=api_url,
        json=json_out,
        pause_seconds=pause_seconds,
        rate=rate,
        sandbox=sandbox,
        scenario=scenario,
    )
    checks = cli_files.check_files(files, None, None)  # the store's claims: below
    if not any(check.valid for check in checks):  # nothing to send: no store, no credentials
        invalid = [outcomes.invalid_outcome(check) for check in checks]
        if json_out:
            report.print_json(report.registrations_document(invalid))
        else:
            report.render_outcomes(invalid, console(), console(stderr=True))
        exit_with(ExitCode.USAGE)
    with runtime(settings) as rt:
        checks = claims.check(checks, rt.store, rt.default_account)
        claims.record(rt.store, checks, rt.default_account)
        from a2pctl.report.progress import Progress

        progress = Progress(console(stderr=True), quiet=json_out)
        goal: Until = "verified" if until == "verified" else "submitted"

        def advance(some: list[FileCheck]) -> list[Outcome]:
            return executor.register(
                some,
                store=rt.store,
                clock=rt.clock,
                make_gateway=rt.make_gateway,
                default_account=rt.default_account,
                pause_seconds=rt.pause_seconds,
                poll_seconds=poll_seconds or rt.poll_seconds,
                wait=wait,
                timeout=limit,
                observer=progress,
                until=goal,
            )

        others = 0
        try:
            if worker:
                from a2pctl.engine.worker import work

                results, others = work(
                    checks, rt.store, rt.clock, rt.default_account, advance, batch=batch,
                    observer=progress,
                )  # fmt: skip
            else:
                results = advance(checks)
        finally:  # the live table goes, whatever ended the run (Ctrl-C too)
            progress.close()
    if json_out:
        report.print_json(report.registrations_document(results))
    else:
        report.render_outcomes(results, console(), console(stderr=True))
        if others:
            console(stderr=True).print(f"{others} registration(s) finished by other workers.")
    exit_with(outcomes.exit_code(results))


app.command()(cli_status.status)
app.command("init")(cli_bulk.init)
app.command("import")(cli_bulk.import_csv)
app.command("export")(cli_bulk.export)
app.command("deregister")(cli_offboard.deregister)
app.command("unlock")(cli_unlock.unlock)
app.command()(cli_sandbox.sandbox)  # registered last: listed last in --help


# --- entry point ----------------------------------------------------------------------


def main(argv: list[str] | None = None, *, clock: Clock | None = None) -> NoReturn:
    """Console-script entry point: run the app, map every error to an exit code
    (a2pctl/entry.py), and exit with it. `clock`: injected instead of the system's
    (the in-process end-to-end tests run the sandbox on a fake one)."""
    from a2pctl.cli.entry import hoist_global_flags, run
    from a2pctl.cli.metavars import name_metavars

    command = typer.main.get_command(app)
    name_metavars(command)
    args = cli_status.refresh_all_spelling(
        hoist_global_flags(sys.argv[1:] if argv is None else argv)
    )
    with run_with(Globals(clock=clock)) as flags:
        code = run(command, args, verbose=lambda: flags.verbose, console=console)
    sys.exit(code)
