"""Bounded reads: whatever a path is (a device, a FIFO, a pipe, standard input), reading it
ends soon, with the data or a clear refusal, and never holds more than the limit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import InProcess, cli_env
from paths import EXAMPLES

from a2pctl.errors import ExitCode
from a2pctl.spec.reading import Unreadable, read_input

SOLE_PROPRIETOR = EXAMPLES / "sole-proprietor.yaml"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_device_is_too_large_within_2_s_with_exit_2(
    cli: InProcess, tmp_path: Path, device: str
) -> None:
    started = time.monotonic()
    done = cli("validate", device, cwd=tmp_path)
    assert time.monotonic() - started < 2.0
    assert done.returncode == ExitCode.USAGE
    assert done.stdout == f"{device}: too large for a customer file (more than 1,000,000 bytes)\n"


def test_a_fifo_without_writer_ends_within_2_s_with_exit_2(cli: InProcess, tmp_path: Path) -> None:
    fifo = tmp_path / "customer.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    done = cli("validate", str(fifo), cwd=tmp_path)
    assert time.monotonic() - started < 2.0
    assert done.returncode == ExitCode.USAGE
    assert "empty: nothing was written to it (a FIFO's writer must be started first)" in done.stdout


def test_a_fifo_whose_writer_has_written_and_gone_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "customer.yaml"
    os.mkfifo(fifo)
    text = SOLE_PROPRIETOR.read_bytes()
    holder = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so that the writer need not wait
    try:
        writer = os.open(fifo, os.O_WRONLY)
        os.write(writer, text)
        os.close(writer)
        assert read_input(fifo, max_bytes=1_000_000) == text
    finally:
        os.close(holder)


def test_a_pipe_that_stalls_is_given_up_on_at_the_deadline() -> None:
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"name: jane")  # then nothing more, and never closed
        with pytest.raises(Unreadable, match="nothing arrived within 0 s"):
            read_input(f"/dev/fd/{read_end}", max_bytes=1000, wait_seconds=0)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_more_than_the_limit_is_refused_after_reading_one_byte_past_it(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 101)
    assert read_input(path, max_bytes=101) == b"x" * 101
    with pytest.raises(Unreadable, match="too large: more than 100 bytes"):
        read_input(path, max_bytes=100)


def _a2pctl(*args: str, stdin: int | None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "a2pctl", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(),
    )


@pytest.mark.skipif(shutil.which("yes") is None, reason="no `yes` command on this system")
def test_yes_piped_into_validate_stdin_is_refused_at_1_mb_not_read_to_the_end() -> None:
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    assert yes.stdout is not None
    try:
        process = _a2pctl("validate", "/dev/stdin", stdin=yes.stdout.fileno())
        yes.stdout.close()  # a2pctl holds the only reading end: `yes` stops when it goes
        out, err = process.communicate(timeout=60)
    finally:
        yes.kill()
        yes.wait()
    assert process.returncode == ExitCode.USAGE, err
    assert out.decode() == "/dev/stdin: too large for a customer file (more than 1,000,000 bytes)\n"


def test_a_customer_file_piped_into_validate_stdin_is_read() -> None:
    with SOLE_PROPRIETOR.open("rb") as file:
        process = _a2pctl("validate", "/dev/stdin", stdin=file.fileno())
        out, err = process.communicate(timeout=60)
    assert process.returncode == ExitCode.OK, err
    assert out.decode() == "/dev/stdin: valid\n"
