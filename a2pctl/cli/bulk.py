"""`a2pctl init`, `a2pctl import` and `a2pctl export`: customer files in and out.

Wiring only: the questions, the CSV convention and the YAML writing live in
`a2pctl.spec` (interview, table, writer), the drawing in `a2pctl.report.bulk`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from a2pctl.cli.files import FilesArg
from a2pctl.cli.options import JsonOpt, console, exit_with
from a2pctl.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from a2pctl.spec.crossfile import Entry
    from a2pctl.spec.interview import Question

FLOWS = ("sole_proprietor", "standard", "low_volume_standard")
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite files that exist already.")]


def _flow(value: str | None, option: str) -> str | None:
    if value is not None and value not in FLOWS:
        raise UsageError(
            f"unknown flow {value!r}", hint="choose one of: " + ", ".join(FLOWS), field=option
        )
    return value


def _read_text(path: Path, what: str) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read {path}: {reason}", hint=f"pass {what}") from None


# --- init -------------------------------------------------------------------------------------


def init(
    file: Annotated[Path, typer.Argument(help="The customer file to write (YAML).")],
    flow: Annotated[
        str | None,
        typer.Option(
            "--flow",
            help="sole_proprietor, standard or low_volume_standard [default: asked].",
        ),
    ] = None,
    from_json: Annotated[
        Path | None,
        typer.Option(
            "--from-json",
            help="Take the answers from a JSON file (- for stdin) instead of asking: the "
            "file's fields, nested as in YAML or as dotted paths (business.business_name).",
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Write a new customer file: ask for each field, with its rule and an example.

    Each answer is checked as it is given (Enter takes the default or leaves an
    optional field out); the file is checked as a whole at the end and written,
    commented, only once it passes `validate`. Exit 0 written, 2 bad input.

    Examples:

      a2pctl init --flow sole_proprietor customers/jane-doe-pottery.yaml

      a2pctl init --from-json answers.json customers/acme.yaml
    """
    from a2pctl.report import bulk as report
    from a2pctl.spec import customer as spec
    from a2pctl.spec import writer

    chosen = _flow(flow, "--flow")
    if file.exists() and not force:
        raise UsageError(f"{file} exists already", hint="--force overwrites it", field="FILE")
    if from_json is not None:
        data = _answers(from_json, chosen)
        _, errors, _ = spec.check_data(data)
        if errors:
            from a2pctl.spec.fields import dotted

            found = [(dotted(path), message) for path, message in errors]
            report.render_answer_problems(str(from_json), found, console())
            exit_with(ExitCode.USAGE)
    else:
        from a2pctl.spec.interview import interview

        data = interview(chosen, _asker(), typer.echo)
    header = [
        "A customer file for a2pctl, written by `a2pctl init`.",
        f"Check it with: a2pctl validate {file}",
    ]
    try:
        writer.write_new(file, writer.dump(data, header=header, describe=True), overwrite=force)
    except FileExistsError:
        raise UsageError(f"{file} exists already", hint="--force overwrites it") from None
    except OSError as exc:
        raise UsageError(f"cannot write {file}: {exc.strerror or exc}") from None
    check = spec.check_file(file)
    assert check.valid, check.errors  # checked above: what is written reads back the same
    report.render_init(file, check.warnings, console())
    exit_with(ExitCode.OK)


def _asker() -> Callable[[Question], str]:
    """Answers from stdin, each question after its meaning, rule and example (not
    repeated when the same question is asked again after a wrong answer)."""
    last: list[str] = []

    def ask(question: Question) -> str:
        if last != [question.label]:
            typer.echo(f"\n{question.label} — {question.explanation}")
            last[:] = [question.label]
        default = f" [{question.default}]" if question.default is not None else ""
        typer.echo(f"{question.label}{default}: ", nl=False)
        line = sys.stdin.readline()
        if not line:
            raise UsageError(
                f"the answers ended at {question.label}: nothing was written",
                hint="answer every question, or give the answers with --from-json",
            )
        answer = line.rstrip("\r\n")
        if not sys.stdin.isatty():  # piped answers: shown, so the transcript reads as typed
            typer.echo(answer)
        return answer

    return ask


def _answers(source: Path, flow: str | None) -> dict[str, Any]:
    import json

    from a2pctl.spec.table import unflatten

    try:
        data: Any = json.loads(_read_text(source, "a JSON object of the file's fields"))
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source} is not JSON: {exc.msg} (line {exc.lineno})",
            hint="give an object of the file's fields",
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"{source} must hold a JSON object of the file's fields")
    answers: dict[str, Any] = unflatten(data) if any("." in str(k) for k in data) else data
    if flow is not None:
        if answers.get("flow", flow) != flow:
            raise UsageError(f"--flow {flow} but {source} says flow {answers['flow']!r}")
        answers["flow"] = flow
    return answers


# --- import -------------------------------------------------------------------------------------


def import_csv(
    source: Annotated[
        Path | None,
        typer.Argument(help="The CSV: one customer per row, dotted field paths as the header."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="The directory to write NAME.yaml files into.")
    ] = None,
    keep_valid: Annotated[
        bool,
        typer.Option("--keep-valid", help="Write the valid rows even when other rows are not."),
    ] = False,
    force: ForceOpt = False,
    template: Annotated[
        str | None,
        typer.Option("--template", help="Print the header for a flow's CSV and exit."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Turn a CSV of customers into customer files: one row, one OUT/NAME.yaml.

    The header names each column by the file's dotted field path
    (business.business_name, authorized_representatives.0.email,
    campaign.message_samples.1, phone_numbers.0); booleans are true / false; an
    empty cell is an absent field. Every problem is printed as CSV:ROW:column:
    reason; then nothing is written (unless --keep-valid) and the exit code is 2.
    Existing files are not overwritten without --force.

    Examples:

      a2pctl import --template standard > customers.csv

      a2pctl import customers.csv --out customers/
    """
    from a2pctl.report import bulk as report
    from a2pctl.report.registrations import print_json
    from a2pctl.spec import table as tables
    from a2pctl.spec import writer

    if template is not None:
        flow = _flow(template, "--template")
        assert flow is not None
        typer.echo(",".join(tables.template(flow)))
        exit_with(ExitCode.OK)
    if source is None or out is None:
        raise UsageError(
            "give the CSV and --out DIR (or --template FLOW for a header)",
            hint="e.g. a2pctl import customers.csv --out customers/",
        )
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is not a directory", field="--out")
    from a2pctl.cli.files import default_account

    text = _read_text(source, "a CSV file saved as UTF-8")
    account = default_account()
    table = tables.read(text, str(source), account=account, known=_customers_in(out, account))
    targets = tables.targets(table, out, force=force)
    written: dict[int, Path] = {}
    if keep_valid or not table.all_problems:
        for target in targets:
            try:
                writer.write_new(target.path, target.text, overwrite=force)
            except OSError as exc:
                raise UsageError(f"cannot write {target.path}: {exc.strerror or exc}") from None
            written[target.row.number] = target.path
    if json_out:
        print_json(report.import_document(table, written))
    else:
        report.render_import(table, written, keep_valid, console(), console(stderr=True))
    exit_with(ExitCode.USAGE if table.all_problems else ExitCode.OK)


def _customers_in(directory: Path, account: str | None) -> list[Entry]:
    """The valid customer files already in a directory (the rows are checked against them)."""
    from a2pctl.spec import customer as spec
    from a2pctl.spec.crossfile import Entry
    from a2pctl.spec.sources import SUFFIXES

    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() in SUFFIXES and path.is_file():
            check = spec.check_file(path)
            if check.customer is not None:
                customer = check.customer
                found.append(Entry(str(path), customer, customer.account_sid or account))
    return found


# --- export -------------------------------------------------------------------------------------


def export(
    files: FilesArg,
    out: Annotated[
        Path | None, typer.Option("--out", help="The CSV file to write [default: stdout].")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Write customer files' data as CSV rows, the header as `import` reads it.

    One row per file, one column per field the files fill. Invalid files are
    listed and nothing is written (exit 2).

    Example: a2pctl export customers/ --out customers.csv
    """
    from a2pctl.report import bulk as report
    from a2pctl.spec import customer as spec
    from a2pctl.spec import loader, table, writer

    checks = [spec.check_file(path) for path in files]
    problems = [p for check in checks for p in check.errors]
    if problems:
        report.render_export_problems(problems, console(stderr=True))
        exit_with(ExitCode.USAGE)
    datas = [loader.load(_read_text(path, "a customer file")).data for path in files]
    text = table.to_csv(datas)
    if out is None or str(out) == "-":
        sys.stdout.write(text)
        exit_with(ExitCode.OK)
    try:
        writer.write_new(out, text, overwrite=force)
    except FileExistsError:
        raise UsageError(f"{out} exists already", hint="--force overwrites it") from None
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    console(stderr=True).print(f"wrote {out}: {len(datas)} rows", markup=False)
    exit_with(ExitCode.OK)
