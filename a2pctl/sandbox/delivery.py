"""Signed webhook requests, as Twilio signs them, and the default transport.

Event Streams (JSON body): the body's hex SHA-256 is appended to the sink
URL's query as `bodySHA256=…`, and `X-Twilio-Signature` is
base64(HMAC-SHA1(auth token, that full URL)), which
`twilio.request_validator.RequestValidator.validate(url, body, signature)`
accepts. Status callbacks (form body): the signature covers the URL followed
by every parameter name and value in sorted order.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlencode

from a2pctl.sandbox.wire import Json

DELIVERY_TIMEOUT_SECONDS = 5.0
USER_AGENT = "TwilioProxy/1.1"

Delivery = tuple[str, dict[str, str], bytes]  # (url, headers, body)


def signature(token: str, url: str, params: Mapping[str, str] | None = None) -> str:
    fields = params or {}
    payload = url + "".join(f"{key}{fields[key]}" for key in sorted(fields))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def event_delivery(destination: str, token: str, events: list[Json], idempotency: str) -> Delivery:
    """The POST of a JSON array of CloudEvents to a webhook sink."""
    body = json.dumps(events, separators=(",", ":")).encode()
    separator = "&" if "?" in destination else "?"
    url = f"{destination}{separator}bodySHA256={hashlib.sha256(body).hexdigest()}"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Twilio-Signature": signature(token, url),
        "I-Twilio-Idempotency-Token": idempotency,
    }
    return url, headers, body


def callback_delivery(url: str, token: str, params: Mapping[str, str]) -> Delivery:
    """A form-encoded status callback (TrustHub bundle status changes)."""
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": USER_AGENT,
        "X-Twilio-Signature": signature(token, url, params),
    }
    return url, headers, urlencode(sorted(params.items())).encode()


def http_post(url: str, headers: dict[str, str], body: bytes) -> None:
    """The default transport: one POST, raising on any failure (the caller counts it)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as response:
        response.read()
