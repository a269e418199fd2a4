"""Contract checks against Twilio's official OpenAPI descriptions.

`load_specs()` finds the four JSON documents (TrustHub, Messaging, Events,
API 2010): from `A2PCTL_TWILIO_OAS_DIR`, else `../shared/twilio-oai/` next to
the repository, else the npm package `@twilio/cli-core` (MIT) unpacked in the
user's cache (fetched with `npm pack` when npm is installed and the registry
answers). Where none can be had, the calling test is skipped with the reason.

`check_request(specs, method, url, body)` finds the operation a request is
for and asserts that the request is one the description allows: every
parameter name declared, every required one present, values within enums,
patterns, lengths and types, path SIDs matching their pattern. It returns the
operation for further assertions (`operation_id`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

SPEC_FILES = (
    "twilio_trusthub_v1.json",
    "twilio_messaging_v1.json",
    "twilio_events_v1.json",
    "twilio_api_v2010.json",
)
ENV_DIR = "A2PCTL_TWILIO_OAS_DIR"
NPM_PACKAGE = "@twilio/cli-core"
NPM_SPEC_SUBDIR = Path("package/src/services/twilio-api")
NPM_TIMEOUT_SECONDS = 120  # one bounded attempt at the registry; tests never hang on it
REPO = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO.parent / "shared" / "twilio-oai"
HTTP_METHODS = ("get", "post", "put", "delete", "patch")


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # "query", "form", "path" or "header"
    required: bool
    schema: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    host: str  # e.g. trusthub.twilio.com
    path: str  # the template, e.g. /v1/CustomerProfiles/{Sid}
    params: dict[tuple[str, str], Param]  # (where, name) → parameter
    responses: dict[str, Any] = field(repr=False)  # status → response object (resolved)

    def declared(self, where: str) -> dict[str, Param]:
        return {name: p for (w, name), p in self.params.items() if w == where}

    def example(self) -> tuple[int, Any]:
        """The first success status and its richest JSON example (None when it has no body)."""
        status = min(self.responses, key=lambda s: (not s.startswith("2"), s))
        content = self.responses[status].get("content", {}).get("application/json", {})
        examples = [e.get("value") for e in content.get("examples", {}).values()]
        examples = [e for e in examples if e is not None]
        best = max(examples, key=lambda e: len(json.dumps(e)), default=None)
        return int(status), best


@dataclass
class Specs:
    source: Path
    operations: list[Operation]

    def find(self, method: str, url: str) -> Operation:
        parts = urlsplit(url)
        candidates = [
            op
            for op in self.operations
            if op.host == parts.netloc and op.method == method.upper() and _match(op, parts.path)
        ]
        if not candidates:
            hosts = sorted({op.host for op in self.operations})
            raise AssertionError(
                f"{method.upper()} {parts.netloc}{parts.path}: no operation in the OpenAPI "
                f"descriptions ({self.source}) matches (hosts described: {', '.join(hosts)})"
            )
        # A literal segment wins over a template one: .../Usa2p/Usecases over .../Usa2p/{Sid}.
        return max(candidates, key=lambda op: len(re.sub(r"\{[^}]+\}", "", op.path)))


def load_specs() -> Specs:
    """The four descriptions, from the first place that has them; else skip the test."""
    found = locate_spec_dir(
        env_dir=os.environ.get(ENV_DIR),
        shared_dir=SHARED_DIR,
        cache_dir=_cache_dir(),
        npm=shutil.which("npm"),
    )
    if isinstance(found, str):
        pytest.skip(found)
    return _load(found)


def locate_spec_dir(
    *, env_dir: str | None, shared_dir: Path, cache_dir: Path, npm: str | None
) -> Path | str:
    """The directory holding every file of SPEC_FILES, or the reason why there is none."""
    if env_dir:
        if _complete(Path(env_dir)):
            return Path(env_dir)
        # Asked for explicitly: a wrong directory is an error, not a reason to look elsewhere.
        raise AssertionError(f"{ENV_DIR}={env_dir} does not hold {', '.join(SPEC_FILES)}")
    if _complete(shared_dir):
        return shared_dir
    cached = cache_dir / NPM_SPEC_SUBDIR
    if _complete(cached):
        return cached
    if npm is None:
        return (
            f"Twilio's OpenAPI descriptions not found: set {ENV_DIR}, provide {shared_dir}, "
            f"or install npm so that {NPM_PACKAGE} can be fetched into {cache_dir}"
        )
    problem = _npm_pack(npm, cache_dir)
    if problem is None and _complete(cached):
        return cached
    return f"Twilio's OpenAPI descriptions not found and `npm pack {NPM_PACKAGE}` failed: {problem}"


def _cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "a2pctl" / "cli-core"


def _complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in SPEC_FILES)


def _npm_pack(npm: str, cache_dir: Path) -> str | None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--pack-destination", str(cache_dir), "--silent"],
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    tarballs = sorted(cache_dir.glob("twilio-cli-core-*.tgz"))
    if done.returncode != 0 or not tarballs:
        return (done.stderr or done.stdout).strip()[-300:] or f"exit status {done.returncode}"
    with tarfile.open(tarballs[-1]) as archive:
        archive.extractall(cache_dir, filter="data")  # the "data" filter refuses unsafe paths
    return None


@cache
def _load(directory: Path) -> Specs:
    operations: list[Operation] = []
    for name in SPEC_FILES:
        document = json.loads((directory / name).read_text(encoding="utf-8"))
        operations.extend(_operations(document))
    return Specs(source=directory, operations=operations)


def _operations(document: dict[str, Any]) -> list[Operation]:
    default_host = urlsplit(document["servers"][0]["url"]).netloc
    found = []
    for path, item in document["paths"].items():
        host = urlsplit(item.get("servers", [{}])[0].get("url", "")).netloc or default_host
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            params: dict[tuple[str, str], Param] = {}
            for raw in [*shared, *op.get("parameters", [])]:
                p = _resolve(document, raw)
                where = p["in"]
                schema = _resolve(document, p.get("schema", {}))
                params[(where, p["name"])] = Param(
                    p["name"], where, bool(p.get("required")), schema
                )
            body = op.get("requestBody", {}).get("content", {})
            form = _resolve(
                document, body.get("application/x-www-form-urlencoded", {}).get("schema", {})
            )
            for name, schema in form.get("properties", {}).items():
                required = name in form.get("required", [])
                params[("form", name)] = Param(name, "form", required, _resolve(document, schema))
            found.append(
                Operation(
                    operation_id=op.get("operationId", f"{method} {path}"),
                    method=method.upper(),
                    host=host,
                    path=path,
                    params=params,
                    responses={k: _resolve(document, v) for k, v in op["responses"].items()},
                )
            )
    return found


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@cache
def _path_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}$")


def _match(op: Operation, path: str) -> bool:
    return _path_regex(op.path).match(path) is not None


def check_request(specs: Specs, method: str, url: str, body: bytes | str | None) -> Operation:
    """Assert that this request is one the OpenAPI description allows; return its operation."""
    op = specs.find(method, url)
    parts = urlsplit(url)
    where = f"{op.operation_id} ({op.method} {op.path})"
    problems: list[str] = []

    path_values = _path_regex(op.path).match(parts.path)
    assert path_values is not None
    for name, value in path_values.groupdict().items():
        param = op.params.get(("path", name))
        if param is None:
            problems.append(f"path parameter {name} is not declared")
            continue
        problems += _value_problems(f"path {name}", value, param.schema)

    text = body.decode("utf-8") if isinstance(body, bytes) else (body or "")
    sent = {
        "query": parse_qsl(parts.query, keep_blank_values=True),
        "form": parse_qsl(text, keep_blank_values=True),
    }
    for location, pairs in sent.items():
        declared = op.declared(location)
        values: dict[str, list[str]] = {}
        for name, value in pairs:
            values.setdefault(name, []).append(value)
        for name, given in values.items():
            param = declared.get(name)
            if param is None:
                problems.append(
                    f"{location} parameter {name!r} is not declared "
                    f"(declared: {', '.join(sorted(declared)) or 'none'})"
                )
                continue
            problems += _param_problems(f"{location} {name}", given, param.schema)
        for name, param in declared.items():
            if param.required and name not in values:
                problems.append(f"required {location} parameter {name!r} is missing")
    if problems:
        raise AssertionError(f"{method.upper()} {url} breaks {where}:\n  " + "\n  ".join(problems))
    return op


def _param_problems(label: str, given: list[str], schema: dict[str, Any]) -> list[str]:
    if schema.get("type") == "array":
        items = schema.get("items", {})
        return [p for value in given for p in _value_problems(f"{label}[]", value, items)]
    if len(given) > 1:
        return [f"{label} is sent {len(given)} times but is not an array"]
    return _value_problems(label, given[0], schema)


def _value_problems(label: str, value: str, schema: dict[str, Any]) -> list[str]:
    problems = []
    kind = schema.get("type")
    if "enum" in schema and value not in [str(e) for e in schema["enum"]]:
        problems.append(f"{label}={value!r} is not one of {schema['enum']}")
    if kind == "boolean" and value not in ("true", "false"):
        problems.append(f"{label}={value!r} is not a boolean (true/false)")
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        problems.append(f"{label}={value!r} is not an integer")
    if kind == "string" or (kind is None and "pattern" in schema):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{label}={value!r} does not match {schema['pattern']}")
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append(f"{label} is shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{label} is longer than {schema['maxLength']} characters")
    return problems
