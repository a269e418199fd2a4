"""Checking `X-Twilio-Signature` on a webhook request (docs/twilio/endpoints.md §5.4).

Twilio signs the full URL it requested: base64(HMAC-SHA1(auth token, URL)).
For JSON bodies that URL carries `bodySHA256=<hex sha256 of the raw body>` in
its query, which binds the body to the signature. Form bodies use Twilio's
classic scheme instead: URL + each parameter name and value, names sorted.
Like twilio-python's RequestValidator, the URL is tried with and without its
default port, since Twilio is inconsistent about including it. A request
with `X-Twilio-Webhooks-Signature-Settings: ...,algorithm=HMAC_SHA256` is
checked with SHA-256 instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

SIGNATURE_HEADER = "x-twilio-signature"
SETTINGS_HEADER = "x-twilio-webhooks-signature-settings"
BODY_HASH_PARAM = "bodySHA256"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

_HASHES: dict[str, Callable[..., Any]] = {
    "HMAC_SHA1": hashlib.sha1,
    "HMAC_SHA256": hashlib.sha256,
}
_DEFAULT_PORTS = {"https": 443, "http": 80}


def signed_url(public_url: str, target: str) -> str:
    """The URL Twilio requested: the public URL's scheme and host + the request's path and query."""
    base = urlsplit(public_url)
    path, _, query = target.partition("?")
    return urlunsplit((base.scheme, base.netloc, path, query, ""))


def check_signature(
    *,
    tokens: Sequence[str],
    url: str,
    body: bytes,
    headers: Mapping[str, str],
) -> str | None:
    """None when the request is signed by one of `tokens`; otherwise why it is not.

    `headers` are keyed in lower case.
    """
    signature = headers.get(SIGNATURE_HEADER, "").strip()
    if not signature:
        return "no X-Twilio-Signature header"
    algorithm = _algorithm(headers.get(SETTINGS_HEADER, ""))
    digest = _HASHES.get(algorithm)
    if digest is None:
        return f"unsupported signature algorithm {algorithm}"
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    if BODY_HASH_PARAM in query:
        expected = hashlib.sha256(body).hexdigest()
        if not hmac.compare_digest(expected, query[BODY_HASH_PARAM][0].strip().lower()):
            return "bodySHA256 does not match the body"
        suffix = ""
    else:
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == FORM_CONTENT_TYPE:
            suffix = _form_suffix(body)
        elif body.strip():
            # Without bodySHA256 nothing would bind this body to the signature.
            return "a body without bodySHA256 in the signed URL"
        else:
            suffix = ""
    for candidate in _port_variants(url):
        for token in tokens:
            mac = hmac.new(token.encode(), (candidate + suffix).encode(), digest)
            if hmac.compare_digest(base64.b64encode(mac.digest()).decode(), signature):
                return None
    return (
        "X-Twilio-Signature does not match "
        "(wrong auth token, or a --public-url other than the sink's URL?)"
    )


def _algorithm(settings: str) -> str:
    for part in settings.split(","):
        name, sep, value = part.partition("=")
        if sep and name.strip().lower() == "algorithm" and value.strip():
            return value.strip().upper().replace("-", "_")
    return "HMAC_SHA1"


def _form_suffix(body: bytes) -> str:
    params = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return "".join(name + value for name in sorted(params) for value in sorted(set(params[name])))


def _port_variants(url: str) -> list[str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    without = urlunsplit(parts._replace(netloc=prefix + host))
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)
    with_port = urlunsplit(parts._replace(netloc=f"{prefix}{host}:{port}"))
    return [url] + [u for u in (without, with_port) if u != url]
