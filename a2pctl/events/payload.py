"""Reading a webhook body: strict JSON first, then the documented quirks.

Twilio's A2P Event Streams page shows its 12 example payloads with typos
(docs/twilio/flows.md §5.3). Bodies copied from that page, and anything else written the
same way, still decode: a doubled `"dataschema": " "dataschema": ...`, a `;`
in place of a key's `:`, trailing commas, and raw line breaks inside strings.
Repairs happen outside string literals only, so no value is ever altered.

Nesting is bounded (MAX_DEPTH arrays and objects deep; a delivery is an array
of events whose data nests a few levels): a deeper body is refused before it
is parsed, so that it can never exhaust the parser's recursion.
"""

from __future__ import annotations

import json
import re
from typing import Any

# `"dataschema": " "dataschema": "https://..."`: the key repeated inside an
# opening quote (the number-registration-failed example).
_DOUBLED_KEY = re.compile(r'"(?P<key>[A-Za-z_][A-Za-z0-9_]*)"\s*:\s*"\s*"(?P=key)"\s*:')
_CLOSERS = "}]"
MAX_DEPTH = 32
# A string literal (skipped whole) or one bracket.
_NESTING_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class PayloadError(ValueError):
    """The body is not JSON, even after the documented quirks are repaired."""


def parse_body(raw: bytes | str) -> Any:
    """Parse a webhook body, repairing the documented quirks when strict JSON fails."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PayloadError(f"the body is not UTF-8 text ({exc.reason})") from None
    else:
        text = raw
    if not text.strip():
        raise PayloadError("the body is empty")
    _check_depth(text)
    try:
        return json.loads(text)
    except RecursionError:
        raise PayloadError("the body nests too deep to be read") from None
    except ValueError as strict_error:
        try:
            # strict=False accepts raw control characters (line breaks) in strings.
            return json.loads(repair(text), strict=False)
        except (ValueError, RecursionError):
            raise PayloadError(f"the body is not JSON: {strict_error}") from None


def _check_depth(text: str) -> None:
    """Refuse arrays and objects nested deeper than MAX_DEPTH (brackets inside strings
    do not count)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for token in _NESTING_TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise PayloadError(f"the body nests arrays and objects deeper than {MAX_DEPTH}")
        elif char in "]}":
            depth -= 1


def repair(text: str) -> str:
    """Undo the documented typos, touching only the JSON structure between strings."""
    text = _DOUBLED_KEY.sub(r'"\g<key>":', text)
    out: list[str] = []
    in_string = False
    escaped = False
    i = 0
    while i < len(text):
        char = text[i]
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif char == ";":
            # `"campaignregistrationstatus"; "failure"`: JSON has no `;` outside strings.
            out.append(":")
        elif char == "," and _next_significant(text, i + 1) in _CLOSERS:
            pass  # trailing comma before } or ]
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _next_significant(text: str, start: int) -> str:
    for char in text[start:]:
        if not char.isspace():
            return char
    return ""
