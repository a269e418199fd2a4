"""Every malformed input of the corpus (`corpus.py`) ends in its documented exit code and
one clear message naming the field, the option or the file: no "internal error", no
traceback, and not one request sent to Twilio (the `requests` transport is mocked, and
any request would be counted)."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import responses
from cli_support import InProcess
from corpus import ENV_CASES, FILE_CASES, OPTION_CASES, RAW_FILES, STORE_DAMAGES, FileCase
from paths import REPO

from a2pctl.errors import ExitCode

EXAMPLES = REPO / "examples"
ACCOUNT = "AC" + "1" * 32
PAYLOAD = REPO / "tests" / "fixtures" / "events" / "campaign-submitted.json"


@pytest.fixture
def no_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    """Credentials as a user has them, and a transport that counts every request."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "corpus-auth-token")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
    assert [call.request.url for call in mock.calls] == []


def clear_ending(done: subprocess.CompletedProcess[str], code: int, *named: str) -> str:
    """The command's whole output, once it is known to end as the contract says."""
    text = done.stdout + done.stderr
    assert done.returncode == code, text
    assert "internal error" not in text and "Traceback" not in text, text
    assert "corpus-auth-token" not in text
    for name in named:
        assert name in text, (name, text)
    return text


# --- customer files ---------------------------------------------------------------------------


def write_case(tmp_path: Path, item: FileCase) -> Path:
    text = (EXAMPLES / item.example).read_text(encoding="utf-8")
    assert text.count(item.old) == 1, f"{item.id}: {item.old!r} is not in {item.example} once"
    path = tmp_path / f"{item.id}.yaml"
    path.write_text(text.replace(item.old, item.new), encoding="utf-8")
    return path


def test_the_corpus_holds_over_a_hundred_malformed_inputs() -> None:
    special = len(SPECIAL_FILES) * len(READERS)
    stores = len(DAMAGED) + len(NO_STORE)
    total = len(FILE_CASES) + len(RAW_FILES) + special + len(OPTION_CASES) + len(ENV_CASES) + stores
    assert total >= 100, total


@pytest.mark.parametrize("item", FILE_CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("command", ["validate", "plan", "register"])
def test_a_malformed_customer_file_names_its_field(
    cli: InProcess,
    tmp_path: Path,
    no_requests: responses.RequestsMock,
    item: FileCase,
    command: str,
) -> None:
    path = write_case(tmp_path, item)
    done = cli(command, str(path), cwd=tmp_path)
    text = clear_ending(done, ExitCode.USAGE, path.name)
    if item.field is not None:
        assert item.field in text
    else:
        assert re.search(rf"{re.escape(str(path))}:\d+:", text), text
    assert not (tmp_path / ".a2pctl").exists()  # refused before any store is opened


@pytest.mark.parametrize(("name", "content"), RAW_FILES, ids=[name for name, _ in RAW_FILES])
@pytest.mark.parametrize("command", ["validate", "register"])
def test_a_file_that_is_no_customer_file_is_named(
    cli: InProcess,
    tmp_path: Path,
    no_requests: responses.RequestsMock,
    name: str,
    content: bytes,
    command: str,
) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    clear_ending(cli(command, str(path), cwd=tmp_path), ExitCode.USAGE, str(path))


# --- special files: devices, FIFOs, directories, sockets, loops --------------------------------


def _fifo(tmp_path: Path) -> str:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return str(path)


def _socket(tmp_path: Path) -> str:
    path = tmp_path / "socket"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))  # left to the garbage collector: the path is what matters
    return str(path)


def _loop(tmp_path: Path) -> str:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    return str(tmp_path / "loop")


def _under_a_file(tmp_path: Path) -> str:
    (tmp_path / "plain").write_text("x")
    return str(tmp_path / "plain" / "customer.yaml")


SPECIAL_FILES = {
    "dev-zero": lambda tmp: "/dev/zero",
    "dev-urandom": lambda tmp: "/dev/urandom",
    "dev-null": lambda tmp: "/dev/null",
    "fifo-without-writer": _fifo,
    "directory": lambda tmp: str(tmp),
    "missing": lambda tmp: str(tmp / "missing.yaml"),
    "unix-socket": _socket,
    "symlink-loop": _loop,
    "under-a-file": _under_a_file,
}
READERS = {
    "validate": ["validate"],
    "numbers-report": ["numbers", "report"],
    "events-decode": ["events", "decode"],
}


@pytest.mark.parametrize("special", SPECIAL_FILES)
@pytest.mark.parametrize("reader", READERS)
def test_a_special_file_is_refused_at_once_naming_it(
    cli: InProcess, tmp_path: Path, no_requests: responses.RequestsMock, special: str, reader: str
) -> None:
    target = SPECIAL_FILES[special](tmp_path)
    done = cli(*READERS[reader], target, cwd=tmp_path)
    clear_ending(done, ExitCode.USAGE, target)


# --- option values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "named"), [c[1:] for c in OPTION_CASES], ids=[c[0] for c in OPTION_CASES]
)
def test_an_impossible_option_value_is_a_usage_error_naming_it(
    cli: InProcess, tmp_path: Path, no_requests: responses.RequestsMock, args: list[str], named: str
) -> None:
    file = str(EXAMPLES / "sole-proprietor.yaml")
    done = cli(*[file if a == "{file}" else a for a in args], cwd=tmp_path)
    clear_ending(done, ExitCode.USAGE, named)


@pytest.mark.parametrize(
    ("variable", "value", "option"), [c[1:] for c in ENV_CASES], ids=[c[0] for c in ENV_CASES]
)
def test_an_impossible_environment_value_is_a_usage_error_naming_its_option(
    cli: InProcess,
    tmp_path: Path,
    no_requests: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    option: str,
) -> None:
    monkeypatch.setenv(variable, value)
    done = cli("register", "--wait", str(EXAMPLES / "sole-proprietor.yaml"), cwd=tmp_path)
    clear_ending(done, ExitCode.USAGE, option)


# --- damaged state stores ---------------------------------------------------------------------


def _registered_store(cli: InProcess, tmp_path: Path) -> Path:
    """A store holding one registration, up to its brand gate, as in the user's account."""
    state = tmp_path / "store" / "state.db"
    example = str(EXAMPLES / "sole-proprietor.yaml")
    done = cli("register", "--sandbox", "--state", str(state), example, cwd=tmp_path)
    assert done.returncode == ExitCode.PENDING, done.stderr
    conn = sqlite3.connect(state)
    for table in ("registrations", "steps", "resources"):
        conn.execute(f"UPDATE {table} SET account = ?", (ACCOUNT,))
    conn.commit()
    conn.close()
    return state


def damage(state: Path, how: str) -> None:
    if how == "zero-all":
        state.write_bytes(b"\0" * state.stat().st_size)
    elif how == "zero-pages":
        with state.open("r+b") as file:
            file.seek(4096 * 2)
            file.write(b"\0" * 4096 * 6)
    elif how == "truncate":
        state.write_bytes(state.read_bytes()[:1000])
    elif how == "text":
        state.write_text("name: not a database\n")
    else:
        conn = sqlite3.connect(state)
        conn.executescript(how)
        conn.close()


STORE_COMMANDS = {
    "status": ["status"],
    "plan": ["plan", "{file}"],
    "register": ["register", "{file}"],
}
DAMAGED = [
    pytest.param(how, says, command, id=f"{command}-{name}")
    for name, how, says, commands in STORE_DAMAGES
    for command in commands
]


@pytest.mark.parametrize(("how", "says", "command"), DAMAGED)
def test_a_damaged_store_is_named_with_the_way_out_before_any_request(
    cli: InProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    says: str,
    command: str,
) -> None:
    state = _registered_store(cli, tmp_path)
    damage(state, how)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "corpus-auth-token")
    file = str(EXAMPLES / "sole-proprietor.yaml")
    args = [file if a == "{file}" else a for a in STORE_COMMANDS[command]]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        done = cli(*args, "--state", str(state), cwd=tmp_path)
        assert len(mock.calls) == 0
    text = clear_ending(done, ExitCode.USAGE, str(state), says)
    assert f"mv {state} {state}.damaged" in text


BAD_STORE_PATHS: dict[str, Callable[[Path], Path]] = {
    "missing": lambda tmp: tmp / "no" / "such" / "state.db",
    "a-directory": lambda tmp: tmp,
    "under-a-file": lambda tmp: Path(_under_a_file(tmp)).with_name("state.db"),
}


# register creates a missing store: that is its job, not a malformed input.
NO_STORE = [
    pytest.param(bad, command, id=f"{command}-{bad}")
    for bad in BAD_STORE_PATHS
    for command in ("status", "status-sandbox", "register")
    if (command, bad) != ("register", "missing")
]


@pytest.mark.parametrize(("bad", "command"), NO_STORE)
def test_a_state_path_that_names_no_store_is_refused_creating_nothing(
    cli: InProcess, tmp_path: Path, no_requests: responses.RequestsMock, bad: str, command: str
) -> None:
    state = BAD_STORE_PATHS[bad](tmp_path)
    args = {
        "status": ["status"],
        "status-sandbox": ["status", "--sandbox"],
        "register": ["register", str(EXAMPLES / "sole-proprietor.yaml")],
    }[command]
    before = sorted(tmp_path.rglob("*"))
    done = cli(*args, "--state", str(state), cwd=tmp_path)
    clear_ending(done, ExitCode.USAGE, str(state))
    assert sorted(tmp_path.rglob("*")) == before
