"""The Event Streams webhook receiver behind `a2pctl events serve`.

`EventReceiver` decides what to answer (pure request in, `Reply` out, and
the state store); `EventServer` (events/server.py) is the HTTP layer around it. Nothing
touches the store before the request has passed the size and signature
checks: anything unsigned or mis-signed gets 403, anything too large 413
(judged by Content-Length, before reading the body). A body that is not
JSON (or JSON nested deeper than events/payload.py allows) gets 400. A sink's
test event is not recorded as an event: its test id is kept for `events setup`
(events/sinktest.py). In a batch, the events that decode are recorded and the ones
that do not are logged, and the answer is 400 so that the delivery shows up
in Twilio's debugger (a retry changes nothing: recorded events are replays).

Only POST is served, at the path of the public URL. Twilio's GET sinks
(`--method GET`) are not documented to carry the payload anywhere a receiver
could read and sign-check it, so GET is answered 405.

Recording goes through `record_with`, which runs it where the state store
may be used: directly (one thread), or on the store's own thread when the
server handles requests concurrently (events/server.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from a2pctl.errors import UsageError
from a2pctl.events.decode import decode_body
from a2pctl.events.payload import PayloadError
from a2pctl.events.record import ReceivedEvent, record_delivery
from a2pctl.events.signature import check_signature, signed_url
from a2pctl.state.store import Store

# Twilio limits batches to 64 kB (docs/twilio/flows.md §5.1); a body this large is not Twilio's.
MAX_BODY_BYTES = 1024 * 1024

Recording = Callable[[], list[ReceivedEvent]]


@dataclass(frozen=True)
class Reply:
    status: int
    text: str
    received: tuple[ReceivedEvent, ...] = ()
    problems: tuple[str, ...] = ()  # one log line each
    allow: str | None = None  # the Allow header of a 405


class Observer(Protocol):
    """Where the receiver reports what it did (cli renders it; core never prints)."""

    def event(self, received: ReceivedEvent) -> None: ...
    def problem(self, line: str) -> None: ...


class EventReceiver:
    """Checks, decodes and records webhook deliveries for one public URL."""

    def __init__(
        self,
        store: Store,
        *,
        public_url: str,
        auth_tokens: Sequence[str],
        max_body_bytes: int = MAX_BODY_BYTES,
        now: Callable[[], float] = time.time,
    ) -> None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(
                f"--public-url {public_url!r} is not an http(s) URL",
                hint="give the sink's destination, e.g. https://isv.example/a2p-events",
                field="--public-url",
            )
        if not [token for token in auth_tokens if token]:
            raise UsageError(
                "no auth token to check X-Twilio-Signature with",
                hint="set TWILIO_AUTH_TOKEN to the auth token of the account that owns the sink",
            )
        self.store = store
        self.public_url = public_url
        self.path = parts.path or "/"
        self._tokens = [token for token in auth_tokens if token]
        self.max_body_bytes = max_body_bytes
        self._now = now
        self._lock = threading.Lock()  # one recording at a time: the store is one connection
        # How a recording reaches the store: here, under the lock; the concurrent
        # server runs it on the store's own thread instead (events/server.py).
        self.record_with: Callable[[Recording], list[ReceivedEvent]] = self._directly

    def _directly(self, work: Recording) -> list[ReceivedEvent]:
        with self._lock:
            return work()

    def check_request(self, method: str, target: str, content_length: str | None) -> Reply | None:
        """The answer due before reading any body (None: read it and call `handle_post`)."""
        if target.partition("?")[0] != self.path:
            return Reply(404, "not found", problems=("404 not the webhook path",))
        if method != "POST":
            return Reply(
                405,
                "only POST deliveries are accepted",
                problems=(f"405 {method} is not accepted (create the sink with --method POST)",),
                allow="POST",
            )
        if content_length is None:
            return Reply(411, "Content-Length required", problems=("411 no Content-Length",))
        try:
            length = int(content_length)
        except ValueError:
            return Reply(400, "bad Content-Length", problems=("400 bad Content-Length",))
        if length < 0:
            return Reply(400, "bad Content-Length", problems=("400 bad Content-Length",))
        if length > self.max_body_bytes:
            return Reply(
                413,
                "body too large",
                problems=(f"413 body of {length} bytes (limit {self.max_body_bytes})",),
            )
        return None

    def handle_post(self, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Answer one POST. `headers` keyed in lower case."""
        early = self.check_request("POST", target, str(len(body)))
        if early is not None:
            return early
        url = signed_url(self.public_url, target)
        refused = check_signature(tokens=self._tokens, url=url, body=body, headers=headers)
        if refused is not None:
            return Reply(403, "forbidden", problems=(f"403 rejected: {refused}",))
        try:
            decoded = decode_body(body)
        except PayloadError as exc:
            return Reply(400, "malformed body", problems=(f"400 malformed body: {exc}",))
        events = decoded.events
        received = tuple(
            self.record_with(
                lambda: record_delivery(
                    self.store, self.public_url, events, received_at=self._now()
                )
            )
        )
        if decoded.problems:
            return Reply(
                400,
                "malformed events",
                received=received,
                problems=tuple(f"400 malformed: {problem}" for problem in decoded.problems),
            )
        return Reply(200, f"ok: {len(received)} event(s)", received=received)
