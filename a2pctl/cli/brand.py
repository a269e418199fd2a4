"""`a2pctl brand 2fa resend`: the Authentication+ 2FA e-mail of public brands."""

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

brand_app = typer.Typer(
    help="Brand registrations. Example: a2pctl brand 2fa resend northwind-outfitters",
    no_args_is_help=True,
)
two_fa_app = typer.Typer(
    help="Authentication+ 2FA of public for-profit brands. "
    "Example: a2pctl brand 2fa resend northwind-outfitters",
    no_args_is_help=True,
)
brand_app.add_typer(two_fa_app, name="2fa")


@two_fa_app.command("resend")
def resend(
    refs: Annotated[
        list[str], typer.Argument(help="Brands (BN…) or registration names.", show_default=False)
    ],
    state: StateOpt = DEFAULT_STATE,
    api_url: ApiUrlOpt = None,
    json_out: JsonOpt = False,
    rate: RateOpt = None,
    sandbox: SandboxOpt = False,
) -> None:
    """Send a public for-profit brand's contact a new Authentication+ 2FA e-mail.

    For when the first one expired or failed (errors 21736–21741): one request,
    POST /v1/a2p/BrandRegistrations/{BN}/2fa. Refused, with the reason and
    nothing sent, for sole-proprietor, private, non-profit, government and mock
    brands, brands already verified and brands TCR has not registered yet.
    Exit 0 sent, 1 refused or failed, 2 unknown reference.

    Example: a2pctl brand 2fa resend northwind-outfitters
    """
    from a2pctl.report import bulk as report
    from a2pctl.report.registrations import print_json
    from a2pctl.status import twofa

    settings = Settings(state=state, api_url=api_url, json=json_out, rate=rate, sandbox=sandbox)
    with runtime(settings) as rt:
        results = twofa.resend(refs, store=rt.store, make_gateway=rt.make_gateway, clock=rt.clock)
    if json_out:
        print_json(report.twofa_document(results))
    else:
        report.render_twofa(results, console(), console(stderr=True))
    exit_with(max((r.error.exit_code for r in results if r.error), default=ExitCode.OK))
