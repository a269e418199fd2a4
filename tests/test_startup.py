"""Starting a2pctl stays cheap: the CLI imports twilio, pydantic and friends only in the
commands that need them, so `a2pctl --help` and `a2pctl validate` start fast.

Which modules get imported is checked exactly. Time is checked too, as a backstop,
in a way that survives a loaded CI box: the best of several runs, compared with the
best time of importing Typer alone on the same machine at the same moment.
"""

from __future__ import annotations

import subprocess
import sys
import time

from paths import EXAMPLES, REPO

EXAMPLE_FILES = [str(EXAMPLES / n) for n in ("sole-proprietor.yaml", "standard.yaml")]
# Modules that cost tens to hundreds of milliseconds each to import.
HEAVY = ("twilio", "requests", "pydantic", "phonenumbers", "email_validator", "yaml")
RUNS = 5  # best of: the minimum filters out moments when the machine is busy
# What `--help` may add to `import typer`: as much as that import itself takes (so the
# budget scales with the machine's speed and load), at least 100 ms. Today it adds ~35 ms;
# importing twilio at CLI import adds ~200 ms, pydantic ~200 ms (against ~120 ms for typer).
HELP_BUDGET_RATIO = 1.0
HELP_BUDGET_MIN_SECONDS = 0.1
HELP_ATTEMPTS = 3  # a regression is over budget every time; a busy moment is not
HELP_CEILING_SECONDS = 2.0
VALIDATE_CEILING_SECONDS = 4.0  # pydantic, phonenumbers and email_validator load here
VALIDATE_RUNS = 2


def python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def timed(*args: str) -> float:
    start = time.perf_counter()
    result = python(*args)
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    return elapsed


def best_times(*commands: tuple[str, ...], runs: int = RUNS) -> list[float]:
    """Best time of each command, runs interleaved so that load hits them alike."""
    best = [float("inf")] * len(commands)
    for _ in range(runs):
        for index, command in enumerate(commands):
            best[index] = min(best[index], timed(*command))
    return best


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = python("-c", probe)
    return set(result.stdout.splitlines()[-1].split()) & set(HEAVY)


def test_importing_the_cli_imports_nothing_heavy() -> None:
    assert loaded_after("import a2pctl.cli") == set()


def test_validate_never_imports_twilio() -> None:
    run = f"""
from a2pctl.cli import main
try:
    main(["validate", *{EXAMPLE_FILES!r}])
except SystemExit as exit:
    assert exit.code == 0, exit.code
"""
    assert loaded_after(run) == {"pydantic", "phonenumbers", "email_validator", "yaml"}


def test_help_starts_within_a_small_budget_over_importing_typer() -> None:
    measured = []
    for _ in range(HELP_ATTEMPTS):
        typer_alone, help_time = best_times(("-c", "import typer"), ("-m", "a2pctl", "--help"))
        measured.append((round(help_time, 3), round(typer_alone, 3)))
        budget = max(HELP_BUDGET_MIN_SECONDS, HELP_BUDGET_RATIO * typer_alone)
        if help_time - typer_alone < budget:
            break
    else:
        raise AssertionError(f"--help vs import typer, seconds: {measured}")
    assert help_time < HELP_CEILING_SECONDS


def test_validating_the_examples_takes_well_under_the_ceiling() -> None:
    [elapsed] = best_times(("-m", "a2pctl", "validate", *EXAMPLE_FILES), runs=VALIDATE_RUNS)
    assert elapsed < VALIDATE_CEILING_SECONDS
