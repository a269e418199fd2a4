"""The Event Streams webhook receiver behind `a2pctl events serve`.

`EventReceiver` decides what to answer (pure request in, `Reply` out, and
the state store); `EventServer` is the small HTTP layer around it. Nothing
touches the store before the request has passed the size and signature
checks: anything unsigned or mis-signed gets 403, anything too large 413
(judged by Content-Length, before reading the body). A body that is not
JSON gets 400. In a batch, the events that decode are recorded and the ones
that do not are logged, and the answer is 400 so that the delivery shows up
in Twilio's debugger (a retry changes nothing: recorded events are replays).

Only POST is served, at the path of the public URL. Twilio's GET sinks
(`--method GET`) are not documented to carry the payload anywhere a receiver
could read and sign-check it, so GET is answered 405.

The server handles one request at a time on the thread that runs
`serve_forever` (the state store's SQLite connection belongs to one thread);
deliveries are small and each socket read times out.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Protocol
from urllib.parse import urlsplit

from a2pctl.errors import UsageError
from a2pctl.events.decode import decode_body
from a2pctl.events.payload import PayloadError
from a2pctl.events.record import ReceivedEvent, record_events
from a2pctl.events.signature import check_signature, signed_url
from a2pctl.state.store import Store

# Twilio limits batches to 64 kB (docs/twilio/flows.md §5.1); a body this large is not Twilio's.
MAX_BODY_BYTES = 1024 * 1024
# A client that stops sending mid-request is dropped after this long.
REQUEST_TIMEOUT_SECONDS = 10.0


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
        received = tuple(record_events(self.store, decoded.events))
        if decoded.problems:
            return Reply(
                400,
                "malformed events",
                received=received,
                problems=tuple(f"400 malformed: {problem}" for problem in decoded.problems),
            )
        return Reply(200, f"ok: {len(received)} event(s)", received=received)


class EventServer(HTTPServer):
    """The HTTP server of `events serve`. Requests are handled on the thread that
    calls `serve_forever` (which must be the store's); `shutdown()` stops it from
    another thread. Without `public_url`, the bound address is the public URL."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        store: Store,
        public_url: str | None,
        auth_tokens: Sequence[str],
        observer: Observer,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.observer = observer
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                hint="choose another --port or --host",
            ) from None
        try:
            self.receiver = EventReceiver(
                store,
                public_url=public_url or self._address() + "/",
                auth_tokens=auth_tokens,
                max_body_bytes=max_body_bytes,
            )
        except BaseException:
            self.server_close()
            raise

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def local_url(self) -> str:
        return self._address() + self.receiver.path

    def _address(self) -> str:
        host = str(self.server_address[0])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"


class _Handler(BaseHTTPRequestHandler):
    server: EventServer
    timeout = REQUEST_TIMEOUT_SECONDS
    server_version = "a2pctl-events"
    sys_version = ""

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        receiver = self.server.receiver
        try:
            reply = receiver.check_request(method, self.path, self.headers.get("Content-Length"))
            if reply is None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {key.lower(): value for key, value in self.headers.items()}
                reply = receiver.handle_post(self.path, headers, body)
        except TimeoutError:
            reply = Reply(408, "request timeout", problems=("408 the body did not arrive",))
        except Exception as exc:  # never let one request stop the server; Twilio retries 5xx
            reply = Reply(500, "internal error", problems=(f"500 {type(exc).__name__}: {exc}",))
        self._report(method, reply)  # before answering: the answer means "done"
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        payload = (reply.text + "\n").encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            if reply.allow:
                self.send_header("Allow", reply.allow)
            if reply.status >= 400:
                # The body may not have been read; do not reuse this connection.
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client went away; nothing to answer

    def _report(self, method: str, reply: Reply) -> None:
        observer = self.server.observer
        where = f"{self.client_address[0]} {method} {self.path.partition('?')[0]}"
        try:
            for line in reply.problems:
                observer.problem(f"{where}: {line}")
            for received in reply.received:
                observer.event(received)
        except OSError:
            pass  # the terminal went away; the events are recorded all the same

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default access log: the observer reports what matters."""
