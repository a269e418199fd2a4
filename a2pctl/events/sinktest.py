"""The test event of an Event Streams sink, and where a2pctl keeps its test id.

A new sink must be tested and validated before Twilio subscribes it to events
(docs/twilio/endpoints.md §4.1): `POST /v1/Sinks/{DG}/Test` makes Twilio deliver
a test event to the sink's destination, carrying a test id; `POST
/v1/Sinks/{DG}/Validate` with that `TestId` turns the sink active. Only the
receiver sees the test id. So when a2pctl's own receiver is the sink (`events
serve`, or the in-process sandbox's delivery into the store), it keeps the
newest test id in the state store, under the sink's destination URL (what the
receiver knows as its public URL); `events setup` reads it from there and
validates. The test event itself is not recorded as an A2P event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from a2pctl.state.store import Store

# The type the test event is documented and simulated with; any type under
# Event Streams' own namespace that names a test is taken as one too.
TEST_EVENT_TYPE = "com.twilio.eventstreams.test-event"
_EVENT_STREAMS_PREFIX = "com.twilio.eventstreams."
_BLOB_PREFIX = "events.sink-test:"


@dataclass(frozen=True)
class CapturedTest:
    """The newest test event a2pctl's receiver got at one destination."""

    test_id: str
    event_id: str | None
    sink_sid: str | None  # the event's `source`, when it names a sink (DG…)
    received_at: float


def is_test_event(type_id: str, data: dict[str, Any]) -> bool:
    if type_id == TEST_EVENT_TYPE:
        return True
    return type_id.startswith(_EVENT_STREAMS_PREFIX) and "test" in type_id.lower()


def test_id_of(envelope: dict[str, Any]) -> str | None:
    """The test id a test event carries: `data.test_id` (spelt test_id, testId or TestId)."""
    data = envelope.get("data")
    for where in (data if isinstance(data, dict) else {}, envelope):
        for key, value in where.items():
            if key.replace("_", "").lower() == "testid" and isinstance(value, str | int):
                text = str(value).strip()
                if text:
                    return text
    return None


def destination_key(url: str) -> str:
    """A destination URL as the key of its test id: no query, no fragment, no trailing /."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def record_test(
    store: Store, destination: str, envelope: dict[str, Any], *, received_at: float
) -> CapturedTest | None:
    """Keep the test id of a test event received at `destination` (None: it has none)."""
    test_id = test_id_of(envelope)
    if test_id is None:
        return None
    source = envelope.get("source")
    captured = CapturedTest(
        test_id=test_id,
        event_id=str(envelope["id"]) if envelope.get("id") else None,
        sink_sid=source if isinstance(source, str) and source.startswith("DG") else None,
        received_at=received_at,
    )
    store.put_blob(_BLOB_PREFIX + destination_key(destination), json.dumps(vars(captured)))
    return captured


def captured_test(store: Store, destination: str) -> CapturedTest | None:
    """The newest test id a2pctl's receiver kept for `destination`, if any."""
    text = store.get_blob(_BLOB_PREFIX + destination_key(destination))
    if text is None:
        return None
    try:
        value = json.loads(text)
        return CapturedTest(
            test_id=str(value["test_id"]),
            event_id=value.get("event_id"),
            sink_sid=value.get("sink_sid"),
            received_at=float(value.get("received_at") or 0.0),
        )
    except (ValueError, TypeError, KeyError):
        return None  # not one a2pctl wrote: as if none had arrived
