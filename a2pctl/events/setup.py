"""`a2pctl events setup`: one webhook sink and one subscription to the 12 A2P events.

Idempotent: a webhook sink that already delivers to the URL (with the same
method) is reused, as is the subscription on it (a2pctl's own, else any),
with only the missing event types added; nothing is ever created twice.
After a create whose answer was lost (`GatewayError.ambiguous`), the list is
read again before anything else is created. Event Streams is per account: a
subaccount's customers need their own sink and subscription (docs/twilio/flows.md §5.1),
so this runs on the gateway of the account it is given.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from a2pctl.errors import A2pError, ExitCode, UsageError
from a2pctl.events.catalog import A2P_PREFIX, SUBSCRIBED_SCHEMA_VERSIONS, full_type
from a2pctl.gateway import Gateway, GatewayError, Record
from a2pctl.pacing import Clock

SINK_DESCRIPTION = "a2pctl A2P 10DLC events"  # + the URL's host; no customer data (no PII)
SUBSCRIPTION_DESCRIPTION = "a2pctl A2P 10DLC registration events"
METHODS = ("POST", "GET")
_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
# Twilio lists A2P types that a2pctl neither subscribes to nor decodes; these
# statuses mean the type cannot be subscribed to anyway.
_UNAVAILABLE = {"deprecated", "discontinued", "restricted"}
# "Sink must be active for the subscription to be created" (events OpenAPI): a new
# sink may start `initialized` or `validating`. If the subscription is refused while
# it is, wait this long for it to turn active, retrying this often.
SINK_ACTIVATION_TIMEOUT_SECONDS = 60.0
SINK_POLL_SECONDS = 2.0
_SETTLING = {"initialized", "validating"}


class SinkNotActive(A2pError):
    """The sink did not become active in time; re-running setup picks up from there."""

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
    subscription_sid: str
    subscription_created: bool
    types: dict[str, int]  # every A2P type subscribed (full ID) -> its schema version
    types_added: tuple[str, ...]  # of those, the ones this run subscribed
    warnings: tuple[str, ...]


def setup_event_streams(
    gateway: Gateway, *, url: str, method: str, batch: bool, clock: Clock
) -> SetupResult:
    method = method.strip().upper()
    _check(url, method)
    warnings: list[str] = []
    wanted = {full_type(short): version for short, version in SUBSCRIBED_SCHEMA_VERSIONS.items()}
    warnings += _type_warnings(gateway.list_event_types(), wanted)
    if method == "GET":
        warnings.append(
            "`a2pctl events serve` accepts POST deliveries only; a GET sink needs another receiver"
        )

    sink, sink_created = _ensure_sink(gateway, url, method, batch, warnings)
    sink_sid = str(sink["sid"])
    subscription = _find_subscription(gateway, sink_sid)
    added: list[str] = []
    if subscription is None:
        subscription, sink = _subscribe_when_active(gateway, sink, wanted, clock)
        subscription_created = True
        added = list(wanted)
    else:
        subscription_created = False
        added = _add_missing_types(gateway, str(subscription["sid"]), wanted, warnings)
    return SetupResult(
        account_sid=gateway.account_sid,
        url=url,
        method=method,
        batch_events=_batch(sink, default=batch),
        sink_sid=sink_sid,
        sink_created=sink_created,
        sink_status=sink.get("status"),
        subscription_sid=str(subscription["sid"]),
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


def _check(url: str, method: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"--url {url!r} is not an http(s) URL",
            hint="give the public URL Twilio should deliver to, e.g. https://isv.example/a2p-events",
            field="--url",
        )
    if method not in METHODS:
        raise UsageError(f"--method {method!r} is not POST or GET", field="--method")


def _type_warnings(types: list[Record], wanted: dict[str, int]) -> list[str]:
    available = {
        str(t.get("type")): str(t.get("status") or "available").lower()
        for t in types
        if str(t.get("type", "")).startswith(A2P_PREFIX)
    }
    warnings = [
        f"A2P event type {name} is available but not subscribed (a2pctl does not decode it)"
        for name, status in sorted(available.items())
        if name not in wanted and status not in _UNAVAILABLE
    ]
    if available:
        warnings += [
            f"A2P event type {name} is not listed as available by Twilio's Types endpoint"
            for name in wanted
            if available.get(name, "missing") in _UNAVAILABLE | {"missing"}
        ]
    return warnings


def _ensure_sink(
    gateway: Gateway, url: str, method: str, batch: bool, warnings: list[str]
) -> tuple[Record, bool]:
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
            f"sink {found['sid']} reused; it delivers "
            f"{'batches' if existing_batch else 'single events'} (sinks cannot be changed)"
        )
    if str(found.get("status") or "active") == "failed":
        warnings.append(f"sink {found['sid']} is in status failed: check the URL is reachable")
    return found, False


def _find_sink(gateway: Gateway, url: str, method: str) -> Record | None:
    """The webhook sink delivering to `url`; refuses one with the other method."""
    same_destination = [
        sink
        for sink in gateway.list_sinks()
        if sink.get("sink_type") == "webhook" and _config(sink).get("destination") == url
    ]
    for sink in same_destination:
        if str(_config(sink).get("method") or "POST").upper() == method:
            return sink
    if same_destination:
        other = same_destination[0]
        raise UsageError(
            f"sink {other['sid']} already delivers to {url} with method "
            f"{_config(other).get('method')}",
            hint="re-run with that --method, or delete that sink first (two sinks to one URL "
            "would deliver every event twice)",
            field="--method",
        )
    return None


def _config(sink: Record) -> dict[str, Any]:
    config = sink.get("sink_configuration")
    if isinstance(config, str):  # some answers carry it as a JSON string
        try:
            config = json.loads(config)
        except ValueError:
            return {}
    return config if isinstance(config, dict) else {}


def _batch(sink: Record, *, default: bool) -> bool:
    value = _config(sink).get("batch_events", default)
    return value is True or str(value).lower() == "true"


def _subscribe_when_active(
    gateway: Gateway, sink: Record, wanted: dict[str, int], clock: Clock
) -> tuple[Record, Record]:
    """Create the subscription; while it is refused because the sink is still
    settling, wait for the sink (on the clock) and try again. Returns it and the sink."""
    deadline = clock.now() + SINK_ACTIVATION_TIMEOUT_SECONDS
    while True:
        settling = str(sink.get("status") or "active") in _SETTLING
        try:
            return _create_subscription(gateway, str(sink["sid"]), wanted), sink
        except GatewayError as exc:
            if exc.retryable or exc.ambiguous or not settling:
                raise  # the gateway has retried what can be; or the sink is not the cause
            if clock.now() >= deadline:
                raise SinkNotActive(
                    f"sink {sink['sid']} is still {sink.get('status')}; Twilio creates the "
                    "subscription only for an active sink",
                    hint="re-run `a2pctl events setup` in a minute: it reuses the sink",
                ) from exc
            clock.sleep(SINK_POLL_SECONDS)
            sink = next((s for s in gateway.list_sinks() if s.get("sid") == sink["sid"]), sink)


def _find_subscription(gateway: Gateway, sink_sid: str) -> Record | None:
    """a2pctl's subscription on the sink, else any subscription on it."""
    on_sink = [
        s
        for s in gateway.list_subscriptions(sink_sid=sink_sid)
        if s.get("sink_sid") in (None, sink_sid)
    ]
    ours = [s for s in on_sink if str(s.get("description") or "").startswith("a2pctl")]
    candidates = ours or on_sink
    return candidates[0] if candidates else None


def _create_subscription(gateway: Gateway, sink_sid: str, wanted: dict[str, int]) -> Record:
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
        str(e.get("type")): e.get("schema_version")
        for e in gateway.list_subscribed_events(subscription_sid)
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
