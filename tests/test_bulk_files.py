"""Customer files in and out: `a2pctl export` to CSV, `a2pctl import` back, and
`a2pctl init` through its prompts or from JSON."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_support import InProcess, cli_env
from paths import EXAMPLES

from a2pctl.spec import loader, table
from a2pctl.spec.interview import Question, interview

EXAMPLE_FILES = [
    EXAMPLES / name
    for name in ("sole-proprietor.yaml", "standard.yaml", "low-volume-standard.yaml")
]
NAMES = {"sole-proprietor.yaml": "jane-doe-pottery", "standard.yaml": "northwind-outfitters",
         "low-volume-standard.yaml": "riverside-dental"}  # fmt: skip


def data_of(path: Path) -> Any:
    loaded = loader.load(path.read_text(encoding="utf-8"))
    assert not loaded.problems, loaded.problems
    return loaded.data


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def exported(tmp_path: Path, cli: InProcess) -> Path:
    done = cli("export", *map(str, EXAMPLE_FILES), "--out", "customers.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "wrote customers.csv: 3 rows\n"
    return tmp_path / "customers.csv"


# --- export and import round-trip ------------------------------------------------------------


def test_the_examples_round_trip_through_csv(
    tmp_path: Path, cli: InProcess, exported: Path
) -> None:
    rows = read_csv(exported)
    header = rows[0]
    assert header[:2] == ["name", "flow"]
    for column in ("business.business_name", "authorized_representatives.1.email",
                   "campaign.message_samples.2", "phone_numbers.1"):  # fmt: skip
        assert column in header
    northwind = dict(zip(header, rows[2], strict=True))  # rows follow the files given
    assert northwind["name"] == "northwind-outfitters"
    assert northwind["campaign.has_embedded_links"] == "true"
    assert northwind["authorized_representatives.1.job_position"] == "VP"

    done = cli("import", "customers.csv", "--out", "customers", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "wrote customers/jane-doe-pottery.yaml (row 2)",
        "wrote customers/northwind-outfitters.yaml (row 3)",
        "wrote customers/riverside-dental.yaml (row 4)",
    ]
    assert done.stderr == "3 rows: 3 written\n"
    for example in EXAMPLE_FILES:
        written = tmp_path / "customers" / f"{NAMES[example.name]}.yaml"
        assert data_of(written) == data_of(example)
        assert written.read_text().startswith("# Imported by `a2pctl import` from customers.csv")
    checked = cli("validate", "customers", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert checked.stderr == "3 files checked: 3 valid, 0 invalid\n"


def test_export_writes_to_stdout_without_out_and_never_overwrites_without_force(
    tmp_path: Path, cli: InProcess, exported: Path
) -> None:
    shown = cli("export", *map(str, EXAMPLE_FILES), cwd=tmp_path)
    assert shown.returncode == 0
    assert shown.stdout == exported.read_text(encoding="utf-8")
    directory = cli("export", str(EXAMPLES), cwd=tmp_path)  # every YAML file in it
    assert [row[0] for row in csv.reader(io.StringIO(directory.stdout))] == [
        "name",
        "riverside-dental",
        "jane-doe-pottery",
        "northwind-outfitters",
    ]
    again = cli("export", str(EXAMPLES), "--out", "customers.csv", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.splitlines() == [
        "error: customers.csv exists already",
        "hint: --force overwrites it",
    ]


def test_export_refuses_invalid_files_and_writes_nothing(tmp_path: Path, cli: InProcess) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE_FILES[0].read_text().replace("vertical: RETAIL", "vertical: retail"))
    done = cli("export", str(bad), "--out", "x.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert "sole_proprietor.vertical: 'retail' is not allowed" in done.stderr
    assert not (tmp_path / "x.csv").exists()


# --- import: problems ----------------------------------------------------------------------


def _bad_cells(exported: Path) -> Path:
    rows = read_csv(exported)
    header = rows[0]

    def cell(row: int, column: str, value: str) -> None:
        rows[row - 1][header.index(column)] = value

    cell(2, "campaign.has_embedded_links", "maybe")  # jane: not a boolean
    cell(3, "authorized_representatives.1.email", "luis at example")  # northwind
    cell(3, "campaign.message_samples.1", "")  # the list closes up: 2 samples left
    cell(4, "phone_numbers.0", "555")  # riverside
    return write_csv(exported, rows)


def test_bad_cells_are_each_reported_as_file_row_column_and_nothing_is_written(
    tmp_path: Path, cli: InProcess, exported: Path
) -> None:
    _bad_cells(exported)
    done = cli("import", "customers.csv", "--out", "customers", cwd=tmp_path)
    assert done.returncode == 2
    assert [line for line in done.stdout.splitlines() if ": warning: " not in line] == [
        "customers.csv:2:campaign.has_embedded_links: must be true or false (got 'maybe')",
        "customers.csv:3:authorized_representatives.1.email: not a valid e-mail address: An "
        "email address must have an @-sign.",
        "customers.csv:4:phone_numbers.0: must be in E.164 format, e.g. +14155550100 (got '555')",
    ]
    assert done.stderr == (
        "3 rows: nothing written: fix the cells above (--keep-valid writes the valid rows)\n"
    )
    assert not (tmp_path / "customers").exists()


def test_keep_valid_writes_the_valid_rows_and_still_exits_2(
    tmp_path: Path, cli: InProcess, exported: Path
) -> None:
    rows = read_csv(exported)
    rows[2][rows[0].index("phone_numbers.0")] = "555"  # northwind only
    write_csv(exported, rows)
    done = cli("import", "customers.csv", "--out", "out", "--keep-valid", cwd=tmp_path)
    assert done.returncode == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "jane-doe-pottery.yaml",
        "riverside-dental.yaml",
    ]
    assert done.stderr == "3 rows: 2 written, 1 invalid not written\n"


def test_existing_files_are_kept_unless_force(
    tmp_path: Path, cli: InProcess, exported: Path
) -> None:
    assert cli("import", "customers.csv", "--out", "out", cwd=tmp_path).returncode == 0
    mine = tmp_path / "out" / "riverside-dental.yaml"
    mine.write_text("# edited by hand\n")
    again = cli("import", "customers.csv", "--out", "out", cwd=tmp_path)
    assert again.returncode == 2
    assert (
        "customers.csv:4:name: out/riverside-dental.yaml exists already: --force overwrites it"
        in again.stdout.splitlines()
    )
    assert mine.read_text() == "# edited by hand\n"
    forced = cli("import", "customers.csv", "--out", "out", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stdout
    assert data_of(mine) == data_of(EXAMPLE_FILES[2])


def test_unknown_columns_and_rows_that_clash_are_reported(
    tmp_path: Path, cli: InProcess, exported: Path
) -> None:
    rows = read_csv(exported)
    rows[0][rows[0].index("campaign.description")] = "campaign.descripton"
    rows.append(list(rows[1]))  # jane twice
    write_csv(exported, rows)
    done = cli("import", "--json", "customers.csv", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    document = json.loads(done.stdout)
    assert document["problems"] == [
        {"row": 1, "column": "campaign.descripton",
         "message": "unknown column (did you mean 'campaign.description'?)"},
    ]  # fmt: skip
    assert document["written"] == []
    first = {"row": 2, "column": "campaign.description", "message": "required"}
    assert first in document["rows"][0]["errors"]


def test_two_rows_of_one_customer_name_each_other(tmp_path: Path, cli: InProcess) -> None:
    rows = [table.template("sole_proprietor")]
    cells = table.flatten(data_of(EXAMPLE_FILES[0]))
    rows += [[cells.get(c, "") for c in rows[0]] for _ in range(2)]
    write_csv(tmp_path / "twice.csv", rows)
    done = cli("import", "twice.csv", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        "twice.csv:2:name: 'jane-doe-pottery' is also the name in twice.csv:3: names must be "
        "unique",
        "twice.csv:2:phone_numbers.0: +14155550123 is also a number of twice.csv:3: a number "
        "sends for one messaging service, one customer",
        "twice.csv:3:name: 'jane-doe-pottery' is also the name in twice.csv:2: names must be "
        "unique",
        "twice.csv:3:phone_numbers.0: +14155550123 is also a number of twice.csv:2: a number "
        "sends for one messaging service, one customer",
    ]


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_template_header_has_a_column_for_every_field_of_the_example(
    tmp_path: Path, cli: InProcess, example: Path
) -> None:
    flow = data_of(example)["flow"]
    done = cli("import", "--template", flow, cwd=tmp_path)
    assert done.returncode == 0
    header = done.stdout.strip().split(",")
    assert header == table.template(flow)
    assert set(table.flatten(data_of(example))) <= set(header)
    refused = ("business.", "messaging_profile.") if flow == "sole_proprietor" else ("contact.",)
    assert not [c for c in header if c.startswith(refused)]


def test_a_template_for_an_unknown_flow_is_a_usage_error(tmp_path: Path, cli: InProcess) -> None:
    done = cli("import", "--template", "solo", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "error: unknown flow 'solo' (--template)"


# --- init -----------------------------------------------------------------------------------


def answers_for(data: dict[str, Any]) -> list[str]:
    """The answers that give `data`, in the order `init` asks (found by asking)."""
    given: list[str] = []

    def ask(question: Question) -> str:
        value: Any = data
        for key in question.path:
            value = value.get(key) if isinstance(value, dict) else (
                value[key] if isinstance(value, list) and isinstance(key, int)
                and key < len(value) else None
            )  # fmt: skip
        answer = (
            ""
            if value is None
            else ("true" if value is True else "false" if value is False else str(value))
        )
        given.append(answer)
        return answer

    interview(data["flow"], ask, lambda _: None)
    return given


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_init_asks_every_field_and_writes_a_file_that_validates(
    tmp_path: Path, example: Path
) -> None:
    data = data_of(example)
    answers = answers_for(data)
    done = subprocess.run(
        [sys.executable, "-m", "a2pctl", "init", "--flow", data["flow"], "new.yaml"],
        input="\n".join(answers) + "\n",
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\nname — Registration key, unique per account: lowercase letters, digits and -. " \
        "Rule: lowercase letters, digits and -; at most 64 characters. Example: " \
        "jane-doe-pottery" in done.stdout  # fmt: skip
    assert done.stdout.splitlines()[-2:] == [
        "wrote new.yaml: valid",
        "next: a2pctl plan new.yaml   then: a2pctl register new.yaml",
    ]
    assert data_of(tmp_path / "new.yaml") == data
    checked = subprocess.run(
        [sys.executable, "-m", "a2pctl", "validate", "new.yaml"],
        cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert checked.returncode == 0 and checked.stdout == "new.yaml: valid\n"


def test_init_asks_a_wrong_answer_again_with_its_rule(
    tmp_path: Path, cli: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = data_of(EXAMPLE_FILES[0])
    answers = answers_for(data)
    at = answers.index("+14155550100")  # contact.phone_number
    answers[at:at] = ["555", "+1 555"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    done = cli("init", "--flow", "sole_proprietor", "jane.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "  must be in E.164 format, e.g. +14155550100 (got '555')" in done.stdout
    assert "  not a valid phone number (got '+1 555')" in done.stdout
    assert data_of(tmp_path / "jane.yaml") == data


def test_init_asks_the_flow_first_when_not_given(
    tmp_path: Path, cli: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = data_of(EXAMPLE_FILES[2])
    answers = ["solo", "low_volume_standard", *answers_for(data)]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    done = cli("init", "lvs.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "  must be one of: sole_proprietor, standard, low_volume_standard (got 'solo')"
        in done.stdout
    )
    assert data_of(tmp_path / "lvs.yaml") == data


def test_init_re_asks_what_the_whole_file_check_objects_to(
    tmp_path: Path, cli: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = data_of(EXAMPLE_FILES[0])
    answers = answers_for(data)
    at = answers.index("+14155550101")  # sole_proprietor.mobile_phone_number
    answers[at] = "+14155550123"  # the Twilio number as the OTP mobile: the file refuses it
    answers.append("+14155550101")  # asked again at the end: the customer's own mobile
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    done = cli("init", "--flow", "sole_proprietor", "jane.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The file as a whole breaks these rules; please answer again:" in done.stdout
    assert data_of(tmp_path / "jane.yaml") == data


def test_init_answers_that_end_early_write_nothing(
    tmp_path: Path, cli: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("jane-doe-pottery\n"))
    done = cli("init", "--flow", "sole_proprietor", "jane.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == (
        "error: the answers ended at account_sid: nothing was written"
    )
    assert not (tmp_path / "jane.yaml").exists()


def test_init_never_overwrites_without_force(tmp_path: Path, cli: InProcess) -> None:
    (tmp_path / "jane.yaml").write_text("name: mine\n")
    done = cli("init", "--flow", "standard", "jane.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: jane.yaml exists already (FILE)",
        "hint: --force overwrites it",
    ]
    assert (tmp_path / "jane.yaml").read_text() == "name: mine\n"


@pytest.mark.parametrize("shape", ["nested", "dotted"])
def test_init_from_json_writes_the_same_file(tmp_path: Path, cli: InProcess, shape: str) -> None:
    data = data_of(EXAMPLE_FILES[1])
    answers = data if shape == "nested" else table.flatten(data)
    if shape == "dotted":  # booleans as JSON booleans, the rest as text
        answers = {k: {"true": True, "false": False}.get(v, v) for k, v in answers.items()}
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    done = cli("init", "--from-json", "answers.json", "acme.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert data_of(tmp_path / "acme.yaml") == data
    assert (
        "# -> TrustHub EndUser `customer_profile_business_information`."
        in (tmp_path / "acme.yaml").read_text()
    )


def test_init_from_json_with_problems_lists_them_and_writes_nothing(
    tmp_path: Path, cli: InProcess
) -> None:
    data = data_of(EXAMPLE_FILES[0])
    del data["contact"]["email"]
    data["campaign"]["message_samples"] = ["too short"]
    (tmp_path / "answers.json").write_text(json.dumps(data))
    done = cli("init", "--from-json", "answers.json", "jane.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        "answers.json: contact.email: required",
        "answers.json: campaign.message_samples.0: must be 20–1024 characters (got 9)",
    ]
    assert not (tmp_path / "jane.yaml").exists()


def test_rows_are_checked_against_the_customers_already_in_the_directory(
    tmp_path: Path, cli: InProcess
) -> None:
    customers = tmp_path / "customers"
    customers.mkdir()
    (customers / "jane-doe-pottery.yaml").write_text(EXAMPLE_FILES[0].read_text())
    header = table.template("sole_proprietor")
    cells = table.flatten(data_of(EXAMPLE_FILES[0]))
    cells.update(name="jane-again", **{"sole_proprietor.mobile_phone_number": "+14155556201"})
    write_csv(tmp_path / "new.csv", [header, [cells.get(c, "") for c in header]])
    done = cli("import", "new.csv", "--out", "customers", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        "new.csv:2:phone_numbers.0: +14155550123 is also a number of "
        "customers/jane-doe-pottery.yaml: a number sends for one messaging service, one customer"
    ]
    assert sorted(p.name for p in customers.iterdir()) == ["jane-doe-pottery.yaml"]


def test_a_file_that_is_not_a_customer_csv_is_one_clear_problem(
    tmp_path: Path, cli: InProcess
) -> None:
    done = cli("import", str(EXAMPLE_FILES[0]), "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == (
        f"{EXAMPLE_FILES[0]}:1: the first line names no field of the customer file (name, flow, "
        "business.business_name, …): `a2pctl import --template FLOW` prints a header\n"
    )
    assert not (tmp_path / "out").exists()
