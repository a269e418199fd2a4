"""Typed pieces of Twilio's records, parsed at the boundary.

`RegistrationError` is one entry of a brand's, campaign's or bundle's `errors`, whatever
shape Twilio sent it in: the REST resources' `{error_code, description, fields, url}`,
the generic `{code, message}` of TrustHub bundles and older payloads, or Event Streams'
`{registrationerrorcode, registrationerrordescription, registrationerrorfields,
registrationerrorurl}` (docs/twilio/limits-and-errors.md). An entry of no known shape
keeps its raw text as the description, so nothing is ever shown as "Error None".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

# (code, description, fields, url) keys of each known shape, most specific first.
_SHAPES = (
    ("error_code", "description", "fields", "url"),
    (
        "registrationerrorcode",
        "registrationerrordescription",
        "registrationerrorfields",
        "registrationerrorurl",
    ),
    ("code", "message", "fields", "more_info"),
)


@dataclass(frozen=True)
class RegistrationError:
    code: int | None
    description: str
    fields: tuple[str, ...] = ()
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The REST resources' own shape, which everything past the gateway reads."""
        return {
            "error_code": self.code,
            "description": self.description,
            "fields": list(self.fields),
            "url": self.url,
        }


def registration_errors(value: Any) -> list[RegistrationError]:
    """Every entry of an `errors` value, in one shape (none when it is not a list)."""
    if not isinstance(value, list):
        return []
    return [_parse(entry) for entry in value]


def normalised(value: Any) -> list[dict[str, Any]]:
    """An `errors` value as plain records of the one shape."""
    return [error.as_dict() for error in registration_errors(value)]


def _parse(entry: Any) -> RegistrationError:
    if not isinstance(entry, Mapping):
        return RegistrationError(None, str(entry))
    for code_key, text_key, fields_key, url_key in _SHAPES:
        if code_key in entry or text_key in entry:
            code, text = _int(entry.get(code_key)), entry.get(text_key)
            fields = entry.get(fields_key)
            raw_fields = fields if isinstance(fields, list) else []
            description = str(text).strip() if text not in (None, "") else ""
            if not description:  # a code alone: say what was sent, not "None"
                description = f"error {code}" if code is not None else _raw(entry)
            url = entry.get(url_key)
            return RegistrationError(
                code,
                description,
                tuple(str(f) for f in raw_fields),
                str(url) if url else None,
            )
    return RegistrationError(None, _raw(entry))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _raw(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, default=str)


def plain_json(value: Any) -> Any:
    """A library value as JSON shows it: dates as ISO-8601 (UTC `Z`), decimals as text."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    return value
