"""`a2pctl sandbox`: serve the Twilio simulator over HTTP."""

from __future__ import annotations

from typing import Annotated

import typer

from a2pctl.cli.options import console, exit_with
from a2pctl.cli.values import PORT_MAX, PORT_MIN, finite
from a2pctl.errors import ExitCode, UsageError


def sandbox(
    port: Annotated[
        int,
        typer.Option(
            "--port",
            min=PORT_MIN,
            max=PORT_MAX,
            help="Port to listen on (0: any free port).",
        ),
    ] = 8765,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            help="Outcome the simulator plays: default, brand-fails, campaign-rejected, "
            "otp-never-answered, bundle-rejected, email-rejected, slow-review, "
            "evaluation-noncompliant, number-registration-fails, 2fa-expired.",
        ),
    ] = "default",
    review_seconds: Annotated[
        float,
        typer.Option(
            "--review-seconds",
            parser=finite(0.001),
            help="Simulated duration of each review step.",
        ),
    ] = 2.0,
    limit: Annotated[
        float | None,
        typer.Option(
            "--rate",
            parser=finite(0.001),
            help="Answer 429 (code 20429) to an account sending faster than this many "
            "requests per second [default: no limit].",
        ),
    ] = None,
) -> None:
    """Serve a local simulator of the Twilio endpoints the flows use (no account, no fees).

    Prints the A2PCTL_API_URL and credentials to use, then serves until Ctrl-C
    (exit 0). Reviews move on their own: each step takes --review-seconds.

    Scenarios: default (everything approves; the OTP is answered), brand-fails,
    campaign-rejected, otp-never-answered, bundle-rejected, email-rejected, slow-review,
    evaluation-noncompliant, number-registration-fails, 2fa-expired.

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
    log = console(stderr=True)
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
    exit_with(ExitCode.OK)
