"""The terminal around a2pctl: no colour means no escape at all, global flags go anywhere,
help names its values, a reader that goes away stops the output and not the run, and
a server ends on Ctrl-C with 0."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import TIMEOUT, InProcess, cli_env, finish
from paths import EXAMPLES

from a2pctl.cli.entry import hoist_global_flags
from a2pctl.errors import ExitCode
from a2pctl.pacing import FakeClock
from a2pctl.state.store import Store

SOLE_PROPRIETOR = str(EXAMPLES / "sole-proprietor.yaml")
ESCAPE = "\x1b["


def in_terminal(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run a2pctl with a pseudo-terminal as stdin, stdout and stderr: what a user sees."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "a2pctl", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other side has closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=TIMEOUT), b"".join(chunks).decode(errors="replace")


@pytest.fixture
def registered(cli: InProcess, tmp_path: Path) -> Path:
    state = tmp_path / "state.db"
    done = cli("register", "--sandbox", "--state", str(state), SOLE_PROPRIETOR, cwd=tmp_path)
    assert done.returncode == ExitCode.PENDING, done.stderr
    return state


def _terminal_env(no_color: bool) -> dict[str, str]:
    env = {k: v for k, v in cli_env().items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    if no_color:
        env["NO_COLOR"] = "1"
    return env


@pytest.mark.parametrize(
    ("how", "flags", "no_color"),
    [("NO_COLOR=1", [], True), ("--no-color before", ["--no-color"], False)],
)
def test_no_color_status_on_a_terminal_prints_no_escape_sequence(
    tmp_path: Path, registered: Path, how: str, flags: list[str], no_color: bool
) -> None:
    args = [*flags, "status", "--sandbox", "--state", str(registered)]
    code, shown = in_terminal(*args, cwd=tmp_path, env=_terminal_env(no_color))
    assert code == ExitCode.PENDING, shown
    assert "jane-doe-pottery" in shown
    assert ESCAPE not in shown, how


def test_no_color_after_the_command_is_the_same_flag(tmp_path: Path, registered: Path) -> None:
    args = ["status", "--sandbox", "--state", str(registered), "--no-color"]
    code, shown = in_terminal(*args, cwd=tmp_path, env=_terminal_env(False))
    assert code == ExitCode.PENDING, shown
    assert ESCAPE not in shown


def test_status_on_a_terminal_is_in_colour_otherwise(tmp_path: Path, registered: Path) -> None:
    args = ["status", "--sandbox", "--state", str(registered)]
    code, shown = in_terminal(*args, cwd=tmp_path, env=_terminal_env(False))
    assert code == ExitCode.PENDING, shown
    assert ESCAPE in shown  # so the tests above prove something


# --- global flags -------------------------------------------------------------------------------


def test_global_flags_are_moved_before_the_command_but_not_past_a_double_dash() -> None:
    assert hoist_global_flags(["status", "--no-color", "x", "-v"]) == [
        "--no-color",
        "-v",
        "status",
        "x",
    ]
    assert hoist_global_flags(["validate", "--", "-v"]) == ["validate", "--", "-v"]


def test_verbose_after_the_command_is_accepted_as_the_hint_says(
    cli: InProcess, tmp_path: Path
) -> None:
    done = cli("sandbox", "--port", "99999", "-v", cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert "99999 is not in the range 0<=x<=65535" in done.stderr
    assert "No such option" not in done.stderr


# --- help -----------------------------------------------------------------------------------------

COMMANDS = [
    ["validate"],
    ["plan"],
    ["register"],
    ["status"],
    ["otp", "resend"],
    ["events", "setup"],
    ["events", "serve"],
    ["events", "decode"],
    ["numbers", "report"],
    ["sandbox"],
    ["schema"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_names_each_value_for_what_it_is(
    cli: InProcess, tmp_path: Path, command: list[str]
) -> None:
    done = cli(*command, "--help", cwd=tmp_path)
    assert done.returncode == ExitCode.OK
    assert not re.search(r"<[a-z ]+>|\{[a-z]+\}", done.stdout), done.stdout


def test_register_help_names_its_values(cli: InProcess, tmp_path: Path) -> None:
    text = cli("register", "--help", cwd=tmp_path).stdout
    assert "Usage: a2pctl register [OPTIONS] {FILE...}" in text
    for named in ("--timeout DURATION", "--state PATH|URL", "--api-url URL", "--rate PER_SECOND"):
        assert named in text


def test_status_help_gives_its_example_on_a_line_of_its_own(cli: InProcess, tmp_path: Path) -> None:
    lines = cli("status", "--help", cwd=tmp_path).stdout.splitlines()
    assert "  Example: a2pctl status 'acme-*' --pending --refresh (no REF: every" in lines


def test_events_serve_help_says_json_lines(cli: InProcess, tmp_path: Path) -> None:
    text = cli("events", "serve", "--help", cwd=tmp_path).stdout
    assert "one JSON object per line (JSON lines)" in text
    assert "one JSON document" not in text


# --- a reader that goes away ----------------------------------------------------------------------


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_a_reader_that_goes_away_stops_that_output_not_the_run(tmp_path: Path, closed: str) -> None:
    """`a2pctl register … | head -1`: the pipe closes; the run still finishes, and exits
    with its own code (3: waiting on the brand review), quietly."""
    state = tmp_path / "state.db"
    args = ["register", "--sandbox", "--pause-seconds", "0", "--state", str(state)]
    process = subprocess.Popen(
        [sys.executable, "-m", "a2pctl", *args, SOLE_PROPRIETOR],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
        cwd=tmp_path,
    )
    gone = process.stdout if closed == "stdout" else process.stderr
    assert gone is not None
    gone.close()  # before a2pctl writes a line: every write to it meets a closed pipe
    done = finish(process)
    other = done.stderr if closed == "stdout" else done.stdout
    assert done.returncode == ExitCode.PENDING, other
    assert "Traceback" not in (other or "") and "internal error" not in (other or "")
    assert "Exception ignored" not in (other or "")
    store = Store.open(state, FakeClock(), read_only=True)
    steps = store.steps("jane-doe-pottery", store.registrations()[0].account)
    store.close()
    assert steps["brand"].sid and steps["brand"].sid.startswith("BN")  # the run went on


# --- servers end on Ctrl-C with 0 ---------------------------------------------------------------


def test_events_serve_ends_on_ctrl_c_with_0_like_the_sandbox(tmp_path: Path) -> None:
    env = {**cli_env(), "TWILIO_AUTH_TOKEN": "serve-test-token"}
    process = subprocess.Popen(
        [sys.executable, "-m", "a2pctl", "events", "serve", "--port", "0", "--state", "s.db"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("listening on "), first
    process.send_signal(signal.SIGINT)
    done = finish(process)
    assert done.returncode == ExitCode.OK, done.stderr
    assert "events serve stopped" in done.stderr
    assert "Traceback" not in done.stderr  # nor from the HTTP thread, stopped first
