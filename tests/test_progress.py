"""The live view of `register` (report/progress.py): on a terminal one table, a row per
registration, that fits the screen; in a log a line per step and each wait once."""

from __future__ import annotations

import io

from rich.console import Console

from a2pctl.report.progress import Progress


def _terminal(width: int = 80, height: int = 12) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=width, height=height, color_system=None)
    return console, out


def test_on_a_terminal_each_registration_is_one_row_soonest_wait_first() -> None:
    console, _ = _terminal()
    progress = Progress(console)
    progress.step_done("acme", "Brand registration", "BN" + "1" * 32)
    progress.step_done("zeta", "Submit the customer profile", None)
    progress.waiting("zeta", "the 30 s pause after a submission", 30)
    progress.waiting("acme", "brand review (IN_REVIEW)", 5)
    lines = _rendered(console, progress)
    assert lines[0].split() == ["registration", "last", "step", "waiting", "on", "left"]
    assert lines[1].startswith("acme") and lines[1].endswith("5s")
    assert "brand review (IN_REVIEW)" in lines[1]
    assert lines[2].startswith("zeta") and lines[2].endswith("30s")
    progress.close()


def test_the_table_fits_the_terminal_and_counts_the_rest() -> None:
    console, _ = _terminal(width=80, height=10)
    progress = Progress(console)
    for n in range(40):
        name = f"customer-with-a-rather-long-name-{n:02d}"
        progress.step_done(name, "Submit the starter customer profile for review", None)
        progress.waiting(name, "the documented 30 s pause after submitting a profile", 30 + n)
    lines = _rendered(console, progress)
    assert len(lines) <= 10 - 1
    assert all(len(line) <= 80 for line in lines)
    assert lines[-1].strip() == "… and 34 more"
    progress.close()


def test_in_a_log_each_step_is_a_line_and_each_wait_is_said_once() -> None:
    out = io.StringIO()
    progress = Progress(Console(file=out, force_terminal=False, width=200))
    progress.step_done("acme", "Brand registration", "BN1")
    for remaining in (30, 29, 28):
        progress.waiting("acme", "brand review", remaining)
    progress.close()
    assert out.getvalue().splitlines() == [
        "acme  ✓ Brand registration  BN1",
        "acme  … waiting: brand review",
    ]


def test_quiet_prints_nothing() -> None:
    console, out = _terminal()
    progress = Progress(console, quiet=True)
    progress.step_done("acme", "Brand registration", None)
    progress.waiting("acme", "brand review", 5)
    progress.close()
    assert out.getvalue() == ""


def _rendered(console: Console, progress: Progress) -> list[str]:
    """The table as the live display draws it, at the terminal's width."""
    plain = Console(file=io.StringIO(), width=console.width, color_system=None)
    with plain.capture() as capture:
        plain.print(progress.table())
    return [line.rstrip() for line in capture.get().splitlines()]
