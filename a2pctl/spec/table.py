"""Customer files as CSV rows and back: one row per customer, one column per field.

The header names each column by the field's dotted path, list positions as
numbers: `business.business_name`, `authorized_representatives.0.email`,
`campaign.message_samples.1`, `phone_numbers.0` (docs/contract.md §1). Booleans are
`true` / `false`; an empty cell is an absent field (a list takes the filled
positions, in order). Rows are checked exactly as files are, and across each
other; each problem names the row (its line in the CSV, the header being 1)
and the column.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as PathLike
from typing import Any

from a2pctl.spec import crossfile, fields
from a2pctl.spec.customer import Customer, check_data

# Columns `import --template FLOW` offers for each list (any position is accepted).
TEMPLATE_ITEMS = {
    "authorized_representatives": 2,
    "campaign.message_samples": 5,
    "campaign.opt_in_keywords": 3,
    "campaign.opt_out_keywords": 5,
    "campaign.help_keywords": 3,
    "phone_numbers": 3,
}
TRUE, FALSE = "true", "false"
_DELIMITERS = (",", ";", "\t")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class CellProblem:
    """A problem of one cell (or row, or the header): `customers.csv:ROW:column: reason`."""

    source: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.row}:"
        return f"{where}{self.column}: {self.message}" if self.column else f"{where} {self.message}"


@dataclass
class Row:
    """One customer row: its data, and the customer when the data is valid."""

    number: int  # the row's line in the CSV (the header is line 1)
    data: dict[str, Any]
    customer: Customer | None = None
    errors: list[CellProblem] = field(default_factory=list)
    warnings: list[CellProblem] = field(default_factory=list)
    # The data's list positions → the CSV's (empty cells close up the list).
    positions: dict[Path, dict[int, int]] = field(default_factory=dict, repr=False)

    @property
    def valid(self) -> bool:
        return self.customer is not None and not self.errors

    def column(self, path: Path) -> str:
        """The CSV column of a field path of the data."""
        out: list[str | int] = []
        for part in path:
            if isinstance(part, int):
                part = self.positions.get(tuple(out), {}).get(part, part)
            out.append(part)
        return fields.dotted(tuple(out))


@dataclass
class Table:
    source: str
    header: list[str]
    problems: list[CellProblem]  # of the header and of the file as a whole
    rows: list[Row]

    @property
    def all_problems(self) -> list[CellProblem]:
        return [*self.problems, *(p for row in self.rows for p in row.errors)]


# --- the header ---------------------------------------------------------------------------


def template(flow: str) -> list[str]:
    """The header of a CSV for customers of one flow."""
    columns: list[str] = []
    for spec in fields.for_flow(flow):
        parts = spec.template.split(".")
        if fields.INDEX not in parts:
            columns.append(spec.template)
            continue
        at = parts.index(fields.INDEX)
        key = ".".join(parts[:at])
        count = 1 if (flow == "sole_proprietor" and key == "phone_numbers") else TEMPLATE_ITEMS[key]
        columns += [spec.template.replace(fields.INDEX, str(i), 1) for i in range(count)]
    return sorted(columns, key=lambda c: _order(fields.parse_dotted(c)))


def _order(path: Path) -> tuple[int, tuple[int, ...], int]:
    """Model order; the columns of one representative together, lists by position."""
    known = fields.all_fields()
    template = fields.template_of(path)
    index = next((i for i, f in enumerate(known) if f.template == template), len(known))
    group = index
    if len(path) > 2 and isinstance(path[1], int):  # an item of a list of mappings
        group = next((i for i, f in enumerate(known) if f.section == str(path[0])), index)
    positions = tuple(p for p in path if isinstance(p, int))
    return (group, positions, index)


def _check_header(
    source: str, header: Sequence[str]
) -> tuple[list[Path | None], list[CellProblem]]:
    """Each column's field path (None: an unnamed, empty column) and the header's problems."""
    known = fields.by_template()
    suggestions = [t.replace(fields.INDEX, "0") for t in known]
    paths: list[Path | None] = []
    problems: list[CellProblem] = []
    seen: set[str] = set()
    for raw in header:
        name = raw.strip()
        if not name:
            paths.append(None)
            continue
        path = fields.parse_dotted(name)
        if fields.template_of(path) not in known:
            close = difflib.get_close_matches(name, suggestions, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(CellProblem(source, 1, name, f"unknown column{hint}"))
            paths.append(None)
            continue
        if name in seen:
            problems.append(CellProblem(source, 1, name, "the column is given twice"))
        seen.add(name)
        paths.append(path)
    return paths, problems


# --- reading rows -------------------------------------------------------------------------


def read(
    text: str,
    source: str,
    *,
    account: str | None = None,
    known: Sequence[crossfile.Entry] = (),
) -> Table:
    """Every row of a CSV as customer data, each checked alone, across the rows and
    against `known` customers (the files already in the import's directory)."""
    lines = text.splitlines()
    first = lines[0] if lines else ""
    delimiter = next((d for d in _DELIMITERS if d in first), ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return Table(source, [], [CellProblem(source, 1, "", "the CSV is empty: no header")], [])
    paths, problems = _check_header(source, header)
    table = Table(source, [h.strip() for h in header], problems, [])
    if not any(paths):  # not a customer CSV at all: its rows would only repeat that
        message = (
            "the first line names no field of the customer file (name, flow, "
            "business.business_name, …): `a2pctl import --template FLOW` prints a header"
        )
        table.problems = [CellProblem(source, 1, "", message)]
        return table
    line = reader.line_num
    try:
        for cells in reader:
            number, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            table.rows.append(_row(source, number, header, paths, cells))
    except csv.Error as exc:
        problems.append(CellProblem(source, reader.line_num, "", f"CSV syntax error: {exc}"))
    if not problems:
        _across(table, account, known)
    return table


def _row(
    source: str, number: int, header: Sequence[str], paths: Sequence[Path | None], cells: list[str]
) -> Row:
    row = Row(number, {})
    if len(cells) > len(header):
        extra = len(cells) - len(header)
        if any(cell.strip() for cell in cells[len(header) :]):
            message = f"{extra} more cell(s) than the header has columns"
            row.errors.append(CellProblem(source, number, "", message))
    tree: dict[str | int, Any] = {}
    specs = fields.by_template()
    for path, cell in zip(paths, cells, strict=False):
        if path is None or not cell.strip():
            continue
        spec = specs[fields.template_of(path)]
        value: str | bool = cell
        if spec.kind == "bool":
            word = cell.strip().lower()
            if word not in (TRUE, FALSE):
                message = f"must be true or false (got {cell!r})"
                row.errors.append(CellProblem(source, number, fields.dotted(path), message))
                continue
            value = word == TRUE
        _put(tree, path, value)
    row.data = _closed_up(tree, (), row.positions)
    unreadable = {p.column for p in row.errors}
    customer, errors, warnings = check_data(row.data)
    row.customer = None if row.errors else customer
    for path, message in errors:
        column = row.column(path)
        if column not in unreadable:  # a cell already reported is not "required" as well
            row.errors.append(CellProblem(source, number, column, message))
    row.warnings = [CellProblem(source, number, row.column(p), m) for p, m in warnings]
    return row


def _put(tree: dict[str | int, Any], path: Path, value: Any) -> None:
    node = tree
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _closed_up(node: Any, path: Path, positions: dict[Path, dict[int, int]]) -> Any:
    """Nested dicts keyed by list positions → lists (the filled positions, in order)."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        keys = sorted(node)
        positions[path] = dict(enumerate(keys))
        return [_closed_up(node[k], (*path, i), positions) for i, k in enumerate(keys)]
    return {k: _closed_up(v, (*path, k), positions) for k, v in node.items()}


def _across(table: Table, account: str | None, known: Sequence[crossfile.Entry]) -> None:
    valid = [row for row in table.rows if row.valid and row.customer is not None]
    entries = [
        crossfile.Entry(
            f"{table.source}:{row.number}", row.customer, row.customer.account_sid or account
        )
        for row in valid
        if row.customer is not None
    ]
    names = {entry.customer.name for entry in entries}
    others = [e for e in known if e.customer.name not in names]  # a row replacing its file
    for clash in crossfile.clashes([*entries, *others]):
        if clash.entry >= len(valid):
            continue  # between files already there: `validate` reports those
        row = valid[clash.entry]
        row.errors.append(
            CellProblem(table.source, row.number, row.column(clash.path), clash.message)
        )


# --- what import writes -----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    row: Row
    path: PathLike
    text: str


def targets(table: Table, out: PathLike, *, force: bool) -> list[Target]:
    """The file each valid row becomes (`OUT/NAME.yaml`); a row whose file exists
    gets that problem unless `force`."""
    from a2pctl.spec import writer

    found: list[Target] = []
    for row in table.rows:
        if not row.valid or row.customer is None:
            continue
        path = out / f"{row.customer.name}.yaml"
        if path.exists() and not force:
            message = f"{path} exists already: --force overwrites it"
            row.errors.append(CellProblem(table.source, row.number, "name", message))
            continue
        header = [
            f"Imported by `a2pctl import` from {table.source}, row {row.number}.",
            f"Check it with: a2pctl validate {path}",
        ]
        found.append(Target(row, path, writer.dump(row.data, header=header)))
    return found


def unflatten(cells: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted field paths (`campaign.message_samples.0`) → the nested data."""
    tree: dict[str | int, Any] = {}
    for column, value in cells.items():
        _put(tree, fields.parse_dotted(column), value)
    data: dict[str, Any] = _closed_up(tree, (), {})
    return data


# --- writing rows -------------------------------------------------------------------------


def flatten(data: Mapping[str, Any]) -> dict[str, str]:
    """One customer's data as cells: column → text."""
    cells: dict[str, str] = {}

    def walk(value: Any, path: Path) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, (*path, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))
        elif isinstance(value, bool):
            cells[fields.dotted(path)] = TRUE if value else FALSE
        elif value is not None:
            cells[fields.dotted(path)] = str(value)

    walk(data, ())
    return cells


def to_csv(customers: Sequence[Mapping[str, Any]]) -> str:
    """Customers' data as one CSV: the header has every column any of them fills."""
    rows = [flatten(data) for data in customers]
    columns = {column for row in rows for column in row}
    header = sorted(columns, key=lambda c: _order(fields.parse_dotted(c)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()
