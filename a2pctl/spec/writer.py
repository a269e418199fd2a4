"""Writing a customer file: the data as commented YAML, keys in the models' order.

What `init` and `import` write. Each section opens with a comment naming the
Twilio resource it becomes (the model's docstring), and with `describe` each
field that has a documented rule or meaning is preceded by it. Text is quoted
only where YAML would read it as something else (`+1415…`, `62701`, `true`), so
the file reads back to exactly the data given; `write_new` writes it atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from a2pctl.spec import fields
from a2pctl.spec.models import Customer

INDENT = "  "


def dump(data: Mapping[str, Any], *, header: Sequence[str] = (), describe: bool = False) -> str:
    """The customer data as YAML text with comments."""
    lines = [f"# {line}".rstrip() for line in header]
    sections = fields.sections()
    specs = fields.by_template()
    for key in _ordered(data, list(Customer.model_fields)):
        value = data[key]
        section = sections.get(key)
        if section is not None:
            lines += ["", f"# {section.doc}"]
        elif isinstance(value, list):
            lines.append("")
        lines += _entry(key, value, (key,), 0, specs, describe)
    return "\n".join(lines).lstrip("\n") + "\n"


def write_new(path: Path, text: str, *, overwrite: bool) -> None:
    """Write `text` to `path` atomically; FileExistsError unless `overwrite`."""
    if path.exists() and not overwrite:
        raise FileExistsError(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def scalar(value: Any) -> str:
    """One value as YAML: booleans true/false, text quoted only where needed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = str(value)
    if any(c in text for c in "\n\r\t") or not text.isprintable():
        return json.dumps(text, ensure_ascii=False)  # one line; JSON strings are YAML
    dumped = yaml.safe_dump(text, width=2**31 - 1, allow_unicode=True)
    return dumped.removesuffix("\n...\n").removesuffix("\n")


def _ordered(data: Mapping[str, Any], known: list[str]) -> list[str]:
    rank = {key: i for i, key in enumerate(known)}
    return sorted(data, key=lambda k: (rank.get(k, len(rank)), k))


def _entry(
    key: str,
    value: Any,
    path: tuple[str | int, ...],
    depth: int,
    specs: Mapping[str, fields.FieldSpec],
    describe: bool,
) -> list[str]:
    pad = INDENT * depth
    lines: list[str] = []
    spec = specs.get(fields.template_of(path)) or specs.get(fields.template_of((*path, 0)))
    if describe and spec is not None and spec.description:
        lines.append(f"{pad}# {spec.description}")
    if isinstance(value, Mapping):
        lines.append(f"{pad}{key}:")
        for child in _ordered(value, _child_keys(path)):
            lines += _entry(child, value[child], (*path, child), depth + 1, specs, describe)
    elif isinstance(value, list):
        lines.append(f"{pad}{key}:")
        for index, item in enumerate(value):
            lines += _item(item, (*path, index), depth + 1, specs, describe)
    else:
        lines.append(f"{pad}{key}: {scalar(value)}")
    return lines


def _item(
    item: Any,
    path: tuple[str | int, ...],
    depth: int,
    specs: Mapping[str, fields.FieldSpec],
    describe: bool,
) -> list[str]:
    pad = INDENT * depth
    if not isinstance(item, Mapping):
        return [f"{pad}- {scalar(item)}"]
    lines: list[str] = []
    for position, child in enumerate(_ordered(item, _child_keys(path))):
        nested = _entry(child, item[child], (*path, child), depth + 1, specs, describe)
        if position == 0:  # the first key goes on the dash's line, after any comment
            comments = [line for line in nested if line.lstrip().startswith("#")]
            rest = nested[len(comments) :]
            lines += [f"{pad}{c.strip()}" for c in comments]
            rest[0] = f"{pad}- {rest[0].lstrip()}"
            nested = rest
        lines += nested
    return lines


def _child_keys(path: tuple[str | int, ...]) -> list[str]:
    """The keys below `path`, in the order the models declare them."""
    prefix = fields.template_of(path) + "."
    order: list[str] = []
    for spec in fields.all_fields():
        if spec.template.startswith(prefix):
            key = spec.template[len(prefix) :].split(".")[0]
            if key not in order:
                order.append(key)
    return order
