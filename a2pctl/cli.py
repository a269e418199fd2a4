"""Typer wiring only: options and environment → build objects → call core → render → exit code.

This is the only module that reads the environment. Core modules are imported
inside the commands, so `a2pctl --help` stays fast and never imports twilio.
"""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from a2pctl import __version__
from a2pctl.errors import ExitCode, UsageError
from a2pctl.runtime import DEFAULT_STATE, Runtime, Settings, open_runtime, parse_duration

if TYPE_CHECKING:
    from rich.console import Console

    from a2pctl.gateway import Credentials

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
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
otp_app = typer.Typer(
    help="Sole Proprietor OTP: re-send the verification SMS.", no_args_is_help=True
)
events_app = typer.Typer(
    help="Event Streams: webhook sink setup and receiver.", no_args_is_help=True
)
numbers_app = typer.Typer(help="Phone-number registration reports.", no_args_is_help=True)
app.add_typer(otp_app, name="otp")
app.add_typer(events_app, name="events")
app.add_typer(numbers_app, name="numbers")


# --- global options --------------------------------------------------------------


@dataclass
class Globals:
    verbose: bool = False
    no_color: bool = False


_globals = Globals()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"a2pctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
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
    _globals.verbose = verbose
    _globals.no_color = no_color or bool(os.environ.get("NO_COLOR"))


# --- common options (each also an environment variable) ------------------------------

StateOpt = Annotated[
    Path,
    typer.Option("--state", envvar="A2PCTL_STATE", help="State store (SQLite).", show_default=True),
]
ApiUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--api-url",
        envvar="A2PCTL_API_URL",
        help="Send every Twilio request to URL + its original path (e.g. a2pctl sandbox).",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout, nothing else.")
]
PauseOpt = Annotated[
    float | None,
    typer.Option(
        "--pause-seconds",
        envvar="A2PCTL_PAUSE_SECONDS",
        min=0,
        help="Pause after submitting a profile, a bundle, a brand [default: 30; --sandbox: 0.5].",
    ),
]
RateOpt = Annotated[
    float | None,
    typer.Option(
        "--rate",
        envvar="A2PCTL_RATE",
        min=0.001,
        help="Requests per second per account [default: 1; --sandbox: 25].",
    ),
]
SandboxOpt = Annotated[
    bool,
    typer.Option(
        "--sandbox",
        help="Run against an in-process Twilio simulator (no account, no fees); "
        "its state is kept in the state store.",
    ),
]
ScenarioOpt = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        envvar="A2PCTL_SANDBOX_SCENARIO",
        help="With --sandbox: the outcome the simulator plays (see `a2pctl sandbox --help`).",
    ),
]
FilesArg = Annotated[list[Path], typer.Argument(help="Customer files (YAML).", show_default=False)]


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, no_color=_globals.no_color, highlight=False, soft_wrap=True)


def _credentials() -> Credentials:
    from a2pctl.gateway import Credentials

    env = os.environ
    account = env.get("TWILIO_ACCOUNT_SID", "").strip()
    if env.get("TWILIO_API_KEY"):
        secret = env.get("TWILIO_API_SECRET", "")
        if not account or not secret:
            raise UsageError(
                "TWILIO_API_KEY is set but TWILIO_API_SECRET or TWILIO_ACCOUNT_SID is missing",
                hint="set all three, or TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN",
            )
        return Credentials(account_sid=account, username=env["TWILIO_API_KEY"], password=secret)
    token = env.get("TWILIO_AUTH_TOKEN", "")
    if not account or not token:
        raise UsageError(
            "missing Twilio credentials",
            hint="set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and "
            "TWILIO_API_SECRET), or try --sandbox",
        )
    return Credentials(account_sid=account, username=account, password=token)


def _runtime(settings: Settings) -> AbstractContextManager[Runtime]:
    console = _console(stderr=True)
    return open_runtime(
        settings, _credentials, notify=lambda text: console.print(f"retry: {text}", markup=False)
    )


def _exit(code: int) -> NoReturn:
    raise typer.Exit(code=int(code))


# --- commands ---------------------------------------------------------------------


@app.command()
def validate(files: FilesArg, json_out: JsonOpt = False) -> None:
    """Check customer files offline against every documented rule.

    Prints each problem as FILE:LINE: field.path: reason. Exit 0 when every file
    is valid (warnings are printed but do not fail), 2 otherwise.

    Example: a2pctl validate customers/*.yaml
    """
    from a2pctl import report, spec

    results = [spec.check_file(path) for path in files]
    if json_out:
        report.print_json(report.validation_document(results))
    else:
        report.render_validation(results, _console(), _console(stderr=True))
    _exit(ExitCode.OK if all(r.valid for r in results) else ExitCode.USAGE)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the customer file (for editor completion).

    Example: a2pctl schema > a2pctl.schema.json
    """
    from a2pctl import spec

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
    from a2pctl import outcomes, report, spec
    from a2pctl.pacing import SystemClock
    from a2pctl.state import Store

    checks = [spec.check_file(path) for path in files]
    account = _plan_account(sandbox)
    store = Store.open(state, SystemClock()) if state.is_file() else None  # plan creates nothing
    try:
        plans = [outcomes.plan_for(check, store, account) for check in checks]
    finally:
        if store is not None:
            store.close()
    if json_out:
        report.print_json(report.registrations_document(plans))
    else:
        report.render_plans(plans, _console(), _console(stderr=True))
    _exit(outcomes.exit_code(plans) if any(p.outcome == "invalid" for p in plans) else ExitCode.OK)


def _plan_account(sandbox: bool) -> str | None:
    if sandbox:
        from a2pctl.sandbox import SANDBOX_ACCOUNT_SID

        return SANDBOX_ACCOUNT_SID
    return os.environ.get("TWILIO_ACCOUNT_SID") or None


@app.command()
def register(
    files: FilesArg,
    wait: Annotated[
        bool, typer.Option("--wait", help="Keep polling through review gates until done.")
    ] = False,
    timeout: Annotated[
        str, typer.Option("--timeout", help="With --wait: give up after this long (90s, 30m, 2h).")
    ] = "2h",
    poll_seconds: Annotated[
        float | None,
        typer.Option(
            "--poll-seconds",
            envvar="A2PCTL_POLL_SECONDS",
            min=0.01,
            help="With --wait: seconds between checks of a review [default: 60].",
        ),
    ] = None,
    state: StateOpt = DEFAULT_STATE,
    api_url: ApiUrlOpt = None,
    json_out: JsonOpt = False,
    pause_seconds: PauseOpt = None,
    rate: RateOpt = None,
    sandbox: SandboxOpt = False,
    scenario: ScenarioOpt = None,
) -> None:
    """Register each customer: run its flow up to completion or the first review gate.

    Re-running resumes exactly where the last run stopped and never creates
    anything twice. Many files run interleaved under one rate limit.

    Exit 0 complete, 1 failed, 2 bad input, 3 waiting on a review, 4 locked, 130 interrupted.

    Examples:

      a2pctl register --sandbox --wait examples/sole-proprietor.yaml

      a2pctl register --json customers/*.yaml
    """
    from a2pctl import executor, outcomes, report, spec

    limit = parse_duration(timeout)
    settings = Settings(
        state=state,
        api_url=api_url,
        json=json_out,
        pause_seconds=pause_seconds,
        rate=rate,
        sandbox=sandbox,
        scenario=scenario,
    )
    checks = [spec.check_file(path) for path in files]
    if not any(check.valid for check in checks):  # nothing to send: no store, no credentials
        invalid = [outcomes.invalid_outcome(check) for check in checks]
        if json_out:
            report.print_json(report.registrations_document(invalid))
        else:
            report.render_outcomes(invalid, _console(), _console(stderr=True))
        _exit(ExitCode.USAGE)
    with _runtime(settings) as rt:
        progress = report.Progress(_console(stderr=True), quiet=json_out)
        results = executor.register(
            checks,
            store=rt.store,
            clock=rt.clock,
            make_gateway=rt.make_gateway,
            default_account=rt.default_account,
            pause_seconds=rt.pause_seconds,
            poll_seconds=poll_seconds or rt.poll_seconds,
            wait=wait,
            timeout=limit,
            observer=progress,
        )
        progress.close()
    if json_out:
        report.print_json(report.registrations_document(results))
    else:
        report.render_outcomes(results, _console(), _console(stderr=True))
    _exit(outcomes.exit_code(results))


@app.command()
def status(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Registration names, brands (BN…), services (MG…), numbers (+1…, PN…). "
            "None: every registration in the store.",
            show_default=False,
        ),
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Refresh until nothing is pending.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="With --watch: seconds between refreshes.")
    ] = 60.0,
    state: StateOpt = DEFAULT_STATE,
    api_url: ApiUrlOpt = None,
    json_out: JsonOpt = False,
    rate: RateOpt = None,
    sandbox: SandboxOpt = False,
) -> None:
    """Live status of registrations, brands, campaigns and numbers, with the next action.

    Exit 0 when nothing failed or is pending, 3 when something is pending, 1 when
    something failed.

    Examples: a2pctl status    a2pctl status jane-doe-pottery --json
    """
    from a2pctl import report
    from a2pctl import status as live

    settings = Settings(state=state, api_url=api_url, json=json_out, rate=rate, sandbox=sandbox)
    console = _console()
    with _runtime(settings) as rt:

        def check_once() -> live.StatusReport:
            return live.check(
                refs or [], store=rt.store, make_gateway=rt.make_gateway, clock=rt.clock
            )

        def show(result: live.StatusReport) -> None:
            if json_out:
                return  # one document, at the end
            if watch and console.is_terminal:
                console.clear()  # --watch redraws in place on a terminal
            report.render_status(result, console)

        if watch:
            final = live.watch(check_once, clock=rt.clock, interval=interval, on_report=show)
        else:
            final = check_once()
            show(final)
    if json_out:
        report.print_json(report.status_document(final))
    _exit(final.exit_code)


@otp_app.command("resend")
def otp_resend(
    refs: Annotated[
        list[str], typer.Argument(help="Brands (BN…) or registration names.", show_default=False)
    ],
    state: StateOpt = DEFAULT_STATE,
    api_url: ApiUrlOpt = None,
    json_out: JsonOpt = False,
    rate: RateOpt = None,
    sandbox: SandboxOpt = False,
) -> None:
    """Re-send the Sole Proprietor OTP SMS to the brand's mobile number.

    Refuses where the brand is not a sole-proprietor brand or is already verified.
    Example: a2pctl otp resend jane-doe-pottery
    """
    from a2pctl import otp, report
    from a2pctl.pacing import RateLimiter

    settings = Settings(state=state, api_url=api_url, json=json_out, rate=rate, sandbox=sandbox)
    with _runtime(settings) as rt:
        # SmsOtp allows 10 requests/s per account; --rate caps it too.
        limiter = RateLimiter(rt.clock, otp.otp_rate(1.0 / rt.limiter.interval))
        results = otp.resend(
            refs, store=rt.store, make_gateway=rt.make_gateway, limiter=limiter, clock=rt.clock
        )
    if json_out:
        report.print_json(report.otp_document(results))
    else:
        report.render_otp(results, _console(), _console(stderr=True))
    _exit(max((r.error.exit_code for r in results if r.error), default=ExitCode.OK))


@events_app.command("setup")
def events_setup(
    url: Annotated[str, typer.Option("--url", help="The webhook URL Twilio will call.")],
    method: Annotated[str, typer.Option("--method", help="POST or GET.")] = "POST",
    batch: Annotated[bool, typer.Option("--batch", help="Deliver events in batches.")] = False,
    account_sid: Annotated[
        str | None, typer.Option("--account-sid", help="Set up in this subaccount (AC…).")
    ] = None,
    state: StateOpt = DEFAULT_STATE,
    api_url: ApiUrlOpt = None,
    json_out: JsonOpt = False,
    rate: RateOpt = None,
) -> None:
    """Create (or find) a webhook sink and a subscription to all 12 A2P events. Idempotent.

    Runs in the credentials' account, or the subaccount given by --account-sid
    (Event Streams is per account: set it up in each subaccount that holds customers).
    Prints the sink and subscription SIDs; warnings go to stderr.

    Example: a2pctl events setup --url https://isv.example/a2p-events
    """
    from a2pctl import report
    from a2pctl.events.setup import check_account_sid, setup_event_streams

    account = check_account_sid(account_sid)
    settings = Settings(state=state, api_url=api_url, json=json_out, rate=rate)
    with _runtime(settings) as rt:
        gateway = rt.make_gateway(account)
        result = setup_event_streams(gateway, url=url, method=method, batch=batch, clock=rt.clock)
    if json_out:
        report.print_json(report.setup_document(result))
    else:
        report.render_setup(result, _console())
    report.render_setup_warnings(result, _console(stderr=True))
    _exit(ExitCode.OK)


@events_app.command("serve")
def events_serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8787,
    public_url: Annotated[
        str | None,
        typer.Option("--public-url", help="The URL Twilio calls and signs; served at its path."),
    ] = None,
    state: StateOpt = DEFAULT_STATE,
    json_out: JsonOpt = False,
) -> None:
    """Receive Event Streams webhooks: verify signatures, record and print each event.

    Checks X-Twilio-Signature with TWILIO_AUTH_TOKEN (the auth token of the account
    that owns the sink) against --public-url, the URL Twilio calls (default: the
    address served). Prints one line per event (--json: one JSON object per line);
    rejected requests go to stderr. Runs until Ctrl-C.

    Example: a2pctl events serve --port 8787 --public-url https://isv.example/a2p-events
    """
    from a2pctl import report
    from a2pctl.events.receiver import EventServer
    from a2pctl.pacing import SystemClock
    from a2pctl.state import Store

    token = os.environ.get("TWILIO_AUTH_TOKEN", "").strip()
    if not token:
        raise UsageError(
            "events serve needs TWILIO_AUTH_TOKEN to check X-Twilio-Signature",
            hint="set it to the auth token of the account that owns the sink "
            "(unsigned deliveries are never accepted)",
        )
    log = report.EventLog(_console(), _console(stderr=True), json_lines=json_out)
    store = Store.open(state, SystemClock())
    try:
        server = EventServer(
            host, port, store=store, public_url=public_url, auth_tokens=[token], observer=log
        )
        try:
            log.serving(server.local_url, server.receiver.public_url)
            server.serve_forever()
        finally:
            server.server_close()
    finally:
        store.close()


@events_app.command("decode")
def events_decode(
    file: Annotated[str, typer.Argument(help="A saved webhook payload (JSON), or - for stdin.")],
    json_out: JsonOpt = False,
) -> None:
    """Decode a saved Event Streams payload into readable events.

    Names each event's registration where the state store (A2PCTL_STATE, if it
    exists) knows its SIDs; records nothing. Exit 2 when an event cannot be decoded.

    Example: a2pctl events decode payload.json
    """
    from a2pctl import report
    from a2pctl.events import PayloadError, decode_body
    from a2pctl.events.record import with_registration

    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        decoded = decode_body(raw)
    except PayloadError as exc:
        raise UsageError(
            f"{file}: {exc}", hint="give the JSON body of a webhook delivery"
        ) from None
    events = decoded.events
    state = Path(os.environ.get("A2PCTL_STATE") or DEFAULT_STATE)
    if events and state.is_file():
        from a2pctl.pacing import SystemClock
        from a2pctl.state import Store

        store = Store.open(state, SystemClock())
        try:
            events = [with_registration(store, event) for event in events]
        finally:
            store.close()
    if json_out:
        report.print_json(report.events_document(events, decoded.problems))
    else:
        report.render_events(events, decoded.problems, _console(), _console(stderr=True))
    _exit(ExitCode.USAGE if decoded.problems else ExitCode.OK)


@numbers_app.command("report")
def numbers_report(
    file: Annotated[Path, typer.Argument(help="The Console's number-registration CSV report.")],
    json_out: JsonOpt = False,
) -> None:
    """Explain each number of the Console's CSV report with the documented remediation.

    Example: a2pctl numbers report numbers.csv
    """
    from a2pctl import numbers, report

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(
            f"cannot read {file}: {reason}",
            hint="pass the CSV report downloaded from the Twilio Console",
        ) from None
    result = numbers.parse_report(text, source=str(file))
    if json_out:
        report.print_json(report.numbers_document(result))
    else:
        report.render_numbers(result, _console())
    _exit(result.exit_code)


@app.command()
def sandbox(
    port: Annotated[
        int, typer.Option("--port", min=0, help="Port to listen on (0: any free port).")
    ] = 8765,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            help="Outcome the simulator plays: default, brand-fails, campaign-rejected, "
            "otp-never-answered, bundle-rejected, slow-review, evaluation-noncompliant, "
            "number-registration-fails.",
        ),
    ] = "default",
    review_seconds: Annotated[
        float,
        typer.Option("--review-seconds", min=0.001, help="Simulated duration of each review step."),
    ] = 2.0,
    limit: Annotated[
        float | None,
        typer.Option(
            "--rate",
            min=0.001,
            help="Answer 429 (code 20429) to an account sending faster than this many "
            "requests per second [default: no limit].",
        ),
    ] = None,
) -> None:
    """Serve a local simulator of the Twilio endpoints the flows use (no account, no fees).

    Prints the A2PCTL_API_URL and credentials to use, then serves until Ctrl-C
    (exit 0). Reviews move on their own: each step takes --review-seconds.

    Scenarios: default (everything approves; the OTP is answered), brand-fails,
    campaign-rejected, otp-never-answered, bundle-rejected, slow-review,
    evaluation-noncompliant, number-registration-fails.

    Example: a2pctl sandbox --scenario brand-fails
    """
    from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SCENARIOS, Simulator, serve

    if scenario not in SCENARIOS:
        raise UsageError(
            f"unknown scenario {scenario!r}",
            hint="choose one of: " + ", ".join(SCENARIOS),
            field="--scenario",
        )
    simulator = Simulator(scenario=scenario, review_seconds=review_seconds, rate=limit)
    log = _console(stderr=True)
    try:
        server = serve(simulator, host, port, log=lambda line: log.print(line, markup=False))
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="the port is probably in use: choose another with --port (0: any free port)",
            field="--port",
        ) from None
    shown_host = "127.0.0.1" if host in ("", "0.0.0.0") else host
    url = f"http://{shown_host}:{server.server_address[1]}"
    typer.echo(f"Twilio sandbox on {url} (scenario: {scenario})")
    typer.echo(f"  export A2PCTL_API_URL={url}")
    typer.echo(
        f"  export TWILIO_ACCOUNT_SID={SANDBOX_ACCOUNT_SID} TWILIO_AUTH_TOKEN={SANDBOX_AUTH_TOKEN}"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a sandbox ends: a clean stop, exit 0
    finally:
        server.shutdown()
        server.server_close()
    typer.echo("sandbox stopped")
    _exit(ExitCode.OK)


# --- entry point ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> NoReturn:
    """Console-script entry point: run the app, map every error to an exit code
    (a2pctl/entry.py), and exit with it."""
    from a2pctl.entry import run

    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    sys.exit(run(command, args, verbose=lambda: _globals.verbose, console=_console))
