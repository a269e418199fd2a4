"""Which error, retryable or not, what hint: the pure half of the Twilio gateway.

Everything here works on plain values (HTTP status, body text, the kind of
failure, method and path), so it is tested without `twilio` or a network.
`a2pctl.gateway.twilio` reduces each exception the library or `requests` can
raise to these values (`transport_failure` for `requests`' own) and asks
`map_failure` what it means; the retry policy asks `backoff_seconds` how long
to wait. Nothing here imports `twilio`.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any, Literal

import requests.exceptions as rex
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from a2pctl.gateway import GatewayError

# What happened to one request:
#   http     Twilio answered with an error status;
#   connect  no connection was made, so the request was never sent (always safe to repeat);
#   dropped  the connection broke after the request was sent (it may have been performed);
#   timeout  no answer within the timeout after sending (it may have been performed);
#   tls      the TLS handshake failed (certificates, proxy): repeating does not help;
#   other    anything else (a malformed URL, an answer the library cannot read).
FailureKind = Literal["http", "connect", "dropped", "timeout", "tls", "other"]

# Answers that say the request was not performed, so even a create may be sent again.
NOT_PERFORMED_STATUSES = frozenset({429, 503})
TOO_MANY_REQUESTS = 429
SERVER_ERRORS = range(500, 600)

ERROR_DOCS_URL = "https://www.twilio.com/docs/api/errors/{code}"
MAX_REASON_CHARS = 160  # keep transport reasons to one readable line

# Twilio error codes with a known next step (21710, a number already in a
# service, is not an error for the flows: the caller handles it).
_CODE_HINTS: dict[int, str] = {
    20003: "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and "
    "TWILIO_API_SECRET): Twilio did not accept them for this account",
    20404: "check the SID: it may be mistyped, deleted, or belong to another account or subaccount",
    20429: "Twilio is rate-limiting this account: lower --rate (requests per second) and re-run",
}
_STATUS_HINTS: dict[int, str] = {
    401: _CODE_HINTS[20003],
    403: "these credentials may not act on this resource: check the account (or subaccount) "
    "and its permissions",
    404: _CODE_HINTS[20404],
    429: _CODE_HINTS[20429],
}
_SERVER_HINT = (
    "Twilio could not handle the request just now: re-run later (what is done is recorded)"
)
_CONNECT_HINT = "check the network connection, proxy settings and --api-url (A2PCTL_API_URL)"
_AMBIGUOUS_HINT = (
    "the request may have been performed: re-run, and a2pctl looks the resource up before "
    "creating it again"
)
_TLS_HINT = "check the system's CA certificates and proxy settings"

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]*@")


def scrub(text: str) -> str:
    """Remove credentials written into URLs (`https://user:secret@host` → `https://host`)."""
    return _USERINFO.sub(r"\1", text)


def map_failure(
    *,
    method: str,
    path: str,
    kind: FailureKind,
    status: int | None = None,
    body: str | Mapping[str, Any] | None = None,
    reason: str | None = None,
    create: bool = False,
) -> GatewayError:
    """The `GatewayError` for one failed request.

    `body` is Twilio's answer (text, or an already parsed JSON object) in either
    of its error formats: legacy `{code, message, more_info, status, details}`
    or RFC 9457 `{type, title, status, code, detail, errors[{detail, pointer}]}`.
    `create` says the request creates something: such a request is never
    repeated blindly once it may have been performed (ambiguous).
    """
    resource = f"{method.upper()} {path}"
    if kind == "http":
        return _http_failure(resource, status, _payload(body), create=create)
    detail = f" ({scrub(reason)[:MAX_REASON_CHARS]})" if reason else ""
    if kind == "connect":
        message = f"{resource}: could not connect to Twilio{detail}"
        return GatewayError(message, resource=resource, retryable=True, hint=_CONNECT_HINT)
    if kind in ("dropped", "timeout"):
        what = (
            "the connection dropped before Twilio answered"
            if kind == "dropped"
            else "Twilio did not answer within the timeout"
        )
        if create:
            return GatewayError(
                f"{resource}: {what}{detail}; the request may have been performed",
                resource=resource,
                ambiguous=True,
                hint=_AMBIGUOUS_HINT,
            )
        return GatewayError(
            f"{resource}: {what}{detail}", resource=resource, retryable=True, hint=_CONNECT_HINT
        )
    if kind == "tls":
        return GatewayError(
            f"{resource}: secure connection failed{detail}", resource=resource, hint=_TLS_HINT
        )
    return GatewayError(f"{resource}: request failed{detail}", resource=resource)


def _payload(body: str | Mapping[str, Any] | None) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    if not body:
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}  # an HTML error page from a proxy: nothing of Twilio's to report
    return parsed if isinstance(parsed, dict) else {}


def _http_failure(
    resource: str, status: int | None, payload: Mapping[str, Any], *, create: bool
) -> GatewayError:
    code = _int_or_none(payload.get("code"))
    text, field = _twilio_message(payload)
    if not text:
        text = _reason_phrase(status)
    more_info = payload.get("more_info") or payload.get("type")
    if not isinstance(more_info, str) or not more_info.startswith("http"):
        more_info = ERROR_DOCS_URL.format(code=code) if code else None
    facts = [f"HTTP {status}" if status else "no HTTP status"]
    if code:
        facts.append(f"Twilio error {code}")
    if more_info:
        facts.append(more_info)
    message = f"{resource}: {scrub(text)} ({', '.join(facts)})"

    transient = status is not None and (status == TOO_MANY_REQUESTS or status in SERVER_ERRORS)
    # A server error on a create may come after the create was performed; 429
    # and 503 mean Twilio turned the request away, so it can be sent again.
    ambiguous = transient and create and status not in NOT_PERFORMED_STATUSES
    hint = _CODE_HINTS.get(code or 0) or (_STATUS_HINTS.get(status or 0))
    if hint is None and status in SERVER_ERRORS:
        hint = _SERVER_HINT
    if ambiguous:
        hint = _AMBIGUOUS_HINT
    return GatewayError(
        message,
        status=status,
        code=code,
        resource=resource,
        field=field,
        retryable=transient and not ambiguous,
        ambiguous=ambiguous,
        more_info=more_info,
        hint=hint,
    )


def _twilio_message(payload: Mapping[str, Any]) -> tuple[str, str | None]:
    """Twilio's own words and the parameter they concern, from either error format."""
    field: str | None = None
    errors = payload.get("errors")
    if "title" in payload or isinstance(errors, list):  # RFC 9457 problem details
        parts = [str(p) for p in (payload.get("title"), payload.get("detail")) if p]
        for item in errors if isinstance(errors, list) else []:
            if not isinstance(item, Mapping):
                continue
            pointer = _pointer_field(item.get("pointer"))
            field = field or pointer
            if item.get("detail"):
                parts.append(f"{pointer}: {item['detail']}" if pointer else str(item["detail"]))
        return ": ".join(dict.fromkeys(parts)), field
    details = payload.get("details")
    if isinstance(details, Mapping):
        for key in ("field", "param", "parameter"):
            if isinstance(details.get(key), str) and details[key]:
                field = details[key]
                break
    message = payload.get("message")
    return (str(message) if message else ""), field


def _pointer_field(pointer: object) -> str | None:
    """`#/FriendlyName` or `/Attributes/email` → `FriendlyName`, `Attributes.email`."""
    if not isinstance(pointer, str):
        return None
    parts = [p for p in pointer.lstrip("#").split("/") if p]
    return ".".join(parts) or None


def _reason_phrase(status: int | None) -> str:
    if status is None:
        return "no answer"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from `now` (epoch seconds): delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def backoff_seconds(
    attempt: int,
    *,
    rng: random.Random,
    base: float,
    cap: float,
    retry_after: float | None = None,
) -> float:
    """Exponential backoff with full jitter before retry number `attempt` (1 = first retry),
    never shorter than what Twilio asked for in `Retry-After`."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    wait = rng.uniform(0.0, ceiling)
    if retry_after is not None:
        wait = max(wait, retry_after)
    return wait


def transport_failure(exc: BaseException) -> tuple[FailureKind, str]:
    """What a `requests` exception means (was the request sent?) and a one-line reason.

    Only a failure to connect proves the request was not sent; a broken
    connection or a read timeout after sending leaves it ambiguous.
    """
    kind: FailureKind = "other"
    if isinstance(exc, rex.ConnectTimeout | rex.ProxyError):
        kind = "connect"
    elif isinstance(exc, rex.SSLError):
        kind = "tls"
    elif isinstance(exc, rex.Timeout):
        kind = "timeout"
    elif isinstance(exc, rex.ConnectionError):
        inner = exc.args[0] if exc.args else None
        # NewConnectionError (refused, DNS failure) subclasses ConnectTimeoutError.
        refused = isinstance(inner, MaxRetryError) and isinstance(inner.reason, ConnectTimeoutError)
        kind = "connect" if refused else "dropped"
    elif isinstance(exc, rex.ChunkedEncodingError):
        kind = "dropped"
    return kind, _short_reason(exc)


def _short_reason(exc: BaseException) -> str:
    """The innermost cause in a few words: "Connection refused", "Read timed out."."""
    inner: BaseException = exc
    while True:
        if isinstance(inner, MaxRetryError) and inner.reason is not None:
            inner = inner.reason
            continue
        nested = inner.args[-1] if inner.args else None
        if isinstance(nested, BaseException) and nested is not inner:
            inner = nested
            continue
        break
    text = str(inner)
    if "[Errno" in text and "] " in text:  # "...: [Errno 111] Connection refused"
        text = text.rsplit("] ", 1)[1]
    elif ": " in text:
        text = text.split(": ", 1)[1]  # drop "HTTPConnectionPool(host=..., port=...): "
    text = text.strip(" '\"")
    return scrub(text)[:MAX_REASON_CHARS] or type(exc).__name__
