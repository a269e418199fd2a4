"""Test support for the engine: an in-process sandbox behind the real gateway, on a fake clock.

Every request goes through the real `twilio` library and `TwilioGateway`, into
the simulator; a recording proxy notes when (on the fake clock) each one arrived.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from a2pctl.engine import executor
from a2pctl.engine.outcomes import Outcome, Until
from a2pctl.gateway import Credentials, Gateway
from a2pctl.gateway.twilio import InProcessTransport, TwilioGateway
from a2pctl.pacing import FakeClock, RateLimiter
from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SimResponse, Simulator
from a2pctl.spec import customer as spec
from a2pctl.state.store import Store

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SOLE_PROPRIETOR = EXAMPLES / "sole-proprietor.yaml"
STANDARD = EXAMPLES / "standard.yaml"
LOW_VOLUME = EXAMPLES / "low-volume-standard.yaml"
PAUSE = 30.0
POLL = 60.0


class Killed(BaseException):
    """Stands for the process being killed right after a request was performed."""


@dataclass
class Hit:
    at: float
    method: str
    path: str
    form: dict[str, list[str]]
    auth: tuple[str, str] | None = None  # the Basic-auth (username, password) it carried


@dataclass
class Recorder:
    """Wraps the simulator: records each request's time, can kill after the Nth, or lose
    the Nth's answer (performed, then the connection drops)."""

    simulator: Simulator
    clock: FakeClock
    hits: list[Hit] = field(default_factory=list)
    kill_after: int | None = None
    drop_at: int | None = None  # perform the Nth request, then lose its answer
    before: Callable[[str, str], None] | None = None
    # Answer instead of the simulator (e.g. a 400 Twilio would give a real account).
    override: Callable[[str, str], SimResponse | None] | None = None

    def handle(self, method: str, url: str, headers: Any, body: bytes) -> Any:
        parts = urlsplit(url)
        form = parse_qs(body.decode() if body else "") or parse_qs(parts.query)
        if self.before is not None:
            self.before(method, parts.path)
        answer = self.override(method, parts.path) if self.override else None
        response = answer or self.simulator.handle(method, url, headers, body)
        self.hits.append(Hit(self.clock.now(), method, parts.path, form, basic_auth(headers)))
        if self.drop_at is not None and len(self.hits) == self.drop_at:
            response = dataclasses.replace(response, drop=True)
        if self.kill_after is not None and len(self.hits) >= self.kill_after:
            raise Killed()
        return response

    def posts(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.method == "POST" and h.path == path]


def basic_auth(headers: Any) -> tuple[str, str] | None:
    """(username, password) of a request's `Authorization: Basic` header, if any."""
    found = {str(k).lower(): str(v) for k, v in dict(headers).items()}.get("authorization", "")
    scheme, _, encoded = found.partition(" ")
    if scheme != "Basic":
        return None
    user, _, password = base64.b64decode(encoded).decode().partition(":")
    return user, password


@dataclass
class Notices:
    """An observer that keeps the notices of a run (changes applied, answers lost)."""

    notices: list[str]

    def step_done(self, registration: str, title: str, sid: str | None) -> None:
        return None

    def waiting(self, registration: str, reason: str, remaining: float) -> None:
        return None

    def notice(self, registration: str, message: str) -> None:
        self.notices.append(message)


@dataclass
class World:
    clock: FakeClock
    store: Store
    simulator: Simulator
    recorder: Recorder
    rate: float = 1.0
    observer: Notices | None = None

    def gateway(self, account_sid: str | None = None) -> Gateway:
        creds = Credentials(SANDBOX_ACCOUNT_SID, SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)
        return TwilioGateway(
            creds,
            account_sid,
            limiter=self.limiter,
            clock=self.clock,
            transport=InProcessTransport(self.recorder, sleep=self.clock.sleep),
        )

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.clock, self.rate)

    def register(
        self,
        *files: Path,
        wait: bool = True,
        timeout: float = 7200.0,
        until: Until = "verified",
    ) -> list[Outcome]:
        checks = [spec.check_file(f) for f in files]
        assert all(c.valid for c in checks), [str(p) for c in checks for p in c.errors]
        return executor.register(
            checks,
            store=self.store,
            clock=self.clock,
            make_gateway=self.gateway,
            default_account=SANDBOX_ACCOUNT_SID,
            pause_seconds=PAUSE,
            poll_seconds=POLL,
            wait=wait,
            timeout=timeout,
            observer=self.observer,
            until=until,
        )


def make_world(
    tmp_path: Path, scenario: str = "default", *, rate: float = 1.0, clock: FakeClock | None = None
) -> World:
    """`clock`: a `ThreadedFakeClock` runs each account in its own thread (on simulated
    time); the default, a plain `FakeClock`, runs everything in the calling thread."""
    clock = clock or FakeClock()
    store = Store.open(tmp_path / "state.db", clock)
    simulator = Simulator(now=clock.now, scenario=scenario, review_seconds=120.0)
    return World(clock, store, simulator, Recorder(simulator, clock), rate=rate)


def count_resources(world: World) -> dict[str, int]:
    """What exists in the simulated account, read through the public API."""
    gw = world.gateway()
    services = gw.list_services()
    return {
        "customer_profiles": len(gw.list_bundles("customer_profile")),
        "trust_products": len(gw.list_bundles("trust_product")),
        "end_users": len(gw.list_end_users()),
        "supporting_documents": len(gw.list_supporting_documents()),
        "addresses": len(gw.list_addresses()),
        "brands": len(gw.list_brands()),
        "services": len(services),
        "campaigns": sum(len(gw.list_campaigns(s.sid)) for s in services),
        "assignments": sum(
            len(gw.list_assignments("customer_profile", b.sid))
            for b in gw.list_bundles("customer_profile")
        )
        + sum(
            len(gw.list_assignments("trust_product", b.sid))
            for b in gw.list_bundles("trust_product")
        ),
        "numbers": sum(len(gw.list_service_phone_numbers(s.sid)) for s in services),
    }


@dataclass
class Patched:
    """The simulator, with one record's answer changed (a state no scenario reaches)."""

    real: Simulator
    applies: Callable[[str, str], bool]
    changes: dict[str, Any]

    def handle(self, method: str, url: str, headers: Any, body: bytes) -> SimResponse:
        answer = self.real.handle(method, url, headers, body)
        if method == "GET" and self.applies(method, url) and answer.status == 200:
            record = {**json.loads(answer.body), **self.changes}
            return SimResponse(answer.status, answer.headers, json.dumps(record))
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)
