"""Errors that end a command: with --json, one JSON document on stdout; SIGTERM is Ctrl-C.

Real processes, as a script runs them (exit codes, stdout, stderr), plus a few
in-process runs of the entry point for what a process cannot easily provoke.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from a2pctl.cli.app import main
from a2pctl.pacing import SystemClock
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID
from a2pctl.state.store import Store

REPO = Path(__file__).resolve().parent.parent
SP = REPO / "examples" / "sole-proprietor.yaml"
ERROR_KEYS = {"code", "kind", "message", "hint", "field"}


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "A2PCTL_"))}


def a2pctl(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "a2pctl", *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def error_document(stdout: str) -> dict[str, Any]:
    """stdout holds exactly one JSON document, an error."""
    document = json.loads(stdout)  # fails on anything but one document
    assert set(document) == {"error"}, document
    error: dict[str, Any] = document["error"]
    assert set(error) == ERROR_KEYS, error
    return error


# --- --json: one document on stdout for every error ------------------------------------
def test_missing_credentials_with_json_print_a_usage_error_document(tmp_path: Path) -> None:
    done = a2pctl("register", "--json", str(SP), cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    error = error_document(done.stdout)
    assert error["code"] == 2
    assert error["kind"] == "usage"
    assert "credentials" in error["message"]
    assert "TWILIO_AUTH_TOKEN" in error["hint"]
    assert "missing Twilio credentials" in done.stderr  # the human message stays on stderr


def test_a_bad_timeout_with_json_prints_a_usage_error_document(tmp_path: Path) -> None:
    done = a2pctl("register", "--json", "--sandbox", "--timeout", "xyz", str(SP), cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    error = error_document(done.stdout)
    assert (error["code"], error["kind"], error["field"]) == (2, "usage", "--timeout")
    assert "xyz" in error["message"]
    assert "not a duration" in done.stderr


def test_an_unknown_option_with_json_prints_a_usage_error_document(tmp_path: Path) -> None:
    done = a2pctl("register", "--json", "--no-such-option", str(SP), cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    error = error_document(done.stdout)
    assert (error["code"], error["kind"], error["field"]) == (2, "usage", "--no-such-option")
    assert "--help" in error["hint"]
    assert "No such option" in done.stderr


def test_a_locked_sandbox_with_json_prints_a_locked_error_document(tmp_path: Path) -> None:
    store = Store.open(tmp_path / ".a2pctl" / "state.db", SystemClock())
    try:
        with store.lock("(in-process sandbox)", "-"):  # another a2pctl is driving it
            done = a2pctl("status", "--sandbox", "--json", cwd=tmp_path)
    finally:
        store.close()

    assert done.returncode == 4, done.stderr
    error = error_document(done.stdout)
    assert (error["code"], error["kind"]) == (4, "locked")
    assert error["field"] is None


def test_without_json_an_error_prints_nothing_on_stdout(tmp_path: Path) -> None:
    done = a2pctl("register", str(SP), cwd=tmp_path)

    assert done.returncode == 2
    assert done.stdout == ""
    assert "missing Twilio credentials" in done.stderr


def test_an_interrupted_command_with_json_prints_an_interrupted_document(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from a2pctl.spec import customer as spec

    def interrupt(path: Path) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(spec, "check_file", interrupt)
    with pytest.raises(SystemExit) as caught:
        main(["validate", "--json", str(SP)])

    assert caught.value.code == 130
    out, err = capsys.readouterr()
    error = error_document(out)
    assert (error["code"], error["kind"]) == (130, "interrupted")
    assert "interrupted" in err


def test_main_leaves_the_sigterm_handler_as_it_found_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = signal.getsignal(signal.SIGTERM)

    with pytest.raises(SystemExit):
        main(["schema"])

    assert signal.getsignal(signal.SIGTERM) == before


# --- SIGTERM is Ctrl-C ---------------------------------------------------------------------
def _default_signals() -> None:
    # A shell running us in the background may ignore SIGINT/SIGTERM; give them back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def test_sigterm_exits_130_and_a_rerun_finishes(tmp_path: Path) -> None:
    args = ["register", "--sandbox", "--wait", "--pause-seconds", "60", str(SP)]
    process = subprocess.Popen(
        [sys.executable, "-m", "a2pctl", *args],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_signals,
    )
    assert process.stderr is not None
    lines = []
    try:
        for line in process.stderr:  # terminate during the first documented pause
            lines.append(line)
            if "pause after" in line and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    err = "".join(lines)
    assert code == 130, err
    assert "interrupted: everything done so far is recorded" in err
    assert "Traceback" not in err

    again = a2pctl("register", "--sandbox", "--wait", "--json", str(SP), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    [registration] = json.loads(again.stdout)["registrations"]
    assert registration["outcome"] == "submitted"
    store = Store.open(tmp_path / ".a2pctl" / "state.db", SystemClock())
    try:
        steps = store.steps("jane-doe-pottery", SANDBOX_ACCOUNT_SID)
        assert {record.status for record in steps.values()} == {"done"}
        assert len([r for r in store.resources() if r.kind == "brand"]) == 1
    finally:
        store.close()


def test_an_error_message_is_printed_as_text_not_as_markup(tmp_path: Path) -> None:
    (tmp_path / "[x]").mkdir()  # a path that Rich would otherwise read as a markup tag
    example = Path(__file__).resolve().parent.parent / "examples" / "sole-proprietor.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "a2pctl", "register", "--sandbox", "--state", "[x]", str(example)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "state store [x] is a directory" in done.stderr
