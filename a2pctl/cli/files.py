"""The customer files a command was given: the FILE... argument (directories and
globs expanded), each file checked on its own, then across the files and against
the state store (`validate`, `plan`, `register`, `export`).

Reads the environment (the default account) and the store if one exists at the
path; creates nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from a2pctl.cli.options import get_clock

if TYPE_CHECKING:
    from a2pctl.spec.customer import FileCheck
    from a2pctl.state.location import Location


def _expand_files(ctx: typer.Context, value: list[Path]) -> list[Path]:
    """Directories and globs to the customer files they hold (not while completing)."""
    if ctx.resilient_parsing:
        return value
    from a2pctl.spec.sources import expand

    return expand(value)


FilesArg = Annotated[
    list[Path],
    typer.Argument(
        help="Customer files (YAML), directories of them, or globs.",
        show_default=False,
        callback=_expand_files,
    ),
]


def default_account() -> str | None:
    """The credentials' account, where the environment names one."""
    return os.environ.get("TWILIO_ACCOUNT_SID", "").strip() or None


def check_files(files: list[Path], state: Location | None, account: str | None) -> list[FileCheck]:
    """Every file's problems, clashes between the files and with the store included."""
    from a2pctl.engine import claims
    from a2pctl.spec import customer as spec

    results = [spec.check_file(path) for path in files]
    if state is None or not state.is_file():  # nothing registered there yet
        return claims.check(results, None, account)
    from a2pctl.state.store import Store

    store = Store.open(state, get_clock(), read_only=True)  # checking writes nothing
    try:
        return claims.check(results, store, account)
    finally:
        store.close()
