"""`a2pctl numbers report`: the Console's number-registration CSV report, explained."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from a2pctl.cli.options import JsonOpt, console, exit_with
from a2pctl.errors import UsageError

numbers_app = typer.Typer(help="Phone-number registration reports.", no_args_is_help=True)


@numbers_app.command("report")
def numbers_report(
    file: Annotated[Path, typer.Argument(help="The Console's number-registration CSV report.")],
    json_out: JsonOpt = False,
) -> None:
    """Explain each number of the Console's CSV report with the documented remediation.

    Example: a2pctl numbers report numbers.csv
    """
    from a2pctl.report import registrations as report
    from a2pctl.report import status as report_status
    from a2pctl.spec.reading import Unreadable, read_input
    from a2pctl.status import numbers

    try:
        text = read_input(file, max_bytes=numbers.MAX_REPORT_BYTES).decode("utf-8-sig")
    except (Unreadable, UnicodeDecodeError) as exc:
        reason = exc.reason if isinstance(exc, Unreadable) else str(exc)
        raise UsageError(
            f"cannot read {file}: {reason}",
            hint="pass the CSV report downloaded from the Twilio Console",
        ) from None
    result = numbers.parse_report(text, source=str(file))
    if json_out:
        report.print_json(report_status.numbers_document(result))
    else:
        report_status.render_numbers(result, console())
    exit_with(result.exit_code)
