"""Shared fixtures. Tests never touch the network and never sleep for real."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import InProcess
from paths import REPO
from postgres_support import REQUIRED, PostgresServer, Unavailable

from a2pctl.pacing import FakeClock
from a2pctl.state.location import Location
from a2pctl.state.store import Store


def pytest_configure(config: pytest.Config) -> None:
    """Temporary files stay inside the clone (its ignored `.cache/`), unless told otherwise."""
    if not config.option.basetemp:
        (REPO / ".cache").mkdir(exist_ok=True)
        config.option.basetemp = REPO / ".cache" / "pytest"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    s = Store.open(tmp_path / "state" / "state.db", clock)
    yield s
    s.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session (`postgres_support`), started when first asked."""
    try:
        server = PostgresServer(REPO / ".cache")
        server.start()
    except Unavailable as exc:
        if REQUIRED:
            pytest.fail(f"PostgreSQL is required here (A2PCTL_TEST_POSTGRES) but: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    """A new, empty store's location on each backend: a SQLite file, a PostgreSQL schema."""
    if request.param == "sqlite":
        return Location(path=tmp_path / "state" / "state.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    return Location(url=server.fresh_url())


@pytest.fixture
def any_store(location: Location, clock: FakeClock) -> Iterator[Store]:
    """An open store on each backend."""
    s = Store.open(location, clock)
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _no_twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's real credentials and region out of every test."""
    for var in (
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_API_KEY",
        "TWILIO_API_SECRET",
        "TWILIO_REGION",
        "TWILIO_EDGE",
        "A2PCTL_STATE",
        "A2PCTL_API_URL",
        "A2PCTL_PAUSE_SECONDS",
        "A2PCTL_RATE",
        "A2PCTL_SANDBOX_SCENARIO",
        "A2PCTL_POLL_SECONDS",
        "NO_COLOR",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> InProcess:
    """`cli(*args, cwd=...)`: a2pctl in this process, on this test's fake clock, in a wide
    colourless terminal as `cli_support.a2pctl` runs it."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    return InProcess(capsys, clock)
