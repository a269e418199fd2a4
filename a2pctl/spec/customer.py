"""The customer file: reading, checking and loading it, each problem with its line.

One YAML file describes one customer (docs/contract.md §2). `check_file` reports every
problem of a file as data and never raises for a bad file; `load_customers` is
what `register` and `plan` use: all files valid, or `InvalidFiles` listing every
problem. The models live in `models`, the documented value rules in
`rules`, the cross-field rules in `checks`, the content advice
(warnings) in `advice` and the line-tracking YAML reader in `loader`; this
module is the one the rest of a2pctl imports.
"""

from __future__ import annotations

import difflib
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from a2pctl.errors import UsageError
from a2pctl.spec import advice, loader, reading
from a2pctl.spec.models import (
    Address,
    AuthorizedRepresentative,
    Brand,
    Business,
    Campaign,
    Contact,
    Customer,
    Isv,
    MessagingProfile,
    MessagingService,
    SoleProprietorInfo,
)
from a2pctl.spec.rules import FLOWS

__all__ = [
    "FLOWS",
    "Address",
    "AuthorizedRepresentative",
    "Brand",
    "Business",
    "Campaign",
    "Contact",
    "Customer",
    "FileCheck",
    "InvalidFiles",
    "Isv",
    "MessagingProfile",
    "MessagingService",
    "Problem",
    "SoleProprietorInfo",
    "check_data",
    "check_file",
    "json_schema_text",
    "load_customers",
]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str  # dotted path such as campaign.message_samples[1]; "" for the file itself
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:" if self.line is not None else f"{self.file}:"
        return f"{where} {self.field}: {self.message}" if self.field else f"{where} {self.message}"


@dataclass(frozen=True)
class FileCheck:
    file: str
    valid: bool
    errors: list[Problem]
    warnings: list[Problem]
    customer: Customer | None
    lines: dict[loader.Path, int] = field(default_factory=dict, repr=False)  # as loaded

    def line_of(self, dotted: str) -> int | None:
        """The line of a dotted field (`campaign.message_samples[0]`) or of its closest
        ancestor, from the file as it was loaded (never read again)."""
        return loader.nearest_line(self.lines, loader.parse_field(dotted))


class InvalidFiles(UsageError):
    """Some customer files break the rules; nothing was sent to Twilio."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        files = len({p.file for p in problems})
        listing = "\n".join(f"  {p}" for p in problems)
        noun = "file is" if files == 1 else "files are"
        super().__init__(
            f"{files} customer {noun} invalid ({len(problems)} problems):\n{listing}",
            hint="fix the fields above; `a2pctl validate FILE...` checks files offline",
        )


def check_file(path: Path) -> FileCheck:
    """Every error and warning of one customer file; never raises for a bad file."""
    label = str(path)
    text, reason = _read(path)
    if text is None:
        return _invalid(label, [Problem(label, None, "", reason)])
    loaded = loader.load(text)
    if loaded.problems:
        unreadable = [
            Problem(label, p.line, loader.format_field(p.field), p.message) for p in loaded.problems
        ]
        return _invalid(label, unreadable)
    if not isinstance(loaded.data, dict):
        got = _yaml_kind(loaded.data)
        message = f"expected a mapping of customer fields (name:, flow:, ...), got {got}"
        return _invalid(label, [Problem(label, 1, "", message)])

    def problem(path: loader.Path, message: str) -> Problem:
        line = loader.nearest_line(loaded.lines, path)
        return Problem(label, line, loader.format_field(path), message)

    customer, found, advised = check_data(loaded.data)
    errors = [problem(path, message) for path, message in found]
    warnings = [problem(path, message) for path, message in advised]
    return FileCheck(label, not errors, _tidy(errors), _tidy(warnings), customer, loaded.lines)


Finding = tuple[loader.Path, str]


def check_data(data: Any) -> tuple[Customer | None, list[Finding], list[Finding]]:
    """A customer's data however it was read (a file, a CSV row, answers): the
    customer if valid, every error and every warning, each as (field path, message)."""
    try:
        return Customer.model_validate(data), [], advice.advice(data)
    except ValidationError as exc:
        errors = [(tuple(e["loc"]), _message(e)) for e in exc.errors()]
        return None, errors, advice.advice(data)


def load_customers(paths: list[Path]) -> list[tuple[Path, Customer]]:
    """All files checked; every problem of every file raised at once as `InvalidFiles`.

    Two files with the same `name` would be the same registration: refused too.
    The same file given twice is loaded once.
    """
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(path.resolve(), path)
    checks = [(path, check_file(path)) for path in unique.values()]
    problems = [p for _, check in checks for p in check.errors]
    first: dict[str, str] = {}
    for path, check in checks:
        if check.customer is None:
            continue
        earlier = first.setdefault(check.customer.name, str(path))
        if earlier != str(path):
            line = check.line_of("name")
            message = f"{check.customer.name!r} is also the name in {earlier}: names must be unique"
            problems.append(Problem(str(path), line, "name", message))
    if problems:
        raise InvalidFiles(problems)
    return [(path, check.customer) for path, check in checks if check.customer is not None]


def json_schema_text() -> str:
    """The JSON Schema of the customer file, generated from the models."""
    schema = {"$schema": SCHEMA_DIALECT, **Customer.model_json_schema()}
    return json.dumps(schema, indent=2, ensure_ascii=False)


# --- reading -----------------------------------------------------------------------------


def _read(path: Path) -> tuple[str | None, str]:
    """The text of a customer file, or None and the reason, read within bounds (`reading`)."""
    try:
        raw = reading.read_input(path, max_bytes=loader.MAX_FILE_BYTES)
    except reading.Unreadable as exc:
        reason = exc.reason
        if reason == "is a directory":
            reason = "is a directory: give the customer files, e.g. DIR/*.yaml"
        elif reason.startswith("too large"):
            reason = f"too large for a customer file (more than {loader.MAX_FILE_BYTES:,} bytes)"
        return None, reason
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start}): save the file as UTF-8"


def _invalid(label: str, errors: list[Problem]) -> FileCheck:
    return FileCheck(label, False, errors, [], None)


def _tidy(problems: list[Problem]) -> list[Problem]:
    """In file order, each once."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: p.line if p.line is not None else 0)


# --- pydantic errors as short, human messages ------------------------------------------------


def _message(error: ErrorDetails) -> str:
    kind, value, ctx = error["type"], error["input"], error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return _unknown_key(tuple(error["loc"]))
    if kind in ("string_type", "bool_type", "list_type", "model_type", "dict_type"):
        expected = {
            "string_type": "text",
            "bool_type": "true or false",
            "list_type": "a list",
        }.get(kind, "a mapping of keys")
        if value is None:
            return f"must be {expected}, not empty"
        hint = "; put it in quotes" if kind == "string_type" and _is_scalar(value) else ""
        return f"must be {expected} (YAML read {_yaml_kind(value)}){hint}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')} (got {_yaml_kind(value)})"
    return str(error["msg"])


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _yaml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}, a boolean"
    if isinstance(value, (int, float)):
        return f"{value}, a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"the text {_short(value)!r}"
    return f"{value}, a {type(value).__name__}"


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _unknown_key(loc: tuple[str | int, ...]) -> str:
    known = _field_names(loc[:-1])
    key = str(loc[-1])
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6) if known else []
    return f"unknown key (did you mean {close[0]!r}?)" if close else "unknown key"


def _field_names(loc: tuple[str | int, ...]) -> list[str]:
    """The keys allowed at a location, following the model's field types."""
    model: type[BaseModel] | None = Customer
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        model = _model_in(info.annotation) if info is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside `X | None`, `list[X]` or `Annotated[X, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
