"""The simulator over HTTP on a local address (`a2pctl sandbox`).

Routes by path and query only, so every product's requests can go to the same
base URL (what `A2PCTL_API_URL` does). A background ticker advances reviews
and delivers events even while no request arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from a2pctl.sandbox.simulator import Simulator

TICK_SECONDS = 0.2


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    # Fail on a port already in use instead of sharing it.
    allow_reuse_address = False

    def __init__(
        self, address: tuple[str, int], simulator: Simulator, log: Callable[[str], None] | None
    ) -> None:
        self._stop = threading.Event()  # before binding: a failed bind calls server_close()
        super().__init__(address, _Handler)
        self.simulator = simulator
        self.log = log
        self._ticker = threading.Thread(target=self._tick, name="sandbox-ticker", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.simulator.tick()
            except Exception as exc:  # keep ticking; report once per failure
                if self.log is not None:
                    self.log(f"sandbox tick failed: {type(exc).__name__}: {exc}")

    def shutdown(self) -> None:
        self._stop.set()
        super().shutdown()

    def server_close(self) -> None:
        self._stop.set()
        super().server_close()


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY a keep-alive client
    # waits out its delayed ACK (~40 ms) on every request.
    disable_nagle_algorithm = True

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        url = f"http://{host}{self.path}"
        response = self.server.simulator.handle(self.command, url, dict(self.headers), body)
        if response.delay > 0:
            time.sleep(response.delay)  # the real transport waits, as asked
        if response.drop:
            self.close_connection = True  # performed, but no answer: the client sees a drop
            self._log(f"{self.command} {self.path} -> dropped")
            return
        data = response.body.encode()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PUT = _answer

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self._log(f"{self.command} {self.path} -> {code}")

    def log_message(self, format: str, *args: object) -> None:
        self._log(format % args)

    def _log(self, line: str) -> None:
        if self.server.log is not None:
            self.server.log(line)


def serve(
    simulator: Simulator,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    log: Callable[[str], None] | None = None,
) -> SandboxServer:
    """Bind now (OSError if the port is taken) and start the ticker; the caller
    runs `serve_forever()` and ends with `shutdown()` and `server_close()`."""
    return SandboxServer((host, port), simulator, log)
