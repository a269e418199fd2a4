"""Starting a2pctl stays cheap: the CLI imports twilio, pydantic and friends only in the
commands that need them, so `a2pctl --help` and `a2pctl validate` start fast.

Which modules get imported is checked exactly. Time is checked against each command's
floor (see `startup_timing`): `--help` against importing Typer alone, `validate`
against importing the libraries it must use. What a2pctl adds on top is what it
controls; importing twilio would add ~0.25 s.
"""

from __future__ import annotations

import pytest
from startup_timing import EXAMPLE_FILES, OVER, best_times, python

# Modules that cost tens to hundreds of milliseconds each to import.
HEAVY = ("twilio", "requests", "pydantic", "phonenumbers", "email_validator", "yaml")
RUNS = 5  # best of: the minimum filters out moments when the machine is busy
ATTEMPTS = 3  # a regression is over budget every time; a busy moment is not
# What a2pctl may add to its floor, in CPU seconds. Measured on the 2-core CI box:
# --help adds ~0.05 s to `import typer` (the command tree and Typer's help); validate
# adds ~0.13-0.15 s to its libraries (building the customer-file model, the checks, the
# command tree). Importing twilio would add another ~0.25 s.
BUDGET_SECONDS = {"a2pctl --help": 0.1, "a2pctl validate examples/*.yaml": 0.25}


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = python("-c", probe)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.splitlines()[-1].split()) & set(HEAVY)


def test_importing_the_cli_imports_nothing_heavy() -> None:
    assert loaded_after("import a2pctl.cli.app") == set()


def test_validate_never_imports_twilio() -> None:
    run = f"""
from a2pctl.cli.app import main
try:
    main(["validate", *{EXAMPLE_FILES!r}])
except SystemExit as exit:
    assert exit.code == 0, exit.code
"""
    assert loaded_after(run) == {"pydantic", "phonenumbers", "email_validator", "yaml"}


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(BUDGET_SECONDS))
def test_a2pctl_adds_little_to_the_libraries_a_command_must_load(command: str) -> None:
    floor = OVER[command]
    measured = []
    for _ in range(ATTEMPTS):
        best = best_times(floor, command, runs=RUNS)
        measured.append({name: round(seconds, 3) for name, seconds in best.items()})
        if best[command] - best[floor] < BUDGET_SECONDS[command]:
            return
    raise AssertionError(f"{command} over its floor, best CPU seconds per attempt: {measured}")
