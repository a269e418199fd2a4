"""The error family every layer raises, and the exit codes of docs/contract.md §1.

Core modules raise `A2pError`s; only `cli/app.py` turns them into a message and an
exit code. An error carries what went wrong (`message`), what to do about it
(`hint`), and, where it concerns one, the field of the customer file or of the
Twilio request (`field`).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # everything asked for is complete
    FAILED = 1  # a registration failed or was rejected, or an API error retries could not pass
    USAGE = 2  # bad input or usage: invalid customer file, unknown option, missing credentials
    PENDING = 3  # waiting on an outside review: re-run later, or use --wait
    LOCKED = 4  # another a2pctl process is writing the same registration in this store
    INTERRUPTED = 130  # Ctrl-C; everything done so far is recorded


class A2pError(Exception):
    """Base of every error a user can cause or meet. Never shown as a traceback."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        field: str | None = None,
        code: int | str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return self.message


class UsageError(A2pError):
    """Bad input: an invalid file, a bad option, missing credentials."""

    exit_code = ExitCode.USAGE


class LockedError(A2pError):
    """Another process holds the writer lock of a registration."""

    exit_code = ExitCode.LOCKED


class RegistrationFailed(A2pError):
    """A registration was rejected (noncompliant, FAILED brand or campaign...)."""

    exit_code = ExitCode.FAILED


class StateError(A2pError):
    """The state store cannot be opened or is from a newer a2pctl."""

    exit_code = ExitCode.FAILED
