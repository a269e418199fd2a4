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

from tests.conftest import EXAMPLES, REPO

EXAMPLE_FILES = [str(EXAMPLES / n) for n in ("sole-proprietor.yaml", "standard.yaml")]
# Modules that cost tens to hundreds of milliseconds each to import.
HEAVY = ("twilio", "requests", "pydantic", "phonenumbers", "email_validator", "yaml")
RUNS = 5  # best of: the minimum filters out moments when the machine is busy
# What `--help` may add to `import typer`: a fraction of that import itself (so the budget
# scales with the machine's speed), at least 80 ms. Today it adds ~30 ms; importing
# twilio or pydantic at CLI import would add ~200 ms.
HELP_BUDGET_RATIO = 0.75
HELP_BUDGET_MIN_SECONDS = 0.08
HELP_CEILING_SECONDS = 2.0
VALIDATE_CEILING_SECONDS = 4.0  # pydantic, phonenumbers and email_validator load here
VALIDATE_RUNS = 2


def python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def best_time(*args: str, runs: int = RUNS) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        result = python(*args)
        best = min(best, time.perf_counter() - start)
        assert result.returncode == 0, result.stderr
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
    typer_alone = best_time("-c", "import typer")
    help_time = best_time("-m", "a2pctl", "--help")
    budget = max(HELP_BUDGET_MIN_SECONDS, HELP_BUDGET_RATIO * typer_alone)
    assert help_time - typer_alone < budget, (help_time, typer_alone)
    assert help_time < HELP_CEILING_SECONDS


def test_validating_the_examples_takes_well_under_the_ceiling() -> None:
    elapsed = best_time("-m", "a2pctl", "validate", *EXAMPLE_FILES, runs=VALIDATE_RUNS)
    assert elapsed < VALIDATE_CEILING_SECONDS
