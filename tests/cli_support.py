"""Running `python -m a2pctl` as a user would, for the end-to-end CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 120.0  # a subprocess never runs this long unless the CLI hangs


def cli_env() -> dict[str, str]:
    """The user's environment without Twilio credentials or a2pctl settings; a wide,
    colourless terminal so that phrases are not wrapped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "A2PCTL_"))}
    env.update({"COLUMNS": "200", "NO_COLOR": "1"})
    return env


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "a2pctl", *args],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(
    process: subprocess.Popen[str], timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"{process.args!r} did not end within {timeout} s\n{out}\n{err}")
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def a2pctl(*args: str, cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    return finish(start(*args, cwd=cwd), timeout)
