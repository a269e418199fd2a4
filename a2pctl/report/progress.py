"""The live view of `register` (its `Observer`).

On a terminal: one live table, redrawn in place, a row per registration seen — its
last step, what it waits on and the time left — with each step done printed above it;
the table goes when the run ends, and the outcomes follow with their counts. Only as
many rows as the terminal has lines are drawn, those waiting least first, then "and N
more". Elsewhere (a log, CI): a line per step done and each distinct wait once, so logs
stay readable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

_LEFT_WIDTH = 6  # "12345s"


@dataclass
class _Row:
    stage: str = ""
    waiting: str | None = None
    until: float = 0.0  # time.monotonic() when the wait ends (display only)


class Progress:
    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self._console = console
        self._quiet = quiet
        self._live: Any = None
        self._rows: dict[str, _Row] = {}
        self._last_wait: dict[str, str] = {}

    def step_done(self, registration: str, title: str, sid: str | None) -> None:
        if self._quiet:
            return
        sid_text = f"  [dim]{escape(sid)}[/]" if sid else ""
        self._console.print(f"{escape(registration)}  [green]✓[/] {escape(title)}{sid_text}")
        self._rows[registration] = _Row(stage=title)
        self._redraw()

    def notice(self, registration: str, message: str) -> None:
        if not self._quiet:
            self._console.print(f"{escape(registration)}  [yellow]![/] {escape(message)}")

    def waiting(self, registration: str, reason: str, remaining: float) -> None:
        if self._quiet:
            return
        if self._console.is_terminal:
            row = self._rows.setdefault(registration, _Row())
            row.waiting, row.until = reason, time.monotonic() + remaining
            self._redraw()
        elif self._last_wait.get(registration) != reason:
            self._last_wait[registration] = reason
            self._console.print(f"{registration}  … waiting: {reason}", markup=False)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    # --- the table -------------------------------------------------------------------
    def _redraw(self) -> None:
        if not self._console.is_terminal or not self._rows:
            return
        if self._live is None:
            from rich.live import Live

            self._live = Live(
                self.table(), console=self._console, transient=True, auto_refresh=False
            )
            self._live.start()
        self._live.update(self.table(), refresh=True)

    def table(self) -> Table:
        """The rows that fit the terminal, the soonest wait first, then the rest counted."""
        now = time.monotonic()
        order = sorted(
            self._rows.items(),
            key=lambda item: (item[1].waiting is None, item[1].until, item[0]),
        )
        room = max(self._console.height - 4, 3)
        shown = order[:room]
        # Widths computed to the terminal: whole lines, cells cut with … never folded.
        name_width = min(max([len("registration"), *(len(n) for n, _ in shown)]), 28)
        rest = max(self._console.width - name_width - _LEFT_WIDTH - 6, 20)  # 6: the gaps
        step_width = rest * 2 // 5
        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        for title, width in (
            ("registration", name_width),
            ("last step", step_width),
            ("waiting on", rest - step_width),
        ):
            table.add_column(title, width=width, no_wrap=True, overflow="ellipsis")
        table.add_column("left", width=_LEFT_WIDTH, no_wrap=True, justify="right")
        for name, row in shown:
            left = f"{max(row.until - now, 0):0.0f}s" if row.waiting else ""
            table.add_row(escape(name), escape(row.stage), escape(row.waiting or ""), left)
        if len(order) > room:
            table.add_row(f"… and {len(order) - room} more", "", "", "", style="dim")
        return table
