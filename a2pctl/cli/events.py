"""`a2pctl events`: Event Streams setup, the webhook receiver, and decoding a payload."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from a2pctl.cli.options import (
    ApiUrlOpt,
    JsonOpt,
    RateOpt,
    StateOpt,
    console,
    exit_with,
    get_clock,
    runtime,
)
from a2pctl.cli.runtime import DEFAULT_STATE, Settings
from a2pctl.cli.values import PORT_MAX, PORT_MIN
from a2pctl.errors import ExitCode, UsageError
from a2pctl.state.location import Location

events_app = typer.Typer(
    help="Event Streams: webhook sink setup and receiver.", no_args_is_help=True
)


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
    from a2pctl.events.setup import check_account_sid, setup_event_streams
    from a2pctl.report import events as report_events
    from a2pctl.report import registrations as report

    account = check_account_sid(account_sid)
    settings = Settings(state=state, api_url=api_url, json=json_out, rate=rate)
    with runtime(settings) as rt:
        gateway = rt.make_gateway(account)
        result = setup_event_streams(gateway, url=url, method=method, batch=batch, clock=rt.clock)
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
) -> None:
    """Receive Event Streams webhooks: verify signatures, record and print each event.

    Checks X-Twilio-Signature with TWILIO_AUTH_TOKEN (the auth token of the account
    that owns the sink) against --public-url, the URL Twilio calls (default: the
    address served). Prints one line per event (--json: one JSON object per line);
    rejected requests go to stderr. Runs until Ctrl-C (exit 0, as `a2pctl sandbox`).

    Example: a2pctl events serve --port 8787 --public-url https://isv.example/a2p-events
    """
    from a2pctl.events.receiver import EventServer
    from a2pctl.report import events as report_events
    from a2pctl.state.store import Store

    token = os.environ.get("TWILIO_AUTH_TOKEN", "").strip()
    if not token:
        raise UsageError(
            "events serve needs TWILIO_AUTH_TOKEN to check X-Twilio-Signature",
            hint="set it to the auth token of the account that owns the sink "
            "(unsigned deliveries are never accepted)",
        )
    log = report_events.EventLog(console(), console(stderr=True), json_lines=json_out)
    store = Store.open(state, get_clock())
    try:
        server = EventServer(
            host, port, store=store, public_url=public_url, auth_tokens=[token], observer=log
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
