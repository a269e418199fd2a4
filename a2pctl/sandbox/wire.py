"""Twilio's wire format as the simulator reads and writes it.

Requests arrive as the `twilio` library sends them: PascalCase form or query
keys, repeated keys for lists, JSON strings for object-typed parameters, the
strings `true`/`false` for booleans. Answers are snake_case JSON: Twilio's
legacy error body, the v1 and 2010 paging envelopes, ISO-8601 dates on the v1
APIs and RFC 2822 dates on API 2010 (docs/twilio/endpoints.md §0).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

Json = dict[str, Any]
Reply = tuple[int, Json | None]  # (HTTP status, body or None for an empty 204)

# The original host of each product: record URLs and paging URLs point there,
# and the caller (a2pctl's gateway) rewrites hosts when it talks to a sandbox.
TRUSTHUB = "https://trusthub.twilio.com"
MESSAGING = "https://messaging.twilio.com"
EVENTS = "https://events.twilio.com"
API = "https://api.twilio.com"

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
PAGING_KEYS = frozenset({"PageSize", "Page", "PageToken"})

# Twilio's generic error codes.
INVALID_PARAMETER = 20001  # also "Missing required parameter X in the post body"
AUTHENTICATE = 20003
METHOD_NOT_ALLOWED = 20004
NOT_FOUND = 20404
TOO_MANY_REQUESTS = 20429
INTERNAL_ERROR = 20500
SERVICE_UNAVAILABLE = 20503


class ApiError(Exception):
    """An error answer, with Twilio's body `{code, message, more_info, status}`."""

    def __init__(
        self, status: int, code: int, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> Json:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/api/errors/{self.code}",
            "status": self.status,
        }


def not_found(path: str) -> ApiError:
    return ApiError(404, NOT_FOUND, f"The requested resource {path} was not found")


def invalid(message: str, code: int = INVALID_PARAMETER, status: int = 400) -> ApiError:
    return ApiError(status, code, message)


@dataclass
class Request:
    """One parsed request. `account` is the account it acts on."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    account: str
    params: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.params = {**self.query, **self.form}

    def has(self, name: str) -> bool:
        return name in self.params

    def get(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else None

    def required(self, name: str, code: int = INVALID_PARAMETER) -> str:
        value = self.get(name)
        if value is None or value == "":
            raise invalid(f"Missing required parameter {name} in the post body", code)
        return value

    def values(self, name: str) -> list[str]:
        return list(self.params.get(name, []))

    def flag(self, name: str) -> bool | None:
        value = self.get(name)
        if value is None:
            return None
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise invalid(f"Invalid value {value!r} for parameter {name}: expected true or false")
        return lowered == "true"

    def integer(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise invalid(
                f"Invalid value {value!r} for parameter {name}: expected an integer"
            ) from None

    def json_object(self, name: str) -> Json | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            parsed = json.loads(value)
        except ValueError:
            raise invalid(f"Invalid JSON in parameter {name}") from None
        if not isinstance(parsed, dict):
            raise invalid(f"Parameter {name} must be a JSON object")
        return parsed


def public(record: Json) -> Json:
    """The record as Twilio shows it: the simulator's own `_` keys removed."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


# --- dates --------------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def iso(ts: float) -> str:
    """v1 APIs: `2021-01-27T14:18:35Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_ms(ts: float) -> str:
    """Event `time`: `2023-06-27T19:06:32.294Z`."""
    millis = round(ts * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{millis:03d}Z"


def rfc2822(ts: float) -> str:
    """API 2010: `Tue, 18 Aug 2015 17:07:30 +0000` (locale-independent)."""
    t = time.gmtime(ts)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def epoch_ms(ts: float) -> int:
    return round(ts * 1000)


# --- paging -----------------------------------------------------------------------


def _window(req: Request) -> tuple[int, int]:
    size = req.integer("PageSize") or DEFAULT_PAGE_SIZE
    page = req.integer("Page") or 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid(f"PageSize must be between 1 and {MAX_PAGE_SIZE}")
    if page < 0:
        raise invalid("Page must not be negative")
    return size, page


def _page_query(req: Request, size: int, page: int) -> str:
    filters = [(k, v) for k, vs in req.query.items() if k not in PAGING_KEYS for v in vs]
    paging: list[tuple[str, str | int]] = [("PageSize", size), ("Page", page)]
    if page > 0:
        # An opaque-looking token that carries the offset, as Twilio's do.
        paging.append(("PageToken", f"PT{page * size}"))
    return urlencode([*filters, *paging])


def v1_page(req: Request, host: str, items: list[Json], key: str) -> Json:
    """A v1 list page: `{key: [...], "meta": {...}}` with absolute URLs on `host`."""
    size, page = _window(req)
    start = page * size
    chunk = items[start : start + size]

    def url(number: int) -> str:
        return f"{host}{req.path}?{_page_query(req, size, number)}"

    meta = {
        "page": page,
        "page_size": size,
        "first_page_url": url(0),
        "previous_page_url": url(page - 1) if page > 0 else None,
        "next_page_url": url(page + 1) if start + size < len(items) else None,
        "url": url(page),
        "key": key,
    }
    return {key: [public(item) for item in chunk], "meta": meta}


def api2010_page(req: Request, items: list[Json], key: str) -> Json:
    """An API 2010 list page, URIs relative to https://api.twilio.com."""
    size, page = _window(req)
    start = page * size
    chunk = items[start : start + size]

    def uri(number: int) -> str:
        return f"{req.path}?{_page_query(req, size, number)}"

    return {
        key: [public(item) for item in chunk],
        "end": start + max(len(chunk) - 1, 0),
        "first_page_uri": uri(0),
        "next_page_uri": uri(page + 1) if start + size < len(items) else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": uri(page - 1) if page > 0 else None,
        "start": start,
        "uri": uri(page),
    }
