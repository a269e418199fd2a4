"""Reading an input path within bounds of size and time, whatever the path is.

Customer files, the Console's CSV report and saved payloads are read here. The size
of a file is never trusted (`/dev/zero` and `/proc` files report 0, a pipe has
none): at most `max_bytes + 1` bytes are read, and one more than allowed means
"too large". Pipes, FIFOs and devices are read without blocking, under a
deadline: a FIFO nobody writes to is empty at once, a writer that stalls is given
up on after `wait_seconds`. A terminal is the exception: the user is typing, and
Ctrl-D or Ctrl-C ends it. Every refusal is an `Unreadable` with a short reason.
"""

from __future__ import annotations

import os
import select
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from a2pctl.errors import UsageError

WAIT_SECONDS = 10.0  # a pipe or FIFO that sends nothing for this long is given up on
CHUNK_BYTES = 64 * 1024
STDIN = "-"


class Unreadable(UsageError):
    """An input that cannot be read within the bounds. `reason` says why, without the path."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot read {path}: {reason}")
        self.reason = reason


# Opening a FIFO must not wait for a writer (POSIX; elsewhere there are no FIFOs to open).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def read_input(
    path: str | Path,
    *,
    max_bytes: int,
    wait_seconds: float = WAIT_SECONDS,
    stdin: BinaryIO | None = None,
) -> bytes:
    """The bytes of `path` (`-`: `stdin`, the caller's standard input), or `Unreadable`."""
    label = str(path)
    if label == STDIN and stdin is not None:
        try:
            fd = stdin.fileno()
        except (OSError, ValueError):  # not a file descriptor (a test's BytesIO): in memory
            data = stdin.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise Unreadable(label, f"too large: more than {max_bytes:,} bytes") from None
            return data
        return _read_fd(fd, label, max_bytes, wait_seconds, owned=False)
    try:
        fd = os.open(label, _OPEN_FLAGS | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise Unreadable(label, "no such file") from None
    except IsADirectoryError:
        raise Unreadable(label, "is a directory") from None
    except OSError as exc:
        raise Unreadable(label, exc.strerror or str(exc)) from None
    try:
        return _read_fd(fd, label, max_bytes, wait_seconds, owned=True)
    finally:
        os.close(fd)


def _read_fd(fd: int, label: str, max_bytes: int, wait_seconds: float, *, owned: bool) -> bytes:
    """`owned`: opened here (without blocking), not inherited like standard input."""
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        raise Unreadable(label, "is a directory")
    regular = stat.S_ISREG(mode) or stat.S_ISBLK(mode)
    if regular or os.isatty(fd) or not hasattr(select, "poll"):
        if owned:
            os.set_blocking(fd, True)  # a disk never stalls for long; a terminal is the user
        return _read_all(fd, label, max_bytes, lambda: None)
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + wait_seconds
    waited = False

    def wait() -> None:
        """Until there is something to read (data or the end), within the deadline."""
        nonlocal waited
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            raise Unreadable(
                label, f"nothing arrived within {wait_seconds:g} s: is anything writing?"
            )
        waited = True

    if os.get_blocking(fd):
        wait()  # a blocking pipe (standard input): read only once poll says it will not block
    data = _read_all(fd, label, max_bytes, wait, blocking=os.get_blocking(fd))
    if not data and stat.S_ISFIFO(mode) and not waited:
        raise Unreadable(
            label, "empty: nothing was written to it (a FIFO's writer must be started first)"
        )
    return data


def _read_all(
    fd: int, label: str, max_bytes: int, wait: Callable[[], None], *, blocking: bool = True
) -> bytes:
    """Up to the end, or `too large` at one byte past `max_bytes`; `wait` when the read
    would block (`blocking`: before each read after the first)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = os.read(fd, min(CHUNK_BYTES, max_bytes + 1 - size))
        except BlockingIOError:
            wait()
            continue
        except OSError as exc:
            raise Unreadable(label, exc.strerror or str(exc)) from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise Unreadable(label, f"too large: more than {max_bytes:,} bytes")
        if blocking:
            wait()
