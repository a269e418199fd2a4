"""Event Streams: webhook sink setup, the receiver, and decoding of A2P events.

- `catalog`: the 12 A2P event types, their schema versions and what each implies.
- `setup`: `a2pctl events setup` — one sink and one subscription per account.
- `payload` + `decode`: webhook bodies → `DecodedEvent`s (the documented quirks included).
- `record`: events → the state store (once per CloudEvent id, against their registration).
- `signature` + `receiver`: `a2pctl events serve` — signed deliveries only.
"""

from __future__ import annotations

from a2pctl.events.decode import DecodedEvent, DecodeResult, decode_body, decode_payload
from a2pctl.events.payload import PayloadError
from a2pctl.events.record import ReceivedEvent, match_event, record_event, record_events

__all__ = [
    "DecodeResult",
    "DecodedEvent",
    "PayloadError",
    "ReceivedEvent",
    "decode_body",
    "decode_payload",
    "match_event",
    "record_event",
    "record_events",
]
