"""The HTTP layer of `a2pctl events serve`, around `EventReceiver` (events/receiver.py).

Deliveries are served concurrently, one thread per connection (the standard
library's `ThreadingHTTPServer`), so one slow client never holds up the others.
Each request has a deadline (`request_deadline`, from its first byte): a client
still sending its headers or body when it passes has its connection's reading
side shut, and gets 408 if anything can still be answered. Each socket read
also times out on its own (`read_timeout`), and one request is served per
connection (HTTP/1.0), so the deadline is the request's.

The state store's SQLite connection belongs to the thread that opened it, so
every recording runs on that thread: `serve_forever` (called on the store's
thread) runs the HTTP accept loop on a thread of its own and carries out, one
after the other, the recordings the request threads hand it (`StoreRunner`). Store
writes are thus serialized, and nothing else of the store is touched from
another thread. `shutdown()` (from any thread) or Ctrl-C on the serving thread
stops both.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from a2pctl.errors import UsageError
from a2pctl.events.receiver import MAX_BODY_BYTES, EventReceiver, Observer, Recording, Reply
from a2pctl.events.record import ReceivedEvent
from a2pctl.state.store import Store

# A request must have arrived whole within this long of its first byte.
REQUEST_DEADLINE_SECONDS = 10.0
# A client that sends nothing at all is dropped after this long (each socket read).
READ_TIMEOUT_SECONDS = 10.0
# How long a request thread waits for the store's thread to record its events.
RECORD_TIMEOUT_SECONDS = 30.0
_POLL_SECONDS = 0.05


class StoreRunner:
    """Runs recordings handed over by request threads on the thread that calls `run`."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Recording, Future[list[ReceivedEvent]]]] = queue.Queue()

    def submit(self, work: Recording) -> list[ReceivedEvent]:
        """From a request thread: the recording's result, once the store's thread ran it."""
        done: Future[list[ReceivedEvent]] = Future()
        self._jobs.put((work, done))
        try:
            return done.result(timeout=RECORD_TIMEOUT_SECONDS)
        except FutureTimeout:
            raise TimeoutError("the state store did not record the events in time") from None

    def run(self, keep_going: threading.Event) -> None:
        """On the store's thread: carry out recordings while `keep_going` is set."""
        while keep_going.is_set():
            try:
                work, done = self._jobs.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if not done.set_running_or_notify_cancel():
                continue
            try:
                done.set_result(work())
            except BaseException as exc:  # handed back to the request thread, which answers 500
                done.set_exception(exc)


class EventServer(ThreadingHTTPServer):
    """The HTTP server of `events serve`. Without `public_url`, the bound address is the
    public URL. `serve_forever` must be called on the store's thread."""

    daemon_threads = True  # a stalled client never holds up the end of the server

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
        request_deadline: float = REQUEST_DEADLINE_SECONDS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
    ) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.observer = observer
        self.request_deadline = request_deadline
        self.read_timeout = read_timeout
        self.report_lock = threading.Lock()  # one request's lines together
        self._runner = StoreRunner()
        self._serving = threading.Event()
        self._stopped = False
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
        self.receiver.record_with = self._runner.submit

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until `shutdown()` (or Ctrl-C here): HTTP on a thread of its own, the
        recordings on this one. Returns only once the HTTP thread has stopped."""
        if self._stopped:
            return
        self._serving.set()
        http = threading.Thread(
            target=self._serve_http, args=(poll_interval,), name="events-http", daemon=True
        )
        try:
            http.start()
            self._runner.run(self._serving)
        finally:
            self._serving.clear()
            if http.ident is not None:
                http.join()  # within one poll interval

    def _serve_http(self, poll_interval: float) -> None:
        """The accept loop (socketserver's, stoppable by `_serving`); each connection is
        handled on a thread of its own (ThreadingMixIn)."""
        self.timeout = poll_interval  # handle_request waits this long for a connection
        try:
            while self._serving.is_set():
                self.handle_request()
                self.service_actions()
        except (OSError, ValueError):
            if self._serving.is_set():
                raise  # the listening socket failed while serving: not a stop

    def shutdown(self) -> None:
        """From any thread: `serve_forever` stops its HTTP loop and returns."""
        self._stopped = True
        self._serving.clear()

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
    server_version = "a2pctl-events"
    sys_version = ""

    def setup(self) -> None:
        self.request.settimeout(self.server.read_timeout)  # each read; not the class default
        super().setup()
        self._late = threading.Event()
        self._deadline = threading.Timer(self.server.request_deadline, self._cut_off)
        self._deadline.daemon = True
        self._deadline.start()

    def _cut_off(self) -> None:
        """The deadline passed: stop reading (a blocked read returns at once)."""
        self._late.set()
        with contextlib.suppress(OSError):  # already closed
            self.connection.shutdown(socket.SHUT_RD)

    def finish(self) -> None:
        self._deadline.cancel()
        super().finish()

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
                length = int(self.headers["Content-Length"])
                body = self.rfile.read(length)
                if len(body) < length or self._late.is_set():
                    raise TimeoutError
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
            self.send_header("Connection", "close")  # one request per connection
            self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client went away; nothing to answer

    def _report(self, method: str, reply: Reply) -> None:
        observer = self.server.observer
        where = f"{self.client_address[0]} {method} {self.path.partition('?')[0]}"
        try:
            with self.server.report_lock:
                for line in reply.problems:
                    observer.problem(f"{where}: {line}")
                for received in reply.received:
                    observer.event(received)
        except OSError:
            pass  # the terminal went away; the events are recorded all the same

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default access log: the observer reports what matters."""
