"""The `status` command: the last known state from the store, Twilio asked only about what
can still change (`--refresh`), filters for many registrations, table, JSON, CSV or an
HTML report (on stdout, or written to `--output FILE` readable by its owner only)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from a2pctl.cli.options import (
    ApiUrlOpt,
    JsonOpt,
    RateOpt,
    SandboxOpt,
    StateOpt,
    console,
    current,
    exit_with,
    runtime,
)
from a2pctl.cli.runtime import DEFAULT_STATE, Settings
from a2pctl.cli.values import finite
from a2pctl.errors import UsageError

if TYPE_CHECKING:
    from a2pctl.state.store import Registration

FORMATS = ("table", "json", "csv", "html")


def refresh_all_spelling(args: list[str]) -> list[str]:
    """`status --refresh all` is `status --refresh-all` (the flag takes no value otherwise)."""
    out: list[str] = []
    for arg in args:
        if arg == "all" and out and out[-1] == "--refresh":
            out[-1] = "--refresh-all"
        elif arg in ("--refresh=all", "--refresh=pending"):
            out.append("--refresh-all" if arg.endswith("all") else "--refresh")
        else:
            out.append(arg)
    return out


def status(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Registration names (globs such as 'acme-*' too), brands (BN…), services "
            "(MG…), numbers (+1…, PN…). None: every registration in the store.",
            show_default=False,
        ),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Ask Twilio about pending resources now."),
    ] = False,
    refresh_all: Annotated[
        bool,
        typer.Option("--refresh-all", help="`--refresh all`: ask Twilio about every resource."),
    ] = False,
    failed: Annotated[bool, typer.Option("--failed", help="Only registrations that failed.")] = (
        False
    ),
    pending: Annotated[
        bool, typer.Option("--pending", help="Only registrations that are pending.")
    ] = False,
    flow: Annotated[
        str | None, typer.Option("--flow", help="Only registrations of this flow.")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Only registrations in this account (AC…).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="table, json (= --json), csv or html.", show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help="With --format html: write the report to this file (mode 0600) instead of stdout.",
            show_default=False,
        ),
    ] = None,
    watch: Annotated[
        bool,
        typer.Option("--watch", help="Refresh pending ones until nothing is pending."),
    ] = False,
    interval: Annotated[
        float,
        typer.Option(
            "--interval", parser=finite(0.1), help="With --watch: seconds between refreshes."
        ),
    ] = 60.0,
    state: StateOpt = DEFAULT_STATE,
    api_url: ApiUrlOpt = None,
    json_out: JsonOpt = False,
    rate: RateOpt = None,
    sandbox: SandboxOpt = False,
) -> None:
    """Status of registrations, brands, campaigns and numbers, with the next action.

    Shows the last known state from the store with its age, and asks Twilio nothing
    about settled resources; --refresh asks about pending ones, --refresh all about
    everything. Exit 0 when nothing failed or is pending, 3 when something is
    pending, 1 when something failed.

    Example: a2pctl status 'acme-*' --pending --refresh (no REF: every registration).
    """
    from a2pctl.report import registrations as report
    from a2pctl.report import status as report_status
    from a2pctl.status import live
    from a2pctl.status.refs import GLOB

    form = _format(fmt, json_out)
    if output is not None and str(output) == "-":
        output = None  # `--output -`: stdout, as without it
    _check_output(form, output, watch)
    refs = refs or []
    exact = [r for r in refs if not (GLOB & set(r))]

    def chosen(reg: Registration) -> bool:
        return (flow is None or reg.flow == flow) and (account is None or reg.account == account)

    mode = "all" if refresh_all else ("pending" if refresh or watch else "none")
    settings = Settings(
        state=state,
        api_url=api_url,
        json=form == "json",
        rate=rate,
        sandbox=sandbox,
        create_store=False,  # a mistyped --state is an error, not a new empty store
        need_store=len(exact) < len(refs)
        or not refs,  # SIDs and numbers are looked up live without one
    )
    out = console()
    with runtime(settings) as rt:

        def check_once() -> live.StatusReport:
            found = live.check(
                refs, store=rt.store, make_gateway=rt.make_gateway, clock=rt.clock,
                refresh=mode, chosen=chosen,
            )  # fmt: skip
            return live.only(found, failed=failed, pending=pending)

        def show(result: live.StatusReport) -> None:
            if form == "json":
                if watch:  # one document per refresh: JSON lines
                    sys.stdout.write(report.json_line(report_status.status_document(result)))
                    sys.stdout.flush()
                return
            if form == "csv":
                sys.stdout.write(report_status.status_rows_csv(result))
                return
            if form == "html":
                return  # one page, below
            if watch and out.is_terminal:
                out.clear()  # --watch redraws in place on a terminal
            details = True if current().verbose or exact else None
            report_status.render_status(result, out, details=details)

        if watch:
            final = live.watch(check_once, clock=rt.clock, interval=interval, on_report=show)
        else:
            final = check_once()
            show(final)
    if form == "json" and not watch:
        report.print_json(report_status.status_document(final))
    if form == "html":
        from a2pctl.report import status_html

        page = status_html.status_page(final)
        if output is None:
            sys.stdout.write(page)
        else:
            write_private(output, page)
            console(stderr=True).print(f"wrote {output}", markup=False, highlight=False)
    exit_with(final.exit_code)


def _format(fmt: str | None, json_out: bool) -> str:
    if fmt is None:
        return "json" if json_out else "table"
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}", hint=f"choose one of: {', '.join(FORMATS)}")
    if json_out and fmt != "json":
        raise UsageError(f"--json and --format {fmt} disagree", hint="give one of them")
    return fmt


def _check_output(form: str, output: Path | None, watch: bool) -> None:
    """Refuse what cannot work before anything is asked: an HTML page redrawn by --watch,
    --output for another format, a directory or a missing one as the file."""
    if form == "html" and watch:
        raise UsageError(
            "--format html does not go with --watch",
            hint="the HTML report is one snapshot: drop --watch (or use --watch --json)",
        )
    if output is None:
        return
    if form != "html":
        raise UsageError(
            "--output writes the HTML report", hint="add --format html", field="--output"
        )
    if output.is_dir():
        raise UsageError(
            f"--output {output} is a directory",
            hint=f"name a file, e.g. {output / 'status.html'}",
            field="--output",
        )
    parent = output.parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {output}: {parent} is not a directory", field="--output")


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (a temporary file beside it, renamed over it),
    readable and writable by its owner only (0600): the report holds customer data.
    An unwritable path is a UsageError."""
    import tempfile  # here: `a2pctl --help` does not load it

    if path.is_dir():
        raise UsageError(f"--output {path} is a directory", field="--output")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}", field="--output") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o600)  # mkstemp's mode already; said here, not assumed
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(
                f"cannot write {path}: {exc.strerror or exc}", field="--output"
            ) from None
        raise
