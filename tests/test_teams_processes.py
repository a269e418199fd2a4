"""Several a2pctl processes on one state store (docs/architecture.md §4): two `register`
runs of one file started together pay once, whatever their timing: 3 times on a SQLite
file, 20 times on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import cli_env
from paths import EXAMPLES

from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator, serve

SP = EXAMPLES / "sole-proprietor.yaml"


@pytest.fixture
def served() -> Iterator[tuple[str, Simulator]]:
    simulator = Simulator(review_seconds=0.2)
    server = serve(simulator, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}", simulator
    server.shutdown()
    server.server_close()


ATTEMPTS = [("sqlite", n) for n in range(3)] + [("postgresql", n) for n in range(20)]


@pytest.mark.slow
@pytest.mark.parametrize(("backend", "attempt"), ATTEMPTS)
def test_two_registers_of_one_file_on_one_store_create_one_brand_and_one_campaign(
    tmp_path: Path,
    served: tuple[str, Simulator],
    backend: str,
    attempt: int,
    request: pytest.FixtureRequest,
) -> None:
    url, simulator = served
    state = str(tmp_path / "state.db")
    if backend == "postgresql":
        state = request.getfixturevalue("postgres").fresh_url()
    env = cli_env() | {
        "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
        "A2PCTL_API_URL": url,
    }
    args = ["register", "--wait", "--pause-seconds", "0.2", "--poll-seconds", "0.2"]
    args += ["--rate", "50", "--state", state, str(SP)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "a2pctl", *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    ended = [run.communicate(timeout=120) for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes in ([0, 0], [0, 4]), ended  # 4: the other held the lease
    for run, (_, err) in zip(runs, ended, strict=True):
        if run.returncode == 4:
            assert "being written by another a2pctl process" in err
    posts = [path for method, path, _ in simulator.requests if method == "POST"]
    assert sum(path.endswith("/BrandRegistrations") for path in posts) == 1, posts
    assert sum(path.endswith("/Compliance/Usa2p") for path in posts) == 1, posts
