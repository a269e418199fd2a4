"""The values of options, checked once at the edge (their environment variables too):
numbers that must be finite, for rates, pauses and intervals; the port range.

A plain `float` option with `min=` lets `nan` through (every comparison with it is
false) and `inf` where there is no maximum: a rate of nan, or a pause of inf that
waits forever.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import typer

PORT_MIN, PORT_MAX = 0, 65535  # 0: any free port


def finite(minimum: float) -> Callable[[str | float], float]:
    """A parser for a finite number of at least `minimum` (a usage error otherwise)."""

    def parse(text: str | float) -> float:
        try:
            value = float(text)
        except ValueError:
            raise typer.BadParameter(f"{text!r} is not a number.") from None
        if not math.isfinite(value):
            raise typer.BadParameter(f"{text!r} is not a finite number.")
        if value < minimum:
            raise typer.BadParameter(f"{text} is below the minimum, {minimum:g}.")
        return value

    return parse
