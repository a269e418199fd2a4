"""Running a command: every way it can end becomes one message and an exit code.

Apart from the program (cli/app.py), as in httpie's `raw_main` vs `program`: A2pError
→ its message, hint and exit code; Typer/Click usage errors → exit 2; Ctrl-C and
SIGTERM → 130; anything unexpected → one line and exit 1, the traceback only
with -v. With `--json`, the error is also one JSON document on stdout. A reader
that goes away (a broken pipe) silences that stream and changes nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from a2pctl.errors import A2pError, ExitCode

if TYPE_CHECKING:
    from rich.console import Console


def _print_error(err: A2pError, console: Console) -> None:
    from rich.markup import escape  # messages carry paths and Twilio's text: never markup

    where = f" ({err.field})" if err.field else ""
    code = f" [{err.code}]" if err.code is not None else ""
    console.print(f"[bold red]error:[/] {escape(f'{err.message}{where}{code}')}")
    if err.hint:
        console.print(f"[bold]hint:[/] {escape(err.hint)}")


# The "kind" of an error document, by exit code (docs/contract.md §1).
_ERROR_KINDS: dict[int, str] = {
    ExitCode.FAILED: "failed",
    ExitCode.USAGE: "usage",
    ExitCode.PENDING: "pending",
    ExitCode.LOCKED: "locked",
    ExitCode.INTERRUPTED: "interrupted",
}
_INTERRUPTED = "interrupted: everything done so far is recorded"


def _wants_json(args: list[str]) -> bool:
    """`--json` anywhere among the options (not after a `--`, where only files follow)."""
    options = args[: args.index("--")] if "--" in args else args
    return "--json" in options


def _print_error_document(
    code: int,
    message: str,
    *,
    kind: str | None = None,
    hint: str | None = None,
    field: str | None = None,
) -> None:
    """The one JSON document of a command that ended on an error (its text is on stderr)."""
    import json

    document = {
        "error": {
            "code": int(code),
            "kind": kind or _ERROR_KINDS.get(code, "failed"),
            "message": message,
            "hint": hint,
            "field": field,
        }
    }
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    sys.stdout.flush()


def _usage_error_parts(exc: Exception) -> tuple[str, str | None, str | None]:
    """Message, hint and option of a Typer/Click usage error, for the JSON document."""
    format_message = getattr(exc, "format_message", None)
    message = str(format_message()) if callable(format_message) else str(exc)
    ctx = getattr(exc, "ctx", None)
    hint = f"try '{ctx.command_path} --help' for help" if ctx is not None else None
    field = getattr(exc, "option_name", None)  # NoSuchOption, BadOptionUsage
    param = getattr(exc, "param", None)
    if field is None and param is not None:
        opts = getattr(param, "opts", None) or []
        field = opts[0] if opts and getattr(param, "param_type_name", "") == "option" else None
        field = field or getattr(param, "name", None)
    return message, hint, str(field) if field else None


class _PipeSafe:
    """A text stream that stops writing, quietly, once its reader is gone (`a2pctl register
    … | head -1`): the command goes on to its end and exits with its own code, as if its
    output had been read. The descriptor then points at /dev/null, so that no later flush
    (the interpreter's own, at exit) meets the closed pipe again."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return int(self._stream.write(text))
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        import os

        self.reader_gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass  # not a descriptor (a test's capture): nothing will flush it at exit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM, handled as Ctrl-C: the run unwinds, recording what it did, and exits 130."""
    import signal

    # One interrupt is enough: a second SIGTERM must not break the unwinding it started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _handle_sigterm() -> Callable[[], None]:
    """Install the SIGTERM handler (main thread only); return what restores the previous one."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, _on_sigterm)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


GLOBAL_FLAGS = ("-v", "--verbose", "--no-color")  # the root's flags that take no value


def hoist_global_flags(args: list[str], flags: tuple[str, ...] = GLOBAL_FLAGS) -> list[str]:
    """One rule for global flags: accepted before or after the command (`status --no-color`,
    `sandbox -v`), moved before it, where the root command reads them. Not after `--`,
    where only files follow; commands must not reuse these names."""
    end = args.index("--") if "--" in args else len(args)
    hoisted = [arg for arg in args[:end] if arg in flags]
    rest = [arg for arg in args[:end] if arg not in flags]
    return hoisted + rest + args[end:]


def run(
    command: Any,
    args: list[str],
    *,
    verbose: Callable[[], bool],
    console: Callable[[bool], Console],
) -> int:
    """Run the Typer command; return the exit code, whatever happened.

    With `--json`, an error that ends the command (bad usage, credentials, state,
    lock, interruption) is also one JSON document on stdout:
    `{"error": {"code", "kind", "message", "hint", "field"}}`. SIGTERM is Ctrl-C. A closed
    stdout or stderr (`| head`) stops that output, not the command (`_PipeSafe`).
    `verbose` is read after parsing (the -v option sets it); `console(stderr)` draws.
    """
    restore = _handle_sigterm()
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _PipeSafe(sys.stdout), _PipeSafe(sys.stderr)
    try:
        return _run(command, args, _wants_json(args), verbose, lambda: console(True))
    finally:
        sys.stdout, sys.stderr = streams
        restore()


def _run(
    command: Any,
    args: list[str],
    as_json: bool,
    verbose: Callable[[], bool],
    stderr: Callable[[], Console],
) -> int:
    def interrupted() -> int:
        stderr().print(_INTERRUPTED)
        if as_json:
            _print_error_document(
                ExitCode.INTERRUPTED,
                _INTERRUPTED,
                hint="re-run the same command to resume where it stopped",
            )
        return ExitCode.INTERRUPTED

    try:
        # Without standalone mode Typer returns (not raises) a typer.Exit's code.
        returned = command.main(args=args, prog_name="a2pctl", standalone_mode=False)
        code: int = returned if isinstance(returned, int) else ExitCode.OK
        if code == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into this exit code
            code = interrupted()
    except typer.Exit as exc:
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):  # Typer turns Ctrl-C into Abort
        code = interrupted()
    except A2pError as err:
        if verbose():
            import traceback

            traceback.print_exc()
        _print_error(err, stderr())
        code = err.exit_code
        if as_json:
            _print_error_document(code, err.message, hint=err.hint, field=err.field)
    except Exception as exc:
        show = getattr(exc, "show", None)
        if callable(show) and hasattr(exc, "exit_code"):  # Typer/Click usage errors
            show()
            code = ExitCode.USAGE
            if as_json:
                message, hint, field = _usage_error_parts(exc)
                _print_error_document(code, message, hint=hint, field=field)
        else:  # last resort: never a bare traceback for the user
            if verbose():
                import traceback

                traceback.print_exc()
            error = A2pError(
                f"internal error: {type(exc).__name__}: {exc}",
                hint="re-run with -v for details and report it",
            )
            _print_error(error, stderr())
            code = ExitCode.FAILED
            if as_json:
                _print_error_document(code, error.message, kind="internal", hint=error.hint)
    return code
