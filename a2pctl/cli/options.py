"""What every command shares: the common options (each also an environment variable),
the global flags, and building the world a command runs in (console, credentials,
runtime). The cli modules are the only ones that read the environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from a2pctl.cli.runtime import Runtime, Settings, open_runtime
from a2pctl.cli.values import finite
from a2pctl.errors import UsageError
from a2pctl.state.location import Location

if TYPE_CHECKING:
    from rich.console import Console

    from a2pctl.gateway import Credentials
    from a2pctl.pacing import Clock


@dataclass
class Globals:
    """What one run of the CLI shares: the global flags and the injected clock. Made by
    `main` for the run and held in a context variable for its duration (reset after it),
    so runs in one process (the in-process tests) never see each other's."""

    verbose: bool = False
    no_color: bool = False
    clock: Clock | None = None  # injected through `main`; None: the system clock


_RUN: ContextVar[Globals] = ContextVar("a2pctl_run")


@contextmanager
def run_with(flags: Globals) -> Iterator[Globals]:
    token = _RUN.set(flags)
    try:
        yield flags
    finally:
        _RUN.reset(token)


def current() -> Globals:
    """This run's Globals (the defaults outside a run)."""
    return _RUN.get(None) or Globals()


def flags_for(context: typer.Context) -> Globals:
    """This run's Globals, for the root callback to set; a command invoked without `main`
    (Typer's test runner) gets its own, released when the command ends."""
    bound = _RUN.get(None)
    if bound is not None:
        return bound
    flags = Globals()
    token = _RUN.set(flags)
    context.call_on_close(lambda: _RUN.reset(token))
    return flags


StateOpt = Annotated[
    Location,
    typer.Option(
        "--state",
        envvar="A2PCTL_STATE",
        parser=Location.parse,
        help="State store: a SQLite file, or postgresql://USER@HOST/DB for a team.",
        show_default=True,
    ),
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
        parser=finite(0),
        help="Pause after submitting a profile, a bundle, a brand [default: 30; --sandbox: 0.5].",
    ),
]
RateOpt = Annotated[
    float | None,
    typer.Option(
        "--rate",
        envvar="A2PCTL_RATE",
        parser=finite(0.001),
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


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    # NO_COLOR / --no-color: no escape sequence at all (Rich's no_color alone keeps bold and dim).
    plain = current().no_color
    return Console(
        stderr=stderr,
        no_color=plain,
        color_system=None if plain else "auto",
        highlight=False,
        soft_wrap=True,
    )


def credentials() -> Credentials:
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


def runtime(settings: Settings) -> AbstractContextManager[Runtime]:
    log = console(stderr=True)
    return open_runtime(
        settings,
        credentials,
        notify=lambda text: log.print(f"retry: {text}", markup=False),
        clock=current().clock,
    )


def get_clock() -> Clock:
    from a2pctl.pacing import SystemClock

    return current().clock or SystemClock()


def exit_with(code: int) -> NoReturn:
    raise typer.Exit(code=int(code))
