"""A real PostgreSQL server for the tests: initdb + pg_ctl from the distribution's
package into a directory of the test session, on a free localhost port, stopped and
removed when the session ends.

Each test gets its own schema (`fresh_url`), so tests never see each other's rows
and the server is started once. Where PostgreSQL cannot be had (no `initdb`), the
tests that need it skip with the reason; with `A2PCTL_TEST_POSTGRES=required` (CI)
they fail instead. As root (initdb refuses root), the server runs as the `postgres`
user that the package creates.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from a2pctl.state.location import Location

REQUIRED = os.environ.get("A2PCTL_TEST_POSTGRES") == "required"
SERVER_USER = "postgres"  # the package's system user, when the tests run as root
_counter = itertools.count(1)


def state_arg(location: Location) -> str:
    """The `--state` argument for a store: its file, or its full URL."""
    return location.url or str(location.path)


class Unavailable(Exception):
    """PostgreSQL cannot be started here: the reason."""


def _bindir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if not versions:
        raise Unavailable(
            "no initdb on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        )
    return Path(versions[-1]).parent


def _version(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    def __init__(self, parent: Path) -> None:
        self.bindir = _bindir()
        self.as_root = os.geteuid() == 0
        self.root = self._directory(parent)
        self.data = self.root / "data"
        self.port = _free_port()
        self.started = False

    def _directory(self, parent: Path) -> Path:
        """Inside the clone when the server's user can reach it, else a private temp dir."""
        parent.mkdir(parents=True, exist_ok=True)
        root = Path(tempfile.mkdtemp(prefix="postgres-", dir=parent))
        if not self.as_root:
            return root
        shutil.chown(root, SERVER_USER, SERVER_USER)
        if self._run("test", "-w", str(root), check=False).returncode == 0:
            return root
        root.rmdir()  # an ancestor closed to the postgres user
        root = Path(tempfile.mkdtemp(prefix="a2pctl-test-postgres-"))
        shutil.chown(root, SERVER_USER, SERVER_USER)
        return root

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(argv)
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise Unavailable(
                f"{' '.join(argv[:2])} failed: {(result.stderr or result.stdout)[-500:]}"
            )
        return result

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip
        self.started = True

    def stop(self) -> None:
        if self.started:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop", check=False)  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def base_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def fresh_url(self) -> str:
        """A URL whose store lives in a new, empty schema of its own."""
        import psycopg

        schema = f"t{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return f"{self.base_url}?options=-csearch_path%3D{schema}"
