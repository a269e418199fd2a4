"""Running `python -m a2pctl` as a user would, for the end-to-end CLI tests; or, where
real time would pass, the same commands in process on a fake clock (`cli`)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from a2pctl.cli.app import main
from a2pctl.pacing import FakeClock

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


class InProcess:
    """`a2pctl` run inside the test process on a fake clock, answering as `a2pctl(...)`
    does: the in-process sandbox's pauses, reviews and `--watch` polls pass without any
    real waiting. The clock is the test's own, so one run's time goes on in the next."""

    def __init__(self, capture: pytest.CaptureFixture[str], clock: FakeClock) -> None:
        self._capture = capture
        self.clock = clock

    def __call__(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        self._capture.readouterr()  # whatever came before is not this command's
        code: int | str | None = 0
        with contextlib.chdir(cwd):
            try:
                main(list(args), clock=self.clock)
            except SystemExit as ended:
                code = ended.code
        out, err = self._capture.readouterr()
        assert isinstance(code, int), code
        return subprocess.CompletedProcess(["a2pctl", *args], code, out, err)
