"""`a2pctl events setup`: one webhook sink, tested and validated, and one subscription.

The subscription takes the A2P types of events/catalog.py: the guide's 12, and the
newer ones about a registration that Twilio's Types endpoint lists as available.

Idempotent: a webhook sink that already delivers to the URL (with the same
method) is reused, as is the subscription on it (a2pctl's own, else any),
with only the missing event types added; nothing is ever created twice.
After a create whose answer was lost (`GatewayError.ambiguous`), the list is
read again before anything else is created. Event Streams is per account: a
subaccount's customers need their own sink and subscription (docs/twilio/flows.md §5.1),
so this runs on the gateway of the account it is given.

A sink that is not `active` is activated as Twilio documents it
(docs/twilio/endpoints.md §4.1), before the subscription, which needs an
active sink: a test event is requested (`POST /v1/Sinks/{DG}/Test`) and the
test id it carried is handed to `POST /v1/Sinks/{DG}/Validate`. The test id
comes from `--test-id` (the sink is someone else's), else from the state store,
where a2pctl's own receiver keeps it (events/sinktest.py). An active sink is
never tested again; a test id kept from an earlier run is tried before a new
test is requested. When no test id arrives in time, setup ends pending (exit 3)
and says how to finish.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from a2pctl.errors import A2pError, ExitCode, UsageError
from a2pctl.events.catalog import (
    A2P_PREFIX,
    NEWER_SUBSCRIBED_SCHEMA_VERSIONS,
    SUBSCRIBED_SCHEMA_VERSIONS,
    full_type,
    is_known,
)
from a2pctl.events.sinktest import captured_test
from a2pctl.gateway import Gateway, GatewayError
from a2pctl.gateway.records import EventType, Sink, Subscription
from a2pctl.pacing import Clock
from a2pctl.state.store import Store

SINK_DESCRIPTION = "a2pctl A2P 10DLC events"  # + the URL's host; no customer data (no PII)
SUBSCRIPTION_DESCRIPTION = "a2pctl A2P 10DLC registration events"
METHODS = ("POST", "GET")
_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
# Twilio lists A2P types that a2pctl neither subscribes to nor decodes; these
# statuses mean the type cannot be subscribed to anyway.
_UNAVAILABLE = {"deprecated", "discontinued", "restricted"}
# "Sink must be active for the subscription to be created" (events OpenAPI). After
# asking for a test event, wait this long for its test id, looking this often.
TEST_WAIT_SECONDS = 30.0
TEST_POLL_SECONDS = 1.0
ACTIVE = "active"


class SinkNotActive(A2pError):
    """The sink is not active (no test id arrived in time); re-running picks up from there."""

    exit_code = ExitCode.PENDING


@dataclass(frozen=True)
class SetupResult:
    account_sid: str
    url: str
    method: str
    batch_events: bool
    sink_sid: str
    sink_created: bool
    sink_status: str | None
    sink_tested: bool  # a test event was requested by this run
    sink_validated: bool  # this run validated the sink with a test id
    subscription_sid: str
    subscription_created: bool
    types: dict[str, int]  # every A2P type subscribed (full ID) -> its schema version
    types_added: tuple[str, ...]  # of those, the ones this run subscribed
    warnings: tuple[str, ...]


def setup_event_streams(
    gateway: Gateway,
    *,
    url: str,
    method: str,
    batch: bool,
    clock: Clock,
    store: Store | None = None,
    test_id: str | None = None,
    test_wait: float = TEST_WAIT_SECONDS,
) -> SetupResult:
    """Sink, activation and subscription on `gateway`'s account. `store`: where a2pctl's
    receiver keeps test ids; `test_id`: one the caller read from the test event."""
    method = method.strip().upper()
    check_target(url, method)
    test_id = (test_id or "").strip() or None
    warnings: list[str] = []
    wanted, type_warnings = _wanted_types(gateway.list_event_types())
    warnings += type_warnings
    if method == "GET":
        warnings.append(
            "`a2pctl events serve` accepts POST deliveries only; a GET sink needs another receiver"
        )

    sink, sink_created = _ensure_sink(gateway, url, method, batch, warnings)
    sink_sid = sink.sid
    activation = Activation(gateway, url, store, clock, test_wait)
    if _status(sink) != ACTIVE:
        sink = activation.activate(sink, test_id)
    elif test_id is not None:
        warnings.append(f"sink {sink_sid} is already active: --test-id was not needed")
    subscription = _find_subscription(gateway, sink_sid)
    added: list[str] = []
    if subscription is None:
        subscription = _create_subscription(gateway, sink_sid, wanted)
        subscription_created = True
        added = list(wanted)
    else:
        subscription_created = False
        added = _add_missing_types(gateway, subscription.sid, wanted, warnings)
    return SetupResult(
        account_sid=gateway.account_sid,
        url=url,
        method=method,
        batch_events=_batch(sink, default=batch),
        sink_sid=sink_sid,
        sink_created=sink_created,
        sink_status=sink.status,
        sink_tested=activation.tested,
        sink_validated=activation.validated,
        subscription_sid=subscription.sid,
        subscription_created=subscription_created,
        types=dict(wanted),
        types_added=tuple(added),
        warnings=tuple(warnings),
    )


def check_account_sid(value: str | None) -> str | None:
    """`--account-sid`: None (the credentials' own account) or an AC… SID."""
    if value is None:
        return None
    value = value.strip()
    if not _ACCOUNT_SID.fullmatch(value):
        raise UsageError(
            f"--account-sid {value!r} is not an account SID (AC followed by 32 hex digits)",
            field="--account-sid",
        )
    return value


def check_target(url: str, method: str) -> None:
    """`--url` and `--method`, before any request."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"--url {url!r} is not an http(s) URL",
            hint="give the public URL Twilio should deliver to, e.g. https://isv.example/a2p-events",
            field="--url",
        )
    if method not in METHODS:
        raise UsageError(f"--method {method!r} is not POST or GET", field="--method")


def _wanted_types(types: list[EventType]) -> tuple[dict[str, int], list[str]]:
    """The types to subscribe (full ID -> schema version) and what to warn about: the
    guide's 12 always; the newer registration types when Twilio lists them as available
    (a type it does not list would make it refuse the whole subscription)."""
    available = {
        str(t.type): str(t.status or "available").lower()
        for t in types
        if str(t.type or "").startswith(A2P_PREFIX)
    }
    wanted = {full_type(short): version for short, version in SUBSCRIBED_SCHEMA_VERSIONS.items()}
    for short, version in NEWER_SUBSCRIBED_SCHEMA_VERSIONS.items():
        if available.get(full_type(short), "missing") not in _UNAVAILABLE | {"missing"}:
            wanted[full_type(short)] = version
    warnings = [
        f"A2P event type {name} is available but unknown to a2pctl: not subscribed "
        "(if delivered, it is recorded as received)"
        for name, status in sorted(available.items())
        if not is_known(name[len(A2P_PREFIX) :]) and status not in _UNAVAILABLE
    ]
    if available:
        warnings += [
            f"A2P event type {name} is not listed as available by Twilio's Types endpoint"
            for name in wanted
            if available.get(name, "missing") in _UNAVAILABLE | {"missing"}
        ]
    return wanted, warnings


def _ensure_sink(
    gateway: Gateway, url: str, method: str, batch: bool, warnings: list[str]
) -> tuple[Sink, bool]:
    found = _find_sink(gateway, url, method)
    if found is None:
        configuration = {"destination": url, "method": method, "batch_events": batch}
        try:
            created = gateway.create_sink(
                description=f"{SINK_DESCRIPTION} {urlsplit(url).hostname}",
                sink_configuration=configuration,
                sink_type="webhook",
            )
        except GatewayError as exc:
            if not exc.ambiguous:
                raise
            found = _find_sink(gateway, url, method)  # the create may have happened
            if found is None:
                raise
        else:
            return created, True
    existing_batch = _batch(found, default=False)
    if existing_batch != batch:
        warnings.append(
            f"sink {found.sid} reused; it delivers "
            f"{'batches' if existing_batch else 'single events'} (sinks cannot be changed)"
        )
    if str(found.status or "active") == "failed":
        warnings.append(f"sink {found.sid} is in status failed: check the URL is reachable")
    return found, False


def _find_sink(gateway: Gateway, url: str, method: str) -> Sink | None:
    """The webhook sink delivering to `url`; refuses one with the other method."""
    same_destination = [
        sink
        for sink in gateway.list_sinks()
        if sink.sink_type == "webhook" and sink.destination == url
    ]
    for sink in same_destination:
        if str(sink.method or "POST").upper() == method:
            return sink
    if same_destination:
        other = same_destination[0]
        raise UsageError(
            f"sink {other.sid} already delivers to {url} with method {other.method}",
            hint="re-run with that --method, or delete that sink first (two sinks to one URL "
            "would deliver every event twice)",
            field="--method",
        )
    return None


def _batch(sink: Sink, *, default: bool) -> bool:
    return default if sink.batch_events is None else sink.batch_events


def _status(sink: Sink) -> str:
    return str(sink.status or ACTIVE).lower()


class Activation:
    """Turns one sink active: validate with a known test id, else test and wait for one."""

    def __init__(
        self, gateway: Gateway, url: str, store: Store | None, clock: Clock, wait: float
    ) -> None:
        self.gateway, self.url, self.store, self.clock, self.wait = gateway, url, store, clock, wait
        self.tested = False
        self.validated = False

    def activate(self, sink: Sink, test_id: str | None) -> Sink:
        sid = sink.sid
        if test_id is not None:  # given by the caller: it validates, or the caller hears why not
            if not self._validate(sid, test_id):
                raise UsageError(
                    f"Twilio refused --test-id {test_id} for sink {sid}",
                    hint="give the test id of the newest test event that reached the sink, "
                    "or re-run without --test-id to request a new test event",
                    field="--test-id",
                )
            return self._fetched(sid)
        kept = self._captured(sid)
        if kept is not None and self._validate(sid, kept, quiet=True):
            return self._fetched(sid)  # a test id that arrived after an earlier run gave up
        self.gateway.test_sink(sid)
        self.tested = True
        deadline = self.clock.now() + self.wait
        while True:
            sink = self._fetched(sid)  # (also how a test event reaches an in-process sandbox)
            if _status(sink) == ACTIVE:
                return sink
            arrived = self._captured(sid)
            if arrived is not None and arrived != kept and self._validate(sid, arrived):
                return self._fetched(sid)
            if self.clock.now() >= deadline:
                raise self._pending(sink)
            self.clock.sleep(TEST_POLL_SECONDS)

    def _captured(self, sid: str) -> str | None:
        """The newest test id kept for the URL, unless its event names another sink."""
        found = captured_test(self.store, self.url) if self.store is not None else None
        if found is None or found.sink_sid not in (None, sid):
            return None
        return found.test_id

    def _validate(self, sid: str, test_id: str, *, quiet: bool = False) -> bool:
        """True once the sink is validated; False when Twilio refuses this test id."""
        try:
            self.gateway.validate_sink(sid, test_id=test_id)
        except GatewayError as exc:
            if exc.status is None or exc.status >= 500 or exc.status == 429:
                raise  # the gateway retried what it could: not an answer about the test id
            if _status(self._fetched(sid)) == ACTIVE:
                self.validated = True  # an earlier attempt whose answer was lost did it
                return True
            if quiet or exc.status == 400:
                return False
            raise
        self.validated = True
        return True

    def _fetched(self, sid: str) -> Sink:
        return self.gateway.fetch_sink(sid)

    def _pending(self, sink: Sink) -> SinkNotActive:
        sid = sink.sid
        return SinkNotActive(
            f"sink {sid} is {_status(sink)}: Twilio sent it a test event, and no test id "
            f"reached a2pctl within {self.wait:g} s; the subscription needs an active sink",
            hint=f"if `a2pctl events serve` receives {self.url}, run it with this state "
            "store (--state) and re-run `a2pctl events setup`; if another service "
            "receives it, read `test_id` from that test event's data and run "
            f"`a2pctl events setup --url {self.url} --test-id ID`",
        )


def _find_subscription(gateway: Gateway, sink_sid: str) -> Subscription | None:
    """a2pctl's subscription on the sink, else any subscription on it."""
    on_sink = [
        s for s in gateway.list_subscriptions(sink_sid=sink_sid) if s.sink_sid in (None, sink_sid)
    ]
    ours = [s for s in on_sink if str(s.description or "").startswith("a2pctl")]
    candidates = ours or on_sink
    return candidates[0] if candidates else None


def _create_subscription(gateway: Gateway, sink_sid: str, wanted: dict[str, int]) -> Subscription:
    types = [{"type": name, "schema_version": version} for name, version in wanted.items()]
    try:
        return gateway.create_subscription(
            description=SUBSCRIPTION_DESCRIPTION, sink_sid=sink_sid, types=types
        )
    except GatewayError as exc:
        if not exc.ambiguous:
            raise
        found = _find_subscription(gateway, sink_sid)  # the create may have happened
        if found is None:
            raise
        return found


def _add_missing_types(
    gateway: Gateway, subscription_sid: str, wanted: dict[str, int], warnings: list[str]
) -> list[str]:
    subscribed = {
        str(e.type): e.schema_version for e in gateway.list_subscribed_events(subscription_sid)
    }
    added = []
    for name, version in wanted.items():
        if name not in subscribed:
            gateway.add_subscribed_event(subscription_sid, type=name, schema_version=version)
            added.append(name)
        elif _int(subscribed[name]) < version:
            warnings.append(
                f"{name} is subscribed with schema version {subscribed[name]}; version "
                f"{version} adds the error details (change it in the Console)"
            )
    return added


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1  # Twilio's default schema version
