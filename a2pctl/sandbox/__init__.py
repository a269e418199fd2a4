"""A local simulator of the Twilio endpoints a2pctl uses.

TrustHub profiles, bundles, end users, documents, assignments, evaluations
and policies; API 2010 Addresses and IncomingPhoneNumbers; brand
registrations, the sole-proprietor OTP, messaging services, their senders and
US A2P campaigns; Event Streams sinks, subscriptions and types. Answers
follow the official OpenAPI description (fields, SID prefixes, paging),
reviews move on the simulator's own clock with outcomes chosen by a scenario,
and subscribed A2P events are delivered to webhook sinks, signed like Twilio's.

Standard library only, and nothing else of a2pctl: the gateway reaches it
through the same code path as the real API (`Simulator.handle`), in process,
or over HTTP through `serve`.
"""

from a2pctl.sandbox.scenarios import SLOW_REVIEW_FACTOR
from a2pctl.sandbox.server import SandboxServer, serve
from a2pctl.sandbox.simulator import (
    DEFAULT_REVIEW_SECONDS,
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    SCENARIOS,
    SimResponse,
    Simulator,
)

__all__ = [
    "DEFAULT_REVIEW_SECONDS",
    "SANDBOX_ACCOUNT_SID",
    "SANDBOX_AUTH_TOKEN",
    "SCENARIOS",
    "SLOW_REVIEW_FACTOR",
    "SandboxServer",
    "SimResponse",
    "Simulator",
    "serve",
]
