"""Where the state store is: a SQLite file (the default) or a PostgreSQL database.

`--state` / `A2PCTL_STATE` takes either a path or a `postgresql://` (or `postgres://`)
connection string (docs/contract.md §6). A connection string may carry a password;
a `Location` never shows it: `str()` of one is what messages print, with the password
replaced by `***` (prefer `PGPASSWORD` or `~/.pgpass`, which never reach a2pctl's
arguments at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")
_PASSWORD_KEYS = {"password", "sslpassword"}


@dataclass(frozen=True)
class Location:
    """A SQLite file (`path`) or a PostgreSQL connection string (`url`)."""

    path: Path | None = None
    url: str | None = field(default=None, repr=False)  # may hold a password

    @classmethod
    def parse(cls, value: str | Path | Location) -> Location:
        if isinstance(value, Location):
            return value
        text = str(value)
        if isinstance(value, str) and text.lower().startswith(SCHEMES):
            return cls(url=text)
        return cls(path=Path(value))

    @property
    def postgres(self) -> bool:
        return self.url is not None

    def exists(self) -> bool:
        """A file that exists; a database is always there to ask (its server says if not)."""
        return self.path.exists() if self.path is not None else True

    def is_file(self) -> bool:
        return self.path.is_file() if self.path is not None else True

    def __str__(self) -> str:
        if self.path is not None:
            return str(self.path)
        assert self.url is not None
        return redact(self.url)

    def __repr__(self) -> str:
        return f"Location({str(self)!r})"


def redact(url: str) -> str:
    """The connection string with any password replaced by `***`."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        masked = [(k, "***" if k.lower() in _PASSWORD_KEYS else v) for k, v in pairs]
        query = urlencode(masked, safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def scrub(text: str, url: str) -> str:
    """`text` (a driver's message, on one line) with the password of `url`, if any, masked."""
    parts = urlsplit(url)
    secrets = [parts.password or ""]
    secrets += [v for k, v in parse_qsl(parts.query) if k.lower() in _PASSWORD_KEYS]
    for secret in filter(None, secrets):
        text = text.replace(secret, "***")
    text = re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.IGNORECASE)
    return " ".join(text.split())
