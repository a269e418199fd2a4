"""The README's promises: its two commands, every command documented and helpful."""

from __future__ import annotations

import importlib.metadata
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer.main
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from a2pctl.cli.app import app

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
COMMANDS = re.findall(r"```sh\n(.+?)\n```", README)


def _all_commands() -> list[list[str]]:
    """Every command, groups followed down to their leaves (`brand 2fa resend`)."""

    def leaves(command: object, path: list[str]) -> list[list[str]]:
        subcommands = getattr(command, "commands", None)
        if not subcommands:
            return [path]
        return [leaf for name, sub in subcommands.items() for leaf in leaves(sub, [*path, name])]

    root = typer.main.get_command(app)
    return [leaf for name, command in root.commands.items() for leaf in leaves(command, [name])]  # type: ignore[attr-defined]


def test_readme_has_exactly_two_single_line_commands() -> None:
    assert len(COMMANDS) == 2
    assert all("\n" not in command for command in COMMANDS)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == COMMANDS[1]
    assert "pytest" in COMMANDS[1]


def _pins() -> dict[str, str]:
    lock = (REPO / "constraints.txt").read_text(encoding="utf-8")
    pins: dict[str, str] = {}
    for line in lock.splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[canonicalize_name(name)] = version
    return pins


def test_ci_and_the_test_command_install_from_the_lock() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    installs = [line for line in ci.splitlines() if "pip install" in line]
    assert installs and all("PIP_CONSTRAINT=constraints.txt " in line for line in installs)
    assert "PIP_CONSTRAINT=constraints.txt " in COMMANDS[1]
    assert "PIP_CONSTRAINT" not in COMMANDS[0]  # users get the open ranges of pyproject.toml


def test_the_lock_pins_every_dependency_within_the_ranges_pyproject_allows() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["test"],
        *project["build-system"]["requires"],
    ]
    pins = _pins()
    for text in wanted:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"constraints.txt does not pin {requirement.name}"
        assert requirement.specifier.contains(pinned), f"{requirement.name}=={pinned}: {text}"


def test_the_lock_is_what_this_environment_runs() -> None:
    drifted = {
        name: (version, installed)
        for name, version in _pins().items()
        if name != "setuptools"  # the build backend lives in pip's build environment
        and (installed := _installed(name)) is not None
        and installed != version
    }
    assert drifted == {}, "installed without PIP_CONSTRAINT=constraints.txt? " + str(drifted)


def _installed(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def test_the_license_pyproject_declares_is_in_the_repository() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    for name in project["license-files"]:
        assert "MIT License" in (REPO / name).read_text(encoding="utf-8")


def test_readme_main_command_registers_the_example_in_the_sandbox() -> None:
    main = COMMANDS[0]
    assert "a2pctl register --sandbox" in main
    assert "examples/sole-proprietor.yaml" in main


def test_readme_main_command_runs_to_a_completed_registration(tmp_path: Path) -> None:
    """The a2pctl part of the README's main command, as written, with this interpreter."""
    invocation = COMMANDS[0].split("&&")[-1].strip()
    args = shlex.split(invocation)
    assert args[0].endswith("a2pctl")
    argv = [
        sys.executable,
        "-m",
        "a2pctl",
        *[str(REPO / a) if a.startswith("examples/") else a for a in args[1:]],
    ]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "complete" in done.stdout
    assert (tmp_path / ".a2pctl" / "state.db").exists()


@pytest.mark.parametrize("command", _all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "a2pctl", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Example" in done.stdout
    assert f"a2pctl {' '.join(command)}" in README
