"""Safe YAML reading that remembers where every key is.

The file is composed into PyYAML's node tree with the safe loader, checked
(standard tags only, no duplicate keys, text keys, bounded alias expansion), and
only then constructed. While checking, each key path is mapped to its line so
that a problem in `campaign.message_samples[1]` can be reported as `FILE:LINE`.
Every problem comes back as data (line, message); nothing here raises for a bad
file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000  # a customer file is a few kilobytes
MAX_NODES = 10_000  # aliases can expand exponentially ("billion laughs"); a file has ~150 nodes
MAX_DEPTH = 20  # a customer file nests 4 levels; deeper would only exhaust the stack
NESTED = "nested more than"
# No field holds a number; past this, Python refuses to even print one (4,300 digits).
MAX_NUMBER_CHARS = 100
_SURROGATE = re.compile("[\ud800-\udfff]")

_YAML = "tag:yaml.org,2002:"
# Plain YAML values only: anything else (e.g. !!python/object) is refused, not constructed.
ALLOWED_TAGS = frozenset(
    _YAML + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
)
_MERGE = _YAML + "merge"
_TIMESTAMP = _YAML + "timestamp"
# libyaml's safe loader when PyYAML was built with it: the same nodes and marks, ~10x faster.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LoadProblem(NamedTuple):
    line: int | None
    message: str
    field: Path = ()  # the key path the problem is in, where known


@dataclass
class Loaded:
    data: Any = None
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)


def load(text: str, *, parser: type[yaml.SafeLoader] = _SafeLoader) -> Loaded:
    """Parse one YAML document; `data` is None when `problems` is not empty."""
    result = Loaded()
    loader = parser(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            result.problems.append(_with_field(_syntax_problem(exc), text, parser))
            return result
        except RecursionError:  # the pure-Python parser recurses per nesting level
            result.problems.append(LoadProblem(None, f"{NESTED} {MAX_DEPTH} levels deep"))
            return result
        except yaml.reader.ReaderError as exc:  # e.g. a control character
            line = text.count("\n", 0, exc.position) + 1
            char = exc.character
            shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
            what = f"the control character {shown} is not allowed"
            result.problems.append(LoadProblem(line, f"YAML syntax error: {what}"))
            return result
        if root is None:
            message = "the file is empty: expected a customer mapping"
            result.problems.append(LoadProblem(None, message))
            return result
        _Walker(result).walk(root, ())
        if result.problems:
            return result
        try:
            result.data = loader.construct_document(root)
        except yaml.MarkedYAMLError as exc:  # the walk refuses what would not construct
            result.problems.append(_syntax_problem(exc))
    finally:
        loader.dispose()
    return result


def _with_field(problem: LoadProblem, text: str, parser: type[yaml.SafeLoader]) -> LoadProblem:
    """A syntax error of libyaml, in the field it is in. libyaml refuses some values the
    Python parser reads (an escaped lone surrogate such as "\\ud800"): read by that one,
    the walk names the field and says what is wrong with the value."""
    if parser is yaml.SafeLoader or problem.line is None or problem.message.startswith(NESTED):
        return problem  # too deep nesting is field-less, and re-reading it would be slow
    again = load(text, parser=yaml.SafeLoader)
    for found in again.problems:
        if found.line == problem.line and found.field:
            return found
    at_line = [path for path, line in again.lines.items() if line == problem.line and path]
    return problem._replace(field=max(at_line, key=len)) if at_line else problem


def nearest_line(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its closest ancestor the file has."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_field(dotted: str) -> Path:
    """`campaign.message_samples[0]` -> ("campaign", "message_samples", 0)."""
    return tuple(int(i) if i else key for key, i in _TOKEN.findall(dotted))


def format_field(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _syntax_problem(exc: yaml.MarkedYAMLError) -> LoadProblem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    if "nesting depth" in (exc.problem or ""):
        # libyaml (PyYAML >= 6.0.4) stops at ~1,000 levels before our own walk sees the file.
        return LoadProblem(line, f"{NESTED} {MAX_DEPTH} levels deep")
    what = ", ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
    return LoadProblem(line, f"YAML syntax error: {what}")


def _tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag


class _Walker:
    def __init__(self, result: Loaded) -> None:
        self.result = result
        self.visited = 0
        self.active: set[int] = set()  # nodes on the current path: a recursive alias stops here

    def problem(self, node: Node, message: str, path: Path = ()) -> None:
        self.result.problems.append(LoadProblem(node.start_mark.line + 1, message, path))

    def walk(self, node: Node, path: Path) -> None:
        self.visited += 1
        if self.visited > MAX_NODES:
            if self.visited == MAX_NODES + 1:
                self.problem(node, f"too many values (aliases expand past {MAX_NODES})")
            return
        self.result.lines.setdefault(path, node.start_mark.line + 1)
        if len(path) > MAX_DEPTH:
            # Fieldless, as when the parser itself refuses the depth: the path is noise.
            self.problem(node, f"{NESTED} {MAX_DEPTH} levels deep")
            return
        if node.tag not in ALLOWED_TAGS:
            message = f"unsupported YAML tag {_tag(node.tag)}: only plain values allowed"
            self.problem(node, message, path)
            return
        if isinstance(node, ScalarNode) and self.scalar(node, path):
            return
        if node.tag == _TIMESTAMP:
            # No field holds a date: a date-like value (or an impossible one such as
            # 2024-13-45, which would not construct) is read as the text it is.
            node.tag = _YAML + "str"
        if id(node) in self.active:
            self.problem(node, "a YAML alias refers to itself", path)
            return
        self.active.add(id(node))
        if isinstance(node, MappingNode):
            self.mapping(node, path, seen={}, merging=False)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, (*path, index))
        self.active.discard(id(node))

    def scalar(self, node: ScalarNode, path: Path) -> bool:
        """Refuse a value that would not construct or not print; True when refused."""
        value = str(node.value)
        surrogate = _SURROGATE.search(value)
        if surrogate:
            code = f"\\u{ord(surrogate.group()):04x}"
            message = f"{code} is half of a UTF-16 pair, not a character: write the character"
            self.problem(node, message, path)
            return True
        if node.tag == _YAML + "int" and len(value) > MAX_NUMBER_CHARS:
            message = f"a number {len(value):,} characters long; if it is text, put it in quotes"
            self.problem(node, message, path)
            return True
        return False

    def mapping(self, node: MappingNode, path: Path, seen: dict[str, int], merging: bool) -> None:
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "a key must be text, not a list or a mapping", path)
                continue
            if key_node.tag != _YAML + "str":
                message = f"key {key_node.value!r} must be text; put it in quotes"
                self.problem(key_node, message, path)
                continue
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in seen:
                if not merging:  # a merged key the mapping sets itself is overridden, not doubled
                    message = f"duplicate key {key!r} (first on line {seen[key]})"
                    self.problem(key_node, message, (*path, key))
                continue
            seen[key] = line
            self.result.lines[(*path, key)] = line
            self.walk(value_node, (*path, key))
        # `<<: *defaults` adds the keys the mapping does not set itself, first source first.
        for source in merged:
            for item in source.value if isinstance(source, SequenceNode) else [source]:
                if isinstance(item, MappingNode):
                    self.mapping(item, path, seen, merging=True)
                else:
                    self.problem(item, "<< must merge a mapping", path)
