"""The PostgreSQL store from the command line: a registration end to end, timestamps kept
to the fraction of a second, a password never shown, a missing server or a damaged
store one clear error (state/postgres.py, state/location.py)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from cli_support import InProcess
from paths import EXAMPLES
from postgres_support import PostgresServer

from a2pctl.errors import ExitCode
from a2pctl.pacing import FakeClock, SystemClock
from a2pctl.state import postgres
from a2pctl.state.location import Location, redact
from a2pctl.state.store import Store

SP = EXAMPLES / "sole-proprietor.yaml"


@pytest.fixture
def url(postgres: PostgresServer) -> str:
    return postgres.fresh_url()


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("postgresql://bob:hunter2@db:5432/a2p", "postgresql://bob:***@db:5432/a2p"),
        ("postgres://bob@db/a2p?password=hunter2&sslmode=require",
         "postgres://bob@db/a2p?password=***&sslmode=require"),
        ("postgresql://db/a2p", "postgresql://db/a2p"),
    ],
)  # fmt: skip
def test_a_location_never_shows_a_password(given: str, shown: str) -> None:
    location = Location.parse(given)
    assert location.postgres
    assert str(location) == repr(location)[10:-2] == redact(given) == shown


def test_a_path_is_a_sqlite_location() -> None:
    assert Location.parse(".a2pctl/state.db") == Location(path=Path(".a2pctl/state.db"))
    assert not Location.parse("postgresql.db").postgres


def test_register_and_status_on_a_postgresql_store(
    url: str, tmp_path: Path, cli: InProcess
) -> None:
    done = cli("register", "--sandbox", "--wait", "--json", "--state", url, str(SP), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [registered] = json.loads(done.stdout)["registrations"]
    assert registered["outcome"] == "submitted"
    shown = cli("status", "--sandbox", "--json", "--state", url, cwd=tmp_path)
    assert shown.returncode in (0, 3), shown.stderr
    items = json.loads(shown.stdout)["items"]
    brands = [item["sid"] for item in items if item["kind"] == "brand"]
    assert brands == [registered["resources"]["brand"]]
    assert {item["registration"] for item in items} == {"jane-doe-pottery"}
    again = cli("register", "--sandbox", "--json", "--state", url, str(SP), cwd=tmp_path)
    assert json.loads(again.stdout)["registrations"][0]["resources"] == registered["resources"]
    assert not (tmp_path / ".a2pctl").exists()  # nothing went to the default SQLite file


def test_times_keep_their_fractions(url: str) -> None:
    clock = FakeClock(start=1_767_225_600.125)
    store = Store.open(url, clock)
    try:
        store.upsert_registration("acme", "AC1", "standard", None)
        assert store.registrations()[0].created_at == 1_767_225_600.125
        kinds = store._conn.execute(
            "SELECT DISTINCT data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall()
        assert "real" not in {row[0] for row in kinds}  # 4-byte floats would lose seconds
    finally:
        store.close()


def test_an_unreachable_server_is_one_error_without_the_password(
    tmp_path: Path, cli: InProcess
) -> None:
    state = "postgresql://bob:hunter2@127.0.0.1:1/a2p"
    result = cli("status", "--sandbox", "--state", state, cwd=tmp_path)
    assert result.returncode == ExitCode.FAILED
    assert "cannot connect to the state store postgresql://bob:***@127.0.0.1:1/a2p" in (
        result.stderr
    )
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 2  # the error and its hint


def test_a_dropped_table_is_a_damaged_store(url: str, tmp_path: Path, cli: InProcess) -> None:
    Store.open(url, FakeClock()).close()
    conn = postgres.connect(url, read_only=False)
    conn.execute("DROP TABLE steps")
    conn.close()
    result = cli("status", "--sandbox", "--state", url, cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE
    assert "is damaged: table steps is missing" in result.stderr


def test_status_of_an_empty_database_is_no_store(url: str, tmp_path: Path, cli: InProcess) -> None:
    result = cli("status", "--sandbox", "--state", url, cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE
    assert "no state store in postgresql://" in result.stderr


def test_a_read_only_command_writes_nothing(url: str, tmp_path: Path, cli: InProcess) -> None:
    result = cli("plan", "--sandbox", "--state", url, str(SP), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    conn = postgres.connect(url, read_only=True)
    try:
        assert conn.tables() == set()  # plan of a new store: not even the schema
    finally:
        conn.close()


def test_a_wait_wakes_when_another_process_records_an_event(url: str) -> None:
    """LISTEN/NOTIFY: `register --wait` and idle workers nap on the store and wake at once."""
    waiting = Store.open(url, SystemClock())
    recording = Store.open(url, SystemClock())
    try:
        waiting.nap(0.01)  # listening from here on
        timer = threading.Timer(0.2, recording.add_event, ("CE1", "t", {}))
        timer.start()
        start = time.monotonic()
        waiting.nap(10.0)
        assert time.monotonic() - start < 2.0
        timer.join()
        assert waiting.registrations_with_events_after(0) == set()  # no registration named
    finally:
        waiting.close()
        recording.close()


def test_a_nap_on_the_fake_clock_never_blocks(url: str) -> None:
    clock = FakeClock()
    store = Store.open(url, clock)
    try:
        store.nap(30.0)
        assert clock.sleeps == [30.0]
    finally:
        store.close()
