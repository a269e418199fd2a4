"""`a2pctl otp resend`: the Sole Proprietor OTP SMS, sent again."""

from __future__ import annotations

from typing import Annotated

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
from a2pctl.errors import ExitCode

otp_app = typer.Typer(
    help="Sole Proprietor OTP: re-send the verification SMS.", no_args_is_help=True
)


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
    force: Annotated[
        bool,
        typer.Option("--force", help="Send even within 24 h of the last OTP (still valid)."),
    ] = False,
) -> None:
    """Re-send the Sole Proprietor OTP SMS to the brand's mobile number.

    Refuses where the brand is not a sole-proprietor brand or is already verified, and
    within 24 hours of the last OTP (which the customer can still answer) unless --force.
    Example: a2pctl otp resend jane-doe-pottery
    """
    from a2pctl.pacing import RateLimiter
    from a2pctl.report import registrations as report
    from a2pctl.report import status as report_status
    from a2pctl.status import otp

    settings = Settings(state=state, api_url=api_url, json=json_out, rate=rate, sandbox=sandbox)
    with runtime(settings) as rt:
        # SmsOtp allows 10 requests/s per account; --rate caps it too.
        limiter = RateLimiter(rt.clock, otp.otp_rate(1.0 / rt.limiter.interval))
        results = otp.resend(
            refs,
            store=rt.store,
            make_gateway=rt.make_gateway,
            limiter=limiter,
            clock=rt.clock,
            force=force,
        )
    if json_out:
        report.print_json(report_status.otp_document(results))
    else:
        report_status.render_otp(results, console(), console(stderr=True))
    exit_with(max((r.error.exit_code for r in results if r.error), default=ExitCode.OK))
