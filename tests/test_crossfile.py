"""Directories and globs wherever files are taken, and the checks across files and
against the state store (`validate`, `plan`, `register`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_support import InProcess
from paths import EXAMPLES

from a2pctl.errors import UsageError
from a2pctl.spec import sources

SP = EXAMPLES / "sole-proprietor.yaml"
STD = EXAMPLES / "standard.yaml"
LVS = EXAMPLES / "low-volume-standard.yaml"


def copy(source: Path, target: Path, *replacements: tuple[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def sole_proprietor(directory: Path, index: int, *more: tuple[str, str]) -> Path:
    """A sole proprietor of its own: name, number and OTP mobile changed."""
    return copy(
        SP,
        directory / f"sp-{index}.yaml",
        ("name: jane-doe-pottery", f"name: sp-{index}"),
        ('["+14155550123"]', f'["+1415555{1000 + index:04d}"]'),
        ('"+14155550101"', f'"+1415556{1000 + index:04d}"'),
        *more,
    )


# --- directories and globs --------------------------------------------------------------


def test_a_directory_stands_for_its_yaml_files_sorted_and_a_glob_for_its_matches(
    tmp_path: Path,
) -> None:
    for name in ("b.yaml", "a.yml", "c.txt", "notes.md"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.yaml").write_text("x")
    os.chdir(tmp_path)
    assert sources.expand([Path(".")]) == [Path("a.yml"), Path("b.yaml")]
    assert sources.expand([Path("*.yaml"), Path("b.yaml")]) == [Path("b.yaml")]
    assert sources.expand([Path("**/*.yaml")]) == [Path("b.yaml"), Path("sub/d.yaml")]
    assert sources.expand([Path("missing.yaml")]) == [Path("missing.yaml")]  # reported later


def test_an_empty_directory_or_a_glob_matching_nothing_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="holds no customer file"):
        sources.expand([tmp_path])
    with pytest.raises(UsageError, match="no file matches this pattern"):
        sources.expand([tmp_path / "*.yaml"])


def test_validate_dir_finds_every_yaml_file_in_it(tmp_path: Path, cli: InProcess) -> None:
    customers = tmp_path / "customers"
    for example in (SP, STD, LVS):
        copy(example, customers / example.name)
    (customers / "README.txt").write_text("not a customer")
    done = cli("validate", "customers", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "customers/low-volume-standard.yaml: valid",
        "customers/sole-proprietor.yaml: valid",
        "customers/standard.yaml: valid",
    ]
    quoted = cli("validate", "customers/s*.yaml", cwd=tmp_path)  # a glob no shell expanded
    assert quoted.stdout.splitlines() == [
        "customers/sole-proprietor.yaml: valid",
        "customers/standard.yaml: valid",
    ]


def test_an_empty_directory_ends_in_one_clear_line_and_exit_2(
    tmp_path: Path, cli: InProcess
) -> None:
    (tmp_path / "empty").mkdir()
    done = cli("validate", "empty", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "error: empty holds no customer file (*.yaml or *.yml)"
    assert "Traceback" not in done.stderr


# --- across files ---------------------------------------------------------------------------


def test_the_same_name_twice_is_reported_in_both_files_each_naming_the_other(
    tmp_path: Path, cli: InProcess
) -> None:
    first = sole_proprietor(tmp_path, 1)
    second = sole_proprietor(tmp_path, 2, ("name: sp-2", "name: sp-1"))
    done = cli("validate", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    line = line_of(first, "name: sp-1")
    assert done.stdout.splitlines() == [
        f"{first}:{line}: name: 'sp-1' is also the name in {second}: names must be unique",
        f"{second}:{line}: name: 'sp-1' is also the name in {first}: names must be unique",
    ]
    assert done.stderr == "2 files checked: 0 valid, 2 invalid\n"


def test_the_same_phone_number_or_business_twice_names_both_files(
    tmp_path: Path, cli: InProcess
) -> None:
    first = sole_proprietor(tmp_path, 1)
    second = sole_proprietor(tmp_path, 2, ('["+14155551002"]', '["+14155551001"]'))
    other = copy(
        STD,
        tmp_path / "other.yaml",
        ("name: northwind-outfitters", "name: other-business"),
        ('"+12065550140"', '"+12065550150"'),
        ('"+12065550141"', '"+12065550151"'),
    )
    done = cli("validate", "--json", str(first), str(second), str(STD), str(other), cwd=tmp_path)
    assert done.returncode == 2
    files = {Path(f["file"]).name: f for f in json.loads(done.stdout)["files"]}
    number = (
        "+14155551001 is also a number of {}: a number sends for one messaging service, "
        "one customer"
    )
    assert files["sp-1.yaml"]["errors"] == [
        {"line": line_of(first, "phone_numbers"), "field": "phone_numbers[0]",
         "message": number.format(second)},
    ]  # fmt: skip
    assert files["sp-2.yaml"]["errors"][0]["message"] == number.format(first)
    business = (
        "EIN 123456789 is also the business of {}: TCR registers a business once "
        "(a second brand fails with 30703)"
    )
    assert files["standard.yaml"]["errors"] == [
        {"line": line_of(STD, "business_registration_number"),
         "field": "business.business_registration_number", "message": business.format(other)},
    ]  # fmt: skip
    assert files["other.yaml"]["errors"][0]["message"] == business.format(STD)


def test_a_sole_proprietor_mobile_in_more_than_three_files_is_refused_in_each(
    tmp_path: Path, cli: InProcess
) -> None:
    files = [
        sole_proprietor(tmp_path, i, (f'"+1415556{1000 + i:04d}"', '"+14155569999"'))
        for i in range(4)
    ]  # fmt: skip  (every file: the OTP mobile +14155569999)
    three = cli("validate", *map(str, files[:3]), cwd=tmp_path)
    assert three.returncode == 0, three.stdout  # TCR allows three
    four = cli("validate", *map(str, files), cwd=tmp_path)
    assert four.returncode == 2
    lines = four.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0] == (
        f"{files[0]}:{line_of(files[0], 'mobile_phone_number')}: "
        "sole_proprietor.mobile_phone_number: +14155569999 is the sole-proprietor mobile of 4 "
        f"customers (also {files[1]}, {files[2]}, {files[3]}): TCR allows it in at most 3 "
        "brands, ever (30750)"
    )


def test_a_sole_proprietor_email_in_more_than_ten_files_is_refused(
    tmp_path: Path, cli: InProcess
) -> None:
    files = [sole_proprietor(tmp_path, i) for i in range(11)]  # same contact.email in all
    ten = cli("validate", *map(str, files[:10]), cwd=tmp_path)
    assert ten.returncode == 0, ten.stdout
    eleven = cli("validate", "--json", *map(str, files), cwd=tmp_path)
    assert eleven.returncode == 2
    errors = [e for f in json.loads(eleven.stdout)["files"] for e in f["errors"]]
    assert len(errors) == 11
    assert {e["field"] for e in errors} == {"contact.email"}
    assert "is the sole-proprietor e-mail of 11 customers" in errors[0]["message"]
    assert errors[0]["message"].endswith("TCR allows it in at most 10 brands, ever (30749)")
    # Three of the ten others are named, the rest counted: a line a terminal can show.
    assert f"(also {files[1]}, {files[2]}, {files[3]} and 7 more)" in errors[0]["message"]


def test_plan_reports_the_clash_too(tmp_path: Path, cli: InProcess) -> None:
    first = sole_proprietor(tmp_path, 1)
    second = sole_proprietor(tmp_path, 2, ("name: sp-2", "name: sp-1"))
    done = cli("plan", "--json", str(first), str(second), cwd=tmp_path)
    assert done.returncode == 2
    outcomes = json.loads(done.stdout)["registrations"]
    assert [o["outcome"] for o in outcomes] == ["invalid", "invalid"]
    assert outcomes[0]["errors"][0]["message"] == (
        f"'sp-1' is also the name in {second}: names must be unique"
    )


# --- against the state store -------------------------------------------------------------


@pytest.fixture
def registered(tmp_path: Path, cli: InProcess) -> Path:
    """The sole-proprietor example registered (to its campaign) in the in-process sandbox."""
    customer = copy(SP, tmp_path / "customers" / "jane.yaml")
    done = cli("register", "--sandbox", "--wait", str(customer), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return customer


def test_a_renamed_file_is_refused_before_anything_is_sent(
    tmp_path: Path, cli: InProcess, registered: Path
) -> None:
    copy(registered, registered, ("name: jane-doe-pottery", "name: jane-again"))
    done = cli("register", "--sandbox", "--json", str(registered), cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    [outcome] = json.loads(done.stdout)["registrations"]
    assert outcome["outcome"] == "invalid"
    assert outcome["errors"][0]["message"] == (
        "this file was registered as 'jane-doe-pottery' in the state store: under a new name "
        "the customer would be registered (and pay) again; put back `name: jane-doe-pottery`"
    )
    listed = cli("status", "--sandbox", "--json", cwd=tmp_path)
    names = {item["registration"] for item in json.loads(listed.stdout)["items"]}
    assert names == {"jane-doe-pottery"}  # nothing was created for jane-again


def test_a_copy_under_another_name_whose_number_is_registered_is_refused_before_paying(
    tmp_path: Path, cli: InProcess, registered: Path
) -> None:
    twin = copy(
        registered,
        tmp_path / "twin.yaml",
        ("name: jane-doe-pottery", "name: jane-twin"),
        ('"+14155550101"', '"+14155550199"'),
    )
    checked = cli("validate", str(twin), cwd=tmp_path)
    assert checked.returncode == 2
    assert checked.stdout.splitlines() == [
        f"{twin}:{line_of(twin, 'phone_numbers')}: phone_numbers[0]: +14155550123 is already "
        "registered as 'jane-doe-pottery' in the state store"
    ]
    done = cli("register", "--sandbox", str(twin), cwd=tmp_path)
    assert done.returncode == 2
    assert "already registered as 'jane-doe-pottery'" in done.stdout + done.stderr
    listed = cli("status", "--sandbox", "--json", cwd=tmp_path)
    brands = [i for i in json.loads(listed.stdout)["items"] if i["kind"] == "brand"]
    assert [b["registration"] for b in brands] == ["jane-doe-pottery"]  # no second brand


def test_a_copy_with_a_registered_business_is_refused(tmp_path: Path, cli: InProcess) -> None:
    done = cli("register", "--sandbox", str(LVS), cwd=tmp_path)
    assert done.returncode in (0, 3), done.stdout + done.stderr
    twin = copy(
        LVS,
        tmp_path / "twin.yaml",
        ("name: riverside-dental", "name: riverside-two"),
        ('"+15035550150"', '"+15035550199"'),
    )
    checked = cli("validate", str(twin), cwd=tmp_path)
    assert checked.returncode == 2
    assert checked.stdout.splitlines() == [
        f"{twin}:{line_of(twin, 'business_registration_number')}: "
        "business.business_registration_number: EIN 987654321 is already registered as "
        "'riverside-dental' in the state store: a second registration would pay again for a "
        "brand TCR refuses (30703); keep `name: riverside-dental`"
    ]


def test_a_registration_of_another_account_holds_nothing_of_this_ones(
    tmp_path: Path, cli: InProcess, registered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tried in the sandbox first, then for real: the sandbox's account is another one."""
    twin = copy(registered, tmp_path / "twin.yaml", ("name: jane-doe-pottery", "name: jane-twin"))
    assert cli("validate", str(twin), cwd=tmp_path).returncode == 2  # no account known: all
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    for file in (registered, twin):
        done = cli("validate", str(file), cwd=tmp_path)
        assert done.returncode == 0, done.stdout
