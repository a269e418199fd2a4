"""Start-up timing of a2pctl against the floor it stands on, for tests and by hand.

Absolute times say more about the machine than about a2pctl: `python -c "import typer"`
alone takes 0.1-0.15 s on a small CI box. So each command is timed next to its floor,
Python importing exactly the libraries that command must load, and what a2pctl adds
on top is what it controls. Timed in CPU seconds (user + system: wall time on a busy
2-core box swung by 0.15 s between runs), best of several runs, interleaved.
By hand: `python tests/startup_timing.py` prints the table.
"""

from __future__ import annotations

import resource
import subprocess
import sys

from paths import EXAMPLES, REPO

EXAMPLE_FILES = [str(EXAMPLES / n) for n in sorted(p.name for p in EXAMPLES.glob("*.yaml"))]

# What `validate` must load whatever the implementation: the CLI framework and its
# output, the YAML reader, pydantic with a model built (its schema machinery loads on
# the first model), and the phone and e-mail libraries the issue prescribes.
VALIDATE_LIBRARIES = """\
import typer, rich.console, yaml, phonenumbers, email_validator
from pydantic import BaseModel
class Floor(BaseModel):
    x: int
Floor(x=1)
"""

COMMANDS: dict[str, tuple[str, ...]] = {
    "python": ("-c", "pass"),
    "import typer": ("-c", "import typer"),
    "a2pctl --help": ("-m", "a2pctl", "--help"),
    "import validate's libraries": ("-c", VALIDATE_LIBRARIES),
    "a2pctl validate examples/*.yaml": ("-m", "a2pctl", "validate", *EXAMPLE_FILES),
}
# Each command and the floor it is measured against.
OVER = {
    "a2pctl --help": "import typer",
    "a2pctl validate examples/*.yaml": "import validate's libraries",
}


def python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def timed(*args: str) -> float:
    """CPU seconds (user + system) the command spent: unlike wall time, a busy
    neighbour on a 2-core box barely moves it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = python(*args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stderr
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_times(*names: str, runs: int) -> dict[str, float]:
    """Best time of each named command, the runs interleaved."""
    best = dict.fromkeys(names, float("inf"))
    for _ in range(runs):
        for name in names:
            best[name] = min(best[name], timed(*COMMANDS[name]))
    return best


def main() -> None:
    best = best_times(*COMMANDS, runs=7)
    print(f"{'command':34} {'CPU s':>7}  {'over its floor':>14}")
    for name, seconds in best.items():
        floor = OVER.get(name)
        extra = f"{seconds - best[floor]:+.3f} s" if floor else ""
        print(f"{name:34} {seconds:7.3f}  {extra:>14}")


if __name__ == "__main__":
    main()
