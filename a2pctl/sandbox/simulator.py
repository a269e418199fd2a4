"""The simulator: one `handle(method, url, headers, body)` for every Twilio
endpoint a2pctl uses, answering as Twilio answers, with reviews on its own
clock, signed event delivery, a per-account rate limit and fault injection.

It never sleeps and never reads the environment: time comes from the
injected `now`, delays are returned for the transport to apply, and webhook
deliveries go through the injected `deliver`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from a2pctl.sandbox import (
    api2010,
    authplus,
    brands,
    bundles,
    campaigns,
    eventstreams,
    reviews,
    scenarios,
    services,
    trusthub,
)
from a2pctl.sandbox.delivery import Delivery, callback_delivery, event_delivery, http_post
from a2pctl.sandbox.faults import Fault, Faults, retry_after_header
from a2pctl.sandbox.routing import Route
from a2pctl.sandbox.wire import (
    AUTHENTICATE,
    INTERNAL_ERROR,
    METHOD_NOT_ALLOWED,
    TOO_MANY_REQUESTS,
    ApiError,
    Json,
    Request,
    not_found,
)
from a2pctl.sandbox.world import STATE_VERSION, World

# The in-process sandbox's main account and its token (not a secret).
SANDBOX_ACCOUNT_SID = "ACa2c70000000000000000000000000001"
SANDBOX_AUTH_TOKEN = "sandbox-auth-token"
DEFAULT_REVIEW_SECONDS = 2.0

SCENARIOS: dict[str, str] = {name: s.description for name, s in scenarios.SCENARIO_TABLE.items()}

ROUTES: list[Route] = [
    *bundles.ROUTES,
    *trusthub.ROUTES,
    *api2010.ROUTES,
    *brands.ROUTES,
    *authplus.ROUTES,
    *services.ROUTES,
    *campaigns.ROUTES,
    *eventstreams.ROUTES,
]
API_PATH_START = re.compile(r"/(?:v1|2010-04-01)/")
ACCOUNT_IN_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})(?:/|\.json|$)")

Deliver = Callable[[str, dict[str, str], bytes], None]


@dataclass
class SimResponse:
    status: int
    headers: dict[str, str]
    body: str
    drop: bool = False  # the request was performed, then the connection dropped
    delay: float = 0.0  # seconds the transport should wait before answering


@dataclass
class _Call:
    """One request, parsed."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    params: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.params = {**self.query, **self.form}


def _check_scenario(name: str) -> None:
    if name not in scenarios.SCENARIO_TABLE:
        known = ", ".join(scenarios.SCENARIO_TABLE)
        raise ValueError(f"unknown scenario {name!r}; known scenarios: {known}")


class Simulator:
    """Twilio's A2P endpoints in one object. `handle` answers a request (any
    host: routed by path and query), `tick` plays due reviews and deliveries,
    `dump`/`load` carry the state between processes (without auth tokens),
    `inject_fault` arms test faults, and `requests` logs (method, path, params)."""

    requests: list[tuple[str, str, dict[str, list[str]]]]

    def __init__(
        self,
        *,
        now: Callable[[], float] = time.time,
        scenario: str = "default",
        rate: float | None = None,
        review_seconds: float = DEFAULT_REVIEW_SECONDS,
        deliver: Deliver | None = None,
    ) -> None:
        _check_scenario(scenario)
        if review_seconds <= 0:
            raise ValueError("review_seconds must be positive")
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive (or None for no limit)")
        self._setup(now, deliver)
        self._world = World.new(
            scenario=scenario, review_seconds=review_seconds, rate=rate, now=now
        )

    def _setup(self, now: Callable[[], float], deliver: Deliver | None) -> None:
        self._now = now
        self._deliver = deliver or http_post
        self._lock = threading.RLock()
        # Auth tokens as last seen per account, to sign webhooks. Kept out of
        # dump(): a secret never goes into a2pctl's state store.
        self._tokens: dict[str, str] = {}
        self._last_accepted: dict[str, float] = {}
        self._faults = Faults()
        self.requests = []

    @classmethod
    def load(
        cls, text: str, *, now: Callable[[], float] = time.time, deliver: Deliver | None = None
    ) -> Simulator:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError("not a sandbox state this version of a2pctl can read")
        _check_scenario(str(data.get("scenario")))
        simulator = cls.__new__(cls)
        simulator._setup(now, deliver)
        simulator._world = World(data, now)
        return simulator

    # --- settings and state ---------------------------------------------------------

    @property
    def scenario(self) -> str:
        return self._world.scenario

    @property
    def review_seconds(self) -> float:
        return self._world.review_seconds

    @property
    def stats(self) -> dict[str, int]:
        """Webhook deliveries: `delivered` and `delivery_failures`."""
        with self._lock:
            return dict(self._world.stats)

    def set_scenario(self, name: str) -> None:
        _check_scenario(name)
        with self._lock:
            self._world.data["scenario"] = name

    def dump(self) -> str:
        with self._lock:
            return json.dumps(self._world.data, sort_keys=True)

    def delete_brand_in_console(self, sid: str) -> bool:
        """What a person does in the Console, the only place Twilio deletes a brand (a
        FAILED brand that never reached TCR is deleted so a new one can be registered)."""
        with self._lock:
            found = self._world.find("brands", sid) is not None
            self._world.remove("brands", sid)
            return found

    def inject_fault(
        self,
        *,
        method: str,
        path: str,
        status: int | None = None,
        drop_after: bool = False,
        delay: float = 0.0,
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        with self._lock:
            self._faults.add(Fault(method, path, status, drop_after, delay, times, retry_after))

    # --- time -------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance reviews to now() and deliver the webhooks that are due."""
        with self._lock:
            reviews.run_due(self._world, self._now())
            deliveries = self._deliveries()
        delivered = failed = 0
        for url, headers, body in deliveries:
            try:
                self._deliver(url, headers, body)
                delivered += 1
            except Exception:  # a sink that is down must not break the simulator
                failed += 1
        if deliveries:
            with self._lock:
                self._world.stats["delivered"] += delivered
                self._world.stats["delivery_failures"] += failed

    def _deliveries(self) -> list[Delivery]:
        world = self._world
        out: list[Delivery] = []
        batches: dict[tuple[str, str], list[Json]] = {}
        for item in world.take_outbox(lambda account: account in self._tokens):
            token = self._tokens[item["account"]]
            if item["kind"] == "callback":
                out.append(callback_delivery(item["url"], token, item["params"]))
                continue
            sink = world.find("sinks", item["sink"], item["account"])
            if sink is None:
                continue  # deleted since: nothing to deliver to
            config = sink["sink_configuration"]
            if config.get("batch_events"):
                batches.setdefault((item["account"], sink["sid"]), []).append(item["event"])
            else:
                event = item["event"]
                out.append(event_delivery(config["destination"], token, [event], event["id"]))
        for (account, sink_sid), events in batches.items():
            sink = world.table("sinks")[sink_sid]
            destination = sink["sink_configuration"]["destination"]
            idempotency = world.new_sid("ID")
            out.append(event_delivery(destination, self._tokens[account], events, idempotency))
        return out

    # --- requests ---------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> SimResponse:
        parts = urlsplit(url)
        call = _Call(
            method=method.upper(),
            path=_api_path(parts.path),
            query=parse_qs(parts.query, keep_blank_values=True),
            form=parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if body else {},
            headers={k.lower(): v for k, v in headers.items()},
        )
        with self._lock:
            self.requests.append((call.method, call.path, call.params))
        self.tick()
        with self._lock:
            fault = self._faults.take(call.method, call.path)
            delay = fault.delay if fault is not None else 0.0
            if fault is not None and fault.status is not None:
                return _error(fault.error(), delay)
            try:
                status, payload = self._perform(call)
            except ApiError as err:
                return _error(err, delay)
            except Exception as exc:  # a simulator bug: answer like Twilio's 500, with detail
                bug = ApiError(500, INTERNAL_ERROR, f"sandbox error: {type(exc).__name__}: {exc}")
                return _error(bug, delay)
        text = "" if payload is None else json.dumps(payload)
        drop = fault is not None and fault.drop_after
        return SimResponse(status, _headers(), text, drop=drop, delay=delay)

    def _perform(self, call: _Call) -> tuple[int, Json | None]:
        user, password = _basic_auth(call.headers.get("authorization", ""))
        in_path = ACCOUNT_IN_PATH.match(call.path)
        if in_path:
            account = in_path.group(1)
        elif user.startswith("AC"):
            account = user
        else:
            account = SANDBOX_ACCOUNT_SID
        if user == account or not user.startswith("AC"):
            # A main account reading a subaccount's path authenticates with its own
            # token, which must not become the subaccount's signing token.
            self._tokens[account] = password
        self._check_rate(account)
        req = Request(call.method, call.path, call.query, call.form, call.headers, account)
        path_matched = False
        for method, pattern, handler in ROUTES:
            match = pattern.match(call.path)
            if match is None:
                continue
            path_matched = True
            if method == call.method:
                return handler(self._world, req, *match.groups())
        if path_matched:
            raise ApiError(405, METHOD_NOT_ALLOWED, f"Method {call.method} not allowed")
        raise not_found(call.path)

    def _check_rate(self, account: str) -> None:
        rate = self._world.rate
        if rate is None:
            return
        now = self._now()
        last = self._last_accepted.get(account)
        interval = 1.0 / rate
        if last is not None and now - last < interval:
            wait = interval - (now - last)
            raise ApiError(
                429,
                TOO_MANY_REQUESTS,
                "Too Many Requests",
                headers={"Retry-After": retry_after_header(wait)},
            )
        self._last_accepted[account] = now


def _api_path(path: str) -> str:
    """The API path, without a prefix a base URL may add (`http://host/twilio/v1/…`)."""
    found = API_PATH_START.search(path)
    return path[found.start() :] if found else path


def _basic_auth(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            user, sep, password = base64.b64decode(encoded.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            sep = ""
        if sep and user:
            return user, password
    raise ApiError(
        401,
        AUTHENTICATE,
        "Authenticate",
        headers={"WWW-Authenticate": 'Basic realm="Twilio API"'},
    )


def _headers(extra: Mapping[str, Any] | None = None) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Twilio-Request-Id": "RQ" + uuid.uuid4().hex,
    }
    headers.update({k: str(v) for k, v in (extra or {}).items()})
    return headers


def _error(err: ApiError, delay: float) -> SimResponse:
    return SimResponse(err.status, _headers(err.headers), json.dumps(err.body()), delay=delay)
