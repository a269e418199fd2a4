"""Twilio's official OpenAPI descriptions, and a small validator for the part
of OpenAPI 3.0 their response schemas use.

The specs come from wherever `oas.spec_dir()` finds them (`A2PCTL_TWILIO_OAS_DIR`,
`../shared/twilio-oai`, or the pinned `@twilio/cli-core` release cached in
`.cache/`). The project does not commit copies of them.

Validated: `$ref`, `type`, `nullable`, `enum`, `properties`, `required`,
`items`, `pattern`, `minLength`/`maxLength`, `oneOf`/`anyOf`. Formats are
not checked. Two readings of the subset, both forced by the specs' own
examples: a null is accepted for a property that is only a `$ref` to an
enum (OpenAPI 3.0 cannot mark a `$ref` nullable, and Twilio's examples show
`"identity_status": null`), and `oneOf` passes when any alternative does
(the Usa2p v2 shape is a superset of v1). With `exact=True`, every object
whose schema lists properties must have exactly those keys: Twilio always
sends every field, null where it has no value.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import oas

SPEC_FILES = {
    "trusthub": "twilio_trusthub_v1.json",
    "messaging": "twilio_messaging_v1.json",
    "events": "twilio_events_v1.json",
    "api": "twilio_api_v2010.json",
}


@cache
def _load(directory: str) -> dict[str, dict[str, Any]]:
    return {
        product: json.loads((Path(directory) / name).read_text())
        for product, name in SPEC_FILES.items()
    }


def specs() -> Specs:
    return Specs(_load(str(oas.spec_dir())))


class Specs:
    def __init__(self, docs: dict[str, dict[str, Any]]) -> None:
        self.docs = docs
        self._templates: list[tuple[re.Pattern[str], str, str, int]] = []
        for product, doc in docs.items():
            for template in doc["paths"]:
                regex = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
                params = template.count("{")
                self._templates.append((re.compile(regex), template, product, params))
        # The most specific template first: fewer parameters, then longer.
        self._templates.sort(key=lambda t: (t[3], -len(t[1])))

    def operation(self, method: str, path: str) -> tuple[str, str, dict[str, Any]]:
        """(product, path template, operation) of a concrete request path."""
        for pattern, template, product, _ in self._templates:
            if pattern.match(path):
                op = self.docs[product]["paths"][template].get(method.lower())
                if op is not None:
                    return product, template, op
        raise LookupError(f"no operation {method} {path} in the specs")

    def response_schema(self, method: str, path: str, status: int) -> tuple[str, dict[str, Any]]:
        product, template, op = self.operation(method, path)
        response = op["responses"].get(str(status))
        if response is None:
            raise LookupError(f"{method} {template} documents no {status} response")
        return product, response["content"]["application/json"]["schema"]

    def examples(self, method: str, template: str) -> list[tuple[str, int, Any, dict[str, Any]]]:
        """(product, status, example value, schema) of every documented example."""
        for product, doc in self.docs.items():
            op = doc["paths"].get(template, {}).get(method.lower())
            if op is None:
                continue
            out = []
            for status, response in op["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                for example in content.get("examples", {}).values():
                    out.append((product, int(status), example["value"], content["schema"]))
            return out
        raise LookupError(f"no operation {method} {template}")

    def validate(
        self, product: str, instance: Any, schema: dict[str, Any], *, exact: bool = False
    ) -> list[str]:
        errors: list[str] = []
        _Validator(self.docs[product], exact, errors).check(instance, schema, "$")
        return errors


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


class _Validator:
    def __init__(self, doc: dict[str, Any], exact: bool, errors: list[str]) -> None:
        self.doc = doc
        self.exact = exact
        self.errors = errors

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.doc
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def check(self, value: Any, schema: dict[str, Any], where: str) -> None:
        if "$ref" in schema and value is None and "enum" in self.resolve(schema):
            return  # see the module docstring
        schema = self.resolve(schema)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                trials = []
                for option in schema[key]:
                    found: list[str] = []
                    _Validator(self.doc, self.exact, found).check(value, option, where)
                    trials.append(found)
                if all(trials):
                    self.errors.append(f"{where}: matches no {key} alternative: {trials}")
                return
        if value is None:
            if not schema.get("nullable") and schema:
                self.errors.append(f"{where}: null where the schema is not nullable")
            return
        kind = schema.get("type")
        if kind is not None:
            numeric = kind in ("integer", "number")
            if not isinstance(value, _TYPES[kind]) or (numeric and isinstance(value, bool)):
                self.errors.append(f"{where}: {type(value).__name__} is not {kind}")
                return
        if "enum" in schema and value not in schema["enum"]:
            self.errors.append(f"{where}: {value!r} not in {schema['enum']}")
        if isinstance(value, str):
            self._string(value, schema, where)
        if isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                self.check(item, schema["items"], f"{where}[{index}]")
        if isinstance(value, dict) and "properties" in schema:
            self._object(value, schema, where)

    def _string(self, value: str, schema: dict[str, Any], where: str) -> None:
        if "pattern" in schema and not re.search(schema["pattern"], value):
            self.errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0):
            self.errors.append(f"{where}: {value!r} shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            self.errors.append(f"{where}: {value!r} longer than {schema['maxLength']}")

    def _object(self, value: dict[str, Any], schema: dict[str, Any], where: str) -> None:
        properties: dict[str, Any] = schema["properties"]
        for name in schema.get("required", []):
            if name not in value:
                self.errors.append(f"{where}: missing required {name!r}")
        if self.exact:
            missing = sorted(set(properties) - set(value))
            extra = sorted(set(value) - set(properties))
            if missing or extra:
                self.errors.append(f"{where}: missing {missing}, not in the schema {extra}")
        for name, item in value.items():
            if name in properties:
                self.check(item, properties[name], f"{where}.{name}")
