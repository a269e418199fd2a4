"""Builds the world a command runs in from its settings: clock, store, limiter, gateways.

Real Twilio (credentials given by the caller; `api_url` redirects every request)
or the in-process sandbox, whose state is kept in the state store between runs.
Nothing here reads the environment: `cli/app.py` does, and passes what it found.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from a2pctl.errors import LockedError, UsageError
from a2pctl.state.location import Location

if TYPE_CHECKING:
    from a2pctl.gateway import Credentials, Gateway, GatewayError
    from a2pctl.pacing import Clock, RateLimiter
    from a2pctl.sandbox import Simulator
    from a2pctl.state.store import Store

DEFAULT_STATE = Location(path=Path(".a2pctl") / "state.db")
DEFAULT_PAUSE_SECONDS = 30.0  # Twilio's documented pauses (docs/contract.md §3)
DEFAULT_RATE = 1.0  # requests per second per account
POLL_SECONDS = 60.0  # between checks of a review, with --wait
# The in-process sandbox scales Twilio's pauses and pacing down, so a whole
# flow runs in seconds; explicit --pause-seconds / --rate still win.
SANDBOX_PAUSE_SECONDS = 0.5
SANDBOX_RATE = 25.0
SANDBOX_POLL_SECONDS = 0.5
SANDBOX_REVIEW_SECONDS = 0.5  # each simulated review step
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# The Event Streams sink of the in-process sandbox: its webhooks go straight into
# the state store (where `events serve` would put them), so `status` sees numbers too.
IN_PROCESS_EVENTS = "https://in-process.a2pctl.invalid/events"


@dataclass
class Settings:
    """The common options of docs/contract.md §1, as the CLI resolved them."""

    state: Location = DEFAULT_STATE
    api_url: str | None = None
    json: bool = False
    pause_seconds: float | None = None
    rate: float | None = None
    sandbox: bool = False
    scenario: str | None = None
    create_store: bool = True  # False: a command that only reads never creates a store
    need_store: bool = True  # False: without a store on disk, one in memory will do


@dataclass
class Runtime:
    """Everything a command that talks to Twilio needs, built once."""

    settings: Settings
    clock: Clock
    store: Store
    limiter: RateLimiter
    pause_seconds: float
    poll_seconds: float
    default_account: str
    make_gateway: Callable[[str | None], Gateway]
    save: Callable[[], None]  # persists the in-process sandbox's state, if any


@contextmanager
def open_runtime(
    settings: Settings,
    credentials: Callable[[], Credentials],
    notify: Callable[[str], None] | None = None,
    clock: Clock | None = None,
) -> Iterator[Runtime]:
    """The store, clock, limiter and gateway factory for one command.

    `notify` hears about each retry (429, 5xx, a dropped connection) before its wait.
    `clock`: the system clock unless one is injected (tests: a fake one, never slept on).
    """
    from a2pctl.pacing import RateLimiter, SystemClock
    from a2pctl.state.store import Store

    if settings.scenario is not None:
        _check_scenario(settings)
    # Credentials first: a missing one must not leave an empty state store behind.
    real_credentials = None if settings.sandbox else credentials()
    clock = clock or SystemClock()
    on_disk = settings.create_store or settings.need_store or settings.state.exists()
    if on_disk:
        store = Store.open(settings.state, clock, create=settings.create_store)
    else:
        store = Store.in_memory(settings.state, clock)
    sandbox = settings.sandbox
    rate = settings.rate or (SANDBOX_RATE if sandbox else DEFAULT_RATE)
    pause = settings.pause_seconds
    if pause is None:
        pause = SANDBOX_PAUSE_SECONDS if sandbox else DEFAULT_PAUSE_SECONDS
    limiter: RateLimiter
    if on_disk and not store.read_only and not sandbox:
        # A store on disk may be shared: every process on it keeps to one rate per account.
        from a2pctl.state.limiter import StoreRateLimiter

        limiter = StoreRateLimiter(clock, rate, store)
    else:  # a store of this command only (or the in-process sandbox, one process by its lock)
        limiter = RateLimiter(clock, rate)

    def on_retry(error: GatewayError, wait: float) -> None:
        if notify is not None:
            notify(f"{error.message}; retrying in {wait:0.1f} s")

    hold = ExitStack()
    try:
        if sandbox:
            hold.enter_context(_sandbox_lock(store))
            from a2pctl.gateway import Credentials
            from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator

            saved = store.get_blob("sandbox")
            deliver = _events_into(store, clock)
            try:
                if saved is not None:
                    simulator = Simulator.load(saved, now=clock.now, deliver=deliver)
                    if settings.scenario:
                        simulator.set_scenario(settings.scenario)
                else:
                    simulator = Simulator(
                        now=clock.now,
                        scenario=settings.scenario or "default",
                        review_seconds=SANDBOX_REVIEW_SECONDS,
                        deliver=deliver,
                    )
            except ValueError as exc:  # a saved sandbox this version cannot read
                raise UsageError(
                    f"the sandbox saved in {settings.state} cannot be used: {exc}",
                    hint="use another --state for the sandbox",
                ) from None
            creds = Credentials(SANDBOX_ACCOUNT_SID, SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)

            def make(account_sid: str | None) -> Gateway:
                from a2pctl.gateway.twilio import InProcessTransport, TwilioGateway

                return TwilioGateway(
                    creds,
                    account_sid,
                    limiter=limiter,
                    clock=clock,
                    transport=InProcessTransport(_SavingSimulator(simulator, save)),
                    on_retry=on_retry,
                )

            def save() -> None:
                store.put_blob("sandbox", simulator.dump())

            if saved is None:  # a new sandbox account reports to the store, as Event Streams would
                from a2pctl.events.setup import setup_event_streams

                setup_event_streams(
                    make(None),
                    url=IN_PROCESS_EVENTS,
                    method="POST",
                    batch=False,
                    clock=clock,
                    store=store,  # where the delivery below keeps the sink's test id
                )
            simulator.tick()  # what happened since the last command reaches the store first

            poll = SANDBOX_POLL_SECONDS
            default_account = creds.account_sid
        else:
            assert real_credentials is not None
            creds = real_credentials

            def make(account_sid: str | None) -> Gateway:
                from a2pctl.gateway.twilio import TwilioGateway

                return TwilioGateway(
                    creds,
                    account_sid,
                    limiter=limiter,
                    clock=clock,
                    api_url=settings.api_url,
                    on_retry=on_retry,
                )

            def save() -> None:
                return None

            poll = POLL_SECONDS
            default_account = creds.account_sid
        runtime = Runtime(
            settings=settings,
            clock=clock,
            store=store,
            limiter=limiter,
            pause_seconds=pause,
            poll_seconds=poll,
            default_account=default_account,
            make_gateway=make,
            save=save,
        )
        try:
            yield runtime
        finally:
            save()
    finally:
        hold.close()
        store.close()


class _SavingSimulator:
    """The in-process simulator as `InProcessTransport` sees it, saving the simulated
    account into the store after every request it answers: a process killed outright
    (no `finally`) leaves the account as Twilio would, never behind the step records.
    One request at a time (accounts run in threads): a save never overtakes a newer one;
    an answer's simulated latency is slept by the transport, outside this lock."""

    def __init__(self, simulator: Simulator, save: Callable[[], None]) -> None:
        self._simulator = simulator
        self._save = save
        self._lock = threading.Lock()

    def handle(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> object:
        with self._lock:
            answer = self._simulator.handle(method, url, headers, body)
            self._save()
        return answer


def parse_duration(text: str) -> float:
    """Seconds, or a number with a unit: 90s, 30m, 2h, 1d."""
    raw = text.strip().lower()
    unit = DURATION_UNITS.get(raw[-1:], 0)
    try:
        value = float(raw[:-1]) * unit if unit else float(raw)
    except ValueError:
        raise UsageError(
            f"--timeout {text!r} is not a duration",
            hint="use seconds or e.g. 90s, 30m, 2h",
            field="--timeout",
        ) from None
    if not value > 0 or value == float("inf"):  # nan and inf too: a wait must end
        raise UsageError("--timeout must be a positive, finite duration", field="--timeout")
    return value


def _events_into(store: Store, clock: Clock) -> Callable[[str, dict[str, str], bytes], None]:
    """The in-process sandbox's webhook delivery: decode and record, no network (a
    sink's test event: its test id kept, as `events serve` keeps it)."""

    def deliver(url: str, headers: dict[str, str], body: bytes) -> None:
        if not url.startswith(IN_PROCESS_EVENTS):
            return
        from a2pctl.events import decode_body
        from a2pctl.events.record import record_delivery

        events = decode_body(body).events
        record_delivery(store, IN_PROCESS_EVENTS, events, received_at=clock.now())

    return deliver


def _check_scenario(settings: Settings) -> None:
    """Refuse an unknown or misplaced --scenario before anything is created."""
    if not settings.sandbox:
        raise UsageError("--scenario goes with --sandbox")
    from a2pctl.sandbox import SCENARIOS

    if settings.scenario not in SCENARIOS:
        raise UsageError(
            f"unknown scenario {settings.scenario!r}; known scenarios: {', '.join(SCENARIOS)}",
            field="--scenario",
        )


@contextmanager
def _sandbox_lock(store: Store) -> Iterator[None]:
    """One process at a time drives the in-process sandbox of a store: each command
    saves the whole simulated account after every request and when it ends."""
    lock = store.lock("(in-process sandbox)", "-")
    try:
        lock.__enter__()
    except LockedError:
        raise LockedError(
            f"the in-process sandbox of {store.location} is in use by another a2pctl process",
            hint="wait for it to finish; for concurrent runs serve one with `a2pctl sandbox` "
            "and point --api-url at it",
        ) from None
    try:
        yield
    finally:
        lock.__exit__(None, None, None)
