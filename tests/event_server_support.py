"""`events serve` for tests: an EventServer on 127.0.0.1:0 in a thread of its own, its
store opened on that thread (SQLite's rule), shut down and joined at the end."""

from __future__ import annotations

import http.client
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from a2pctl.events.record import ReceivedEvent
from a2pctl.events.server import EventServer
from a2pctl.pacing import FakeClock
from a2pctl.state.store import Store


@dataclass
class Collected:
    """An observer that keeps what the server reports."""

    events: list[ReceivedEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def event(self, received: ReceivedEvent) -> None:
        self.events.append(received)

    def problem(self, line: str) -> None:
        self.problems.append(line)


@dataclass
class Served:
    server: EventServer
    log: Collected
    state: Path

    @property
    def port(self) -> int:
        return self.server.port


def post(port: int, target: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """One POST to the server on loopback: its status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", target, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def stored_events(state: Path) -> list[str]:
    """The ids of the events recorded in the store at `state`."""
    store = Store.open(state, FakeClock())
    try:
        return [e.id for e in store.events()]
    finally:
        store.close()


@contextmanager
def event_server(
    state: Path,
    *,
    prepare: Callable[[Store], None] | None = None,
    poll_interval: float = 0.02,
    **options: Any,
) -> Iterator[EventServer]:
    """Serve until the block ends. `prepare`: run on the store first (seed records);
    `options`: EventServer's (public_url, auth_tokens, observer, deadlines)."""
    started: queue.Queue[EventServer | BaseException] = queue.Queue()

    def serve() -> None:
        store = Store.open(state, FakeClock())
        try:
            if prepare is not None:
                prepare(store)
            server = EventServer("127.0.0.1", 0, store=store, **options)
        except BaseException as exc:
            started.put(exc)
            store.close()
            raise
        started.put(server)
        try:
            server.serve_forever(poll_interval=poll_interval)
        finally:
            server.server_close()
            store.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    server = started.get(timeout=10)
    if isinstance(server, BaseException):
        raise server
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert not thread.is_alive()
