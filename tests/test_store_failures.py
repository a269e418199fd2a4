"""The state store when its file is not what it should be: loose modes, read-only, gone
mid-run, a full disk. Each is noticed and answered clearly; nothing recorded is lost."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import TIMEOUT, InProcess, cli_env
from engine_support import SOLE_PROPRIETOR, STANDARD, count_resources, make_world
from paths import REPO
from test_cli_register import _sandbox_brands

from a2pctl.errors import ExitCode, StateError
from a2pctl.pacing import FakeClock
from a2pctl.state import database
from a2pctl.state.store import Store

PAYLOAD = REPO / "tests" / "fixtures" / "events" / "brand-registered.json"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- modes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opening",
    [{}, {"create": False}, {"read_only": True}],
    ids=["register", "status", "plan"],
)
def test_an_existing_store_with_loose_modes_is_made_private_on_every_open(
    tmp_path: Path, clock: FakeClock, opening: dict[str, bool]
) -> None:
    own = tmp_path / ".a2pctl"
    state = own / "state.db"
    Store.open(state, clock).close()
    os.chmod(own, 0o755)
    os.chmod(state, 0o644)
    store = Store.open(state, clock, **opening)
    assert (mode(own), mode(state)) == (0o700, 0o600)
    wal = Path(f"{state}-wal")
    assert not wal.exists() or mode(wal) == 0o600
    store.close()


def test_a_directory_of_the_users_keeps_its_mode_but_the_store_is_private(
    tmp_path: Path, clock: FakeClock
) -> None:
    project = tmp_path / "project"
    project.mkdir(mode=0o755)
    os.chmod(project, 0o755)
    (project / "state.db").touch(mode=0o666)
    os.chmod(project / "state.db", 0o666)
    Store.open(project / "state.db", clock).close()
    assert (mode(project), mode(project / "state.db")) == (0o755, 0o600)


# --- read-only ------------------------------------------------------------------------------


@pytest.fixture
def read_only_store(cli: InProcess, tmp_path: Path) -> Iterator[Path]:
    """A store holding one registration that nobody can write: its directory and file are
    read-only, and SQLite cannot even create the `-shm` file a WAL store needs beside it
    (a directory is in the way: that holds for root too, who ignores modes)."""
    state = tmp_path / "shared" / "state.db"
    example = str(SOLE_PROPRIETOR)
    done = cli("register", "--sandbox", "--state", str(state), example, cwd=tmp_path)
    assert done.returncode == ExitCode.PENDING, done.stderr
    Path(f"{state}-shm").mkdir()
    os.chmod(state, 0o444)
    os.chmod(state.parent, 0o555)
    yield state
    os.chmod(state.parent, 0o755)


def _fingerprint(state: Path) -> tuple[str, int]:
    """The store's bytes, and what its WAL holds (SQLite, reading as root, may leave an
    empty `-wal` beside a store it could not write: no content)."""
    wal = Path(f"{state}-wal")
    return hashlib.sha256(state.read_bytes()).hexdigest(), wal.stat().st_size if wal.exists() else 0


def test_plan_reads_a_read_only_store_and_changes_nothing(
    cli: InProcess, tmp_path: Path, read_only_store: Path
) -> None:
    before = _fingerprint(read_only_store)
    done = cli(
        "plan", "--sandbox", "--state", str(read_only_store), str(SOLE_PROPRIETOR), cwd=tmp_path
    )
    assert done.returncode == ExitCode.OK, done.stderr
    assert "✓ Brand registration  BN" in done.stdout  # read from the store
    assert _fingerprint(read_only_store) == before


def test_events_decode_reads_a_read_only_store_and_changes_nothing(
    cli: InProcess, tmp_path: Path, read_only_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _fingerprint(read_only_store)
    monkeypatch.setenv("A2PCTL_STATE", str(read_only_store))
    done = cli("events", "decode", "--json", str(PAYLOAD), cwd=tmp_path)
    assert done.returncode == ExitCode.OK, done.stderr
    assert _fingerprint(read_only_store) == before


def test_a_store_that_cannot_be_written_is_read_for_status_and_keeps_no_cache(
    read_only_store: Path, clock: FakeClock
) -> None:
    before = _fingerprint(read_only_store)
    store = Store.open(read_only_store, clock, create=False)
    assert store.read_only
    [registration] = store.registrations()
    store.record_resource("BN" + "0" * 32, kind="brand", status="APPROVED", source="status")
    assert store.find_resource("BN" + "0" * 32) is None
    store.close()
    assert _fingerprint(read_only_store) == before
    assert registration.name == "jane-doe-pottery"


def test_register_on_a_read_only_store_is_refused_before_anything_is_sent(
    cli: InProcess, tmp_path: Path, read_only_store: Path
) -> None:
    done = cli(
        "register", "--sandbox", "--state", str(read_only_store), str(SOLE_PROPRIETOR), cwd=tmp_path
    )
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.startswith(f"error: cannot write the state store {read_only_store}: ")
    assert "read-only" in done.stderr


# --- a reading command never creates a store ----------------------------------------------------


@pytest.mark.parametrize("sandbox", [[], ["--sandbox"]], ids=["twilio", "sandbox"])
def test_status_with_a_mistyped_state_path_says_so_and_creates_nothing(
    cli: InProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox: list[str]
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "not-a-real-token")
    typo = tmp_path / ".a2pctl" / "stat.db"
    done = cli("status", *sandbox, "--state", str(typo), cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr == (
        f"error: no state store at {typo}\n"
        "hint: check --state (A2PCTL_STATE); `a2pctl register` creates it\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_status_of_a_sid_needs_no_store_and_leaves_none_behind(
    cli: InProcess, tmp_path: Path
) -> None:
    done = cli("status", "--sandbox", "BN" + "0" * 32, cwd=tmp_path)
    assert done.returncode == ExitCode.FAILED  # not a brand of the (new) sandbox account
    assert "internal error" not in done.stderr
    assert list(tmp_path.iterdir()) == []


# --- a store deleted while a run uses it ----------------------------------------------------------


def test_a_store_deleted_mid_run_is_noticed_and_the_rerun_creates_nothing_twice(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path)
    state = world.store.location.path
    assert state is not None

    def delete_the_store(method: str, path: str) -> None:
        if path == "/v1/a2p/BrandRegistrations" and method == "POST" and state.exists():
            for name in (state.name, f"{state.name}-wal", f"{state.name}-shm"):
                (state.parent / name).unlink(missing_ok=True)

    world.recorder.before = delete_the_store
    with pytest.raises(StateError) as caught:
        world.register(STANDARD)
    assert (
        str(caught.value)
        == f"the state store {state} was deleted or replaced while a2pctl was using it"
    )
    assert caught.value.exit_code == ExitCode.FAILED
    assert caught.value.hint and "creates nothing twice" in caught.value.hint
    world.recorder.before = None
    world.store = Store.open(state, world.clock)  # a new, empty store at the same path
    [outcome] = world.register(STANDARD)
    assert outcome.outcome == "complete", outcome.errors
    assert count_resources(world)["brands"] == 1


# --- a full disk ---------------------------------------------------------------------------------


def test_sqlites_full_disk_is_a_clear_message_that_keeps_what_was_recorded(tmp_path: Path) -> None:
    error = database.failure(sqlite3.OperationalError("database or disk is full"), tmp_path)
    assert str(error) == f"cannot write the state store {tmp_path}: the disk is full"
    assert error.exit_code == ExitCode.FAILED
    assert error.hint and "everything recorded before is kept" in error.hint


def _file_size_limit(limit: int) -> None:
    """In the child: files may not grow past `limit` bytes (as on a full disk); the
    signal that would kill it is ignored, so the write fails as ENOSPC would."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_disk_that_fills_during_register_ends_clearly_and_a_rerun_completes(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state" / "state.db"
    args = [sys.executable, "-m", "a2pctl", "register", "--sandbox", "--pause-seconds", "0"]
    full = subprocess.run(
        [*args, "--state", str(state), str(SOLE_PROPRIETOR)],
        capture_output=True,
        text=True,
        env=cli_env(),
        cwd=tmp_path,
        timeout=TIMEOUT,
        preexec_fn=lambda: _file_size_limit(64 * 1024),
    )
    assert full.returncode == ExitCode.FAILED, full.stderr
    assert f"error: cannot write the state store {state}: " in full.stderr
    assert "internal error" not in full.stderr and "Traceback" not in full.stderr
    again = subprocess.run(
        [*args, "--wait", "--state", str(state), str(SOLE_PROPRIETOR)],
        capture_output=True,
        text=True,
        env=cli_env(),
        cwd=tmp_path,
        timeout=TIMEOUT,
    )
    assert again.returncode == ExitCode.OK, again.stderr
    assert len(_sandbox_brands(state)) == 1
