"""Contract checks against Twilio's official OpenAPI descriptions.

`load_specs()` finds the four JSON documents (TrustHub, Messaging, Events,
API 2010): from `A2PCTL_TWILIO_OAS_DIR`, else `../shared/twilio-oai/` next to
the repository, else one pinned release of the npm package `@twilio/cli-core`
(MIT), which carries them. That release is downloaded once from the npm
registry, checked against its sha256, and its four files are kept in the
clone's ignored `.cache/`: what the tests read never depends on what the
registry serves on the day, and nothing is written outside the clone. Where
none of the three can be had the test fails with the reason: a contract that
is not checked must never pass.

`check_request(specs, method, url, body)` finds the operation a request is
for and asserts that the request is one the description allows: every
parameter name declared, every required one present, values within enums,
patterns, lengths and types, path SIDs matching their pattern. It returns the
operation for further assertions (`operation_id`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import urllib.request
from collections.abc import Callable
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
REPO = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO.parent / "shared" / "twilio-oai"


@dataclass(frozen=True)
class PinnedRelease:
    """One exact npm tarball that holds the descriptions, and how to recognise it."""

    package: str
    version: str
    sha256: str
    member_dir: str  # where the JSON files sit inside the tarball

    @property
    def url(self) -> str:
        name = self.package.split("/")[-1]
        return f"https://registry.npmjs.org/{self.package}/-/{name}-{self.version}.tgz"

    @property
    def cache_dir(self) -> Path:
        return REPO / ".cache" / "twilio-oai" / f"{self.package.split('/')[-1]}-{self.version}"


# 9.0.0 is the first release whose Messaging description has the campaign's
# PrivacyPolicyUrl and TermsAndConditionsUrl (8.3.2 lacks them). To move the pin,
# `npm pack @twilio/cli-core@X` and `sha256sum` the tarball.
CLI_CORE = PinnedRelease(
    package="@twilio/cli-core",
    version="9.0.0",
    sha256="9fef3d7234dbce63ff3005a422f46fcf7e3486b369f852f61b3ede41097e5667",
    member_dir="package/src/services/twilio-api",
)
DOWNLOAD_TIMEOUT_SECONDS = 120  # one bounded attempt at the registry; tests never hang on it
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
    # Every path the descriptions list, operations or not: (host, template) → path item.
    paths: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def listed_path(self, url: str) -> str | None:
        """The template of the listed path a URL is for, if the descriptions list one."""
        parts = urlsplit(url)
        for (host, template), _ in self.paths.items():
            if host == parts.netloc and _path_regex(template).match(parts.path):
                return template
        return None

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


def spec_dir() -> Path:
    """The directory of the four descriptions, from the first place that has them.

    Fails the calling test (never skips it) when none can be had.
    """
    found = locate_spec_dir(
        env_dir=os.environ.get(ENV_DIR), shared_dir=SHARED_DIR, release=CLI_CORE, fetch=_download
    )
    if isinstance(found, str):
        pytest.fail(found, pytrace=False)
    return found


def load_specs() -> Specs:
    return _load(spec_dir())


def locate_spec_dir(
    *,
    env_dir: str | None,
    shared_dir: Path,
    release: PinnedRelease,
    fetch: Callable[[str], bytes],
    cache_dir: Path | None = None,
) -> Path | str:
    """The directory holding every file of SPEC_FILES, or the reason why there is none."""
    if env_dir:
        if _complete(Path(env_dir)):
            return Path(env_dir)
        # Asked for explicitly: a wrong directory is an error, not a reason to look elsewhere.
        return f"{ENV_DIR}={env_dir} does not hold {', '.join(SPEC_FILES)}"
    if _complete(shared_dir):
        return shared_dir
    cached = cache_dir or release.cache_dir
    if _complete(cached):
        return cached
    where = f"{release.package}@{release.version} ({release.url})"
    try:
        tarball = fetch(release.url)
    except OSError as exc:
        return (
            f"Twilio's OpenAPI descriptions not found and {where} could not be downloaded "
            f"({exc}): set {ENV_DIR} to a directory holding {', '.join(SPEC_FILES)}"
        )
    digest = hashlib.sha256(tarball).hexdigest()
    if digest != release.sha256:
        return f"{where} has sha256 {digest}, not the pinned {release.sha256}: nothing was kept"
    _unpack(tarball, release.member_dir, cached)
    return cached if _complete(cached) else f"{where} does not hold {', '.join(SPEC_FILES)}"


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as answer:
        data: bytes = answer.read()
    return data


def _unpack(tarball: bytes, member_dir: str, target: Path) -> None:
    """Only the four files, written beside the target and renamed in, so a kill keeps no half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
            for name in SPEC_FILES:
                member = archive.extractfile(f"{member_dir}/{name}")  # KeyError when absent
                assert member is not None
                (staging / name).write_bytes(member.read())
        staging.rename(target)
    except KeyError:
        pass  # the caller reports the files it could not find
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in SPEC_FILES)


@cache
def _load(directory: Path) -> Specs:
    operations: list[Operation] = []
    paths: dict[tuple[str, str], dict[str, Any]] = {}
    for name in SPEC_FILES:
        document = json.loads((directory / name).read_text(encoding="utf-8"))
        operations.extend(_operations(document))
        default_host = urlsplit(document["servers"][0]["url"]).netloc
        for path, item in document["paths"].items():
            host = urlsplit(item.get("servers", [{}])[0].get("url", "")).netloc or default_host
            paths[(host, path)] = item
    return Specs(source=directory, operations=operations, paths=paths)


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
