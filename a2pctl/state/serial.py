"""One store shared by threads: `register` runs each account in its own thread, all on
one `Store` (one connection, opened with `check_same_thread=False`).

`serialised` gives the class one reentrant lock per instance, held by every public
method for its whole length, and by a public context manager (`lock`) while it is
entered and exited: another thread's statement never lands inside a transaction, and
private helpers (`_tx`) run under their public caller's hold. A method that sleeps
(`UNLOCKED`) must not hold it: the other threads would wait out its sleep.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

T = TypeVar("T", bound=type)

UNLOCKED = frozenset({"nap"})  # a wait for events (PostgreSQL's LISTEN): never held


def serialised(cls: T) -> T:
    init: Callable[..., None] = vars(cls)["__init__"]

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        self._lock = threading.RLock()
        init(self, *args, **kwargs)

    setattr(cls, "__init__", __init__)  # noqa: B010  (mypy: no assignment to a method)
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or name in UNLOCKED or not inspect.isfunction(member):
            continue  # private helpers, properties, class methods
        inner = getattr(member, "__wrapped__", None)
        if inner is not None and inspect.isgeneratorfunction(inner):
            setattr(cls, name, _locked_context(member))
        else:
            setattr(cls, name, _locked(member))
    return cls


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


def _locked_context(
    method: Callable[..., AbstractContextManager[Any]],
) -> Callable[..., AbstractContextManager[Any]]:
    """A context manager method whose entering and exiting each hold the lock (not the
    time in between: a lease is held for a whole run)."""

    @functools.wraps(method)
    @contextmanager
    def locked(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        manager = method(self, *args, **kwargs)
        with self._lock:
            value = manager.__enter__()
        try:
            yield value
        except BaseException:
            with self._lock:
                if not manager.__exit__(*sys.exc_info()):
                    raise
        else:
            with self._lock:
                manager.__exit__(None, None, None)

    return locked
