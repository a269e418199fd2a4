"""`a2pctl events`: Event Streams setup, the webhook receiver, and decoding a payload."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from a2pctl.cli.options import (
    ApiUrlOpt,
    JsonOpt,
    RateOpt,
    SandboxOpt,
    StateOpt,
    console,
    exit_with,
    get_clock,
    runtime,
)
from a2pctl.cli.runtime import DEFAULT_STATE, IN_PROCESS_EVENTS, Settings
from a2pctl.cli.values import PORT_MAX, PORT_MIN, finite
from a2pctl.errors import ExitCode, UsageError
from a2pctl.state.location import Location

TEST_WAIT_SECONDS = 30.0  # as a2pctl.events.setup.TEST_WAIT_SECONDS (not imported at start-up)

events_app = typer.Typer(
    help="Event Streams: webhook sink setup and receiver.", no_args_is_help=True
)


@events_app.command("setup")
def events_setup(
    url: Annotated[
        str | None,
        typer.Option(
            "--url", help="The webhook URL Twilio will call [--sandbox: the in-process receiver]."
        ),
    ] = None,
    method: Annotated[str, typer.Option("--method", help="POST or GET.")] = "POST",
    batch: Annotated[bool, typer.Option("--batch", help="Deliver events in batches.")] = False,
    account_sid: Annotated[
        str | None, typer.Option("--account-sid", help="Set up in this subaccount (AC…).")
    ] = None,
    all_accounts: Annotated[
        bool,
        typer.Option(
            "--all-accounts",
            help="Set up in every account (main or sub) that has registrations in the store.",
        ),
    ] = False,
    test_id: Annotated[
        str | None,
        typer.Option(
            "--test-id",
            help="Validate the sink with this test id, read from the test event it received.",
        ),
    ] = None,
    test_wait: Annotated[
        float,
        typer.Option(
            "--test-wait",
            parser=finite(0),
            help="How long to wait for a new sink's test event to reach `events serve`.",
        ),
    ] = TEST_WAIT_SECONDS,
    state: StateOpt = DEFAULT_STATE,
    api_url: ApiUrlOpt = None,
    json_out: JsonOpt = False,
    rate: RateOpt = None,
    sandbox: SandboxOpt = False,
) -> None:
    """Create (or find) a webhook sink, activate it, and subscribe it to the A2P events.

    Idempotent. A new sink is tested and validated before the subscription (Twilio
    needs an active sink): Twilio sends it a test event, whose test id `a2pctl events
    serve` keeps in the state store; setup waits --test-wait seconds for it. When
    another service receives the URL, pass the test id it got with --test-id.
    Runs in the credentials' account, the subaccount given by --account-sid, or with
    --all-accounts in every account that has registrations in the store (Event
    Streams is per account). Exit 3: a sink is not active yet (the hint says how to
    finish); with --all-accounts, the most urgent code of all accounts.

    Example: a2pctl events setup --url https://isv.example/a2p-events
    """
    from a2pctl.events.setup import check_account_sid, setup_event_streams
    from a2pctl.report import events as report_events
    from a2pctl.report import registrations as report

    if all_accounts and account_sid is not None:
        raise UsageError(
            "--all-accounts and --account-sid exclude each other", field="--all-accounts"
        )
    if all_accounts and test_id is not None:
        raise UsageError(
            "--test-id validates one sink: give it with --account-sid, not --all-accounts",
            field="--test-id",
        )
    if url is None:
        if not sandbox:
            raise UsageError("events setup needs --url", field="--url")
        url = IN_PROCESS_EVENTS
    account = check_account_sid(account_sid)
    settings = Settings(state=state, api_url=api_url, json=json_out, rate=rate, sandbox=sandbox)
    options: dict[str, Any] = {"url": url, "method": method, "batch": batch, "test_wait": test_wait}
    with runtime(settings) as rt:
        if all_accounts:
            from a2pctl.events.accounts import overall_exit_code, setup_all_accounts

            outcomes = setup_all_accounts(rt.store, rt.make_gateway, clock=rt.clock, **options)
        else:
            result = setup_event_streams(
                rt.make_gateway(account), clock=rt.clock, store=rt.store, test_id=test_id, **options
            )
    if all_accounts:
        if json_out:
            report.print_json(report_events.accounts_document(outcomes))
        else:
            report_events.render_accounts(outcomes, console(), console(stderr=True))
        exit_with(overall_exit_code(outcomes))
    if json_out:
        report.print_json(report_events.setup_document(result))
    else:
        report_events.render_setup(result, console())
    report_events.render_setup_warnings(result, console(stderr=True))
    exit_with(ExitCode.OK)


@events_app.command("serve")
def events_serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--port",
            min=PORT_MIN,
            max=PORT_MAX,
            help="Port to listen on (0: any free port).",
        ),
    ] = 8787,
    public_url: Annotated[
        str | None,
        typer.Option("--public-url", help="The URL Twilio calls and signs; served at its path."),
    ] = None,
    state: StateOpt = DEFAULT_STATE,
    json_out: Annotated[
        bool,
        typer.Option("--json", help="Print each event as one JSON object per line (JSON lines)."),
    ] = False,
    all_accounts: Annotated[
        bool,
        typer.Option(
            "--all-accounts",
            help="Also accept deliveries signed by each subaccount with registrations in the "
            "store (their auth tokens are read once with TWILIO_ACCOUNT_SID's credentials).",
        ),
    ] = False,
    api_url: ApiUrlOpt = None,
) -> None:
    """Receive Event Streams webhooks: verify signatures, record and print each event.

    Checks X-Twilio-Signature with TWILIO_AUTH_TOKEN (the auth token of the account
    that owns the sink) against --public-url, the URL Twilio calls (default: the
    address served). Prints one line per event (--json: one JSON object per line);
    rejected requests go to stderr. Keeps the test id of a sink's test event in the
    state store, where `a2pctl events setup` finds it. Serves deliveries concurrently;
    a request that has not arrived whole within 10 s is cut off. With --all-accounts,
    deliveries signed by the subaccounts that have registrations in the store are
    accepted too (for `events setup --all-accounts` to one receiver). Runs until
    Ctrl-C (exit 0, as `a2pctl sandbox`).

    Example: a2pctl events serve --port 8787 --public-url https://isv.example/a2p-events
    """
    from a2pctl.events.server import EventServer
    from a2pctl.report import events as report_events
    from a2pctl.state.store import Store

    token = os.environ.get("TWILIO_AUTH_TOKEN", "").strip()
    if not token:
        raise UsageError(
            "events serve needs TWILIO_AUTH_TOKEN to check X-Twilio-Signature",
            hint="set it to the auth token of the account that owns the sink "
            "(unsigned deliveries are never accepted)",
        )
    tokens = [token]
    if all_accounts:  # each subaccount signs its own sink's deliveries with its own token
        from a2pctl.events.accounts import subaccount_tokens

        with runtime(Settings(state=state, api_url=api_url)) as rt:
            tokens += subaccount_tokens(rt.store, rt.make_gateway(None))
    log = report_events.EventLog(console(), console(stderr=True), json_lines=json_out)
    store = Store.open(state, get_clock())
    try:
        server = EventServer(
            host, port, store=store, public_url=public_url, auth_tokens=tokens, observer=log
        )
        try:
            log.serving(server.local_url, server.receiver.public_url)
            server.serve_forever()
        except KeyboardInterrupt:
            pass  # Ctrl-C (or SIGTERM) is how a server ends: a clean stop, exit 0
        finally:
            server.server_close()
    finally:
        store.close()
    console(stderr=True).print("events serve stopped", markup=False)
    exit_with(ExitCode.OK)


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
    from a2pctl.events import PayloadError, decode_body
    from a2pctl.events.receiver import MAX_BODY_BYTES
    from a2pctl.events.record import with_registration
    from a2pctl.report import events as report_events
    from a2pctl.report import registrations as report
    from a2pctl.spec.reading import read_input

    raw = read_input(file, max_bytes=MAX_BODY_BYTES, stdin=sys.stdin.buffer)
    try:
        decoded = decode_body(raw)
    except PayloadError as exc:
        raise UsageError(
            f"{file}: {exc}", hint="give the JSON body of a webhook delivery"
        ) from None
    events = decoded.events
    state = Location.parse(os.environ.get("A2PCTL_STATE") or DEFAULT_STATE)
    if events and state.is_file():
        from a2pctl.state.store import Store

        store = Store.open(state, get_clock(), read_only=True)
        try:
            events = [with_registration(store, event) for event in events]
        finally:
            store.close()
    if json_out:
        report.print_json(report_events.events_document(events, decoded.problems))
    else:
        report_events.render_events(events, decoded.problems, console(), console(stderr=True))
    exit_with(ExitCode.USAGE if decoded.problems else ExitCode.OK)
