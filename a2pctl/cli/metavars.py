"""The names of values in `--help`, in one place: an option's value is named for what it
is (`--state PATH`, `--timeout DURATION`), an argument for what it holds (`FILE...`),
where Typer would write `<str>`, `<parse>` or `{files}...`. A parameter without an
entry here is named after itself, upper-case (the argparse convention)."""

from __future__ import annotations

from typing import Any

OPTION_METAVARS = {
    "state": "PATH|URL",  # a SQLite file or a postgresql:// URL
    "batch": "N",
    "api_url": "URL",
    "url": "URL",
    "public_url": "URL",
    "timeout": "DURATION",
    "poll_seconds": "SECONDS",
    "pause_seconds": "SECONDS",
    "interval": "SECONDS",
    "review_seconds": "SECONDS",
    "rate": "PER_SECOND",
    "limit": "PER_SECOND",  # the sandbox's --rate
    "account_sid": "SID",
    "test_id": "ID",
    "test_wait": "SECONDS",
    "output": "FILE",  # status --output
}
ARGUMENT_METAVARS = {"files": "FILE", "refs": "REF", "file": "FILE"}


def name_metavars(command: Any) -> None:
    """Give every option value and argument of `command` and its subcommands a name."""
    for param in getattr(command, "params", []):
        if param.metavar is not None or getattr(param, "is_flag", False) or not param.name:
            continue
        if param.param_type_name == "argument":
            name = ARGUMENT_METAVARS.get(param.name, param.name.upper())
            param.metavar = name + ("..." if param.nargs != 1 else "")
        elif param.param_type_name == "option":
            param.metavar = OPTION_METAVARS.get(param.name, param.name.upper())
    for sub in getattr(command, "commands", {}).values():
        name_metavars(sub)
