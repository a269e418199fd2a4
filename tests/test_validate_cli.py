"""`a2pctl validate` and `a2pctl schema` as a user and a script see them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import EXAMPLES

from a2pctl.cli.app import main

SP = str(EXAMPLES / "sole-proprietor.yaml")
STD = str(EXAMPLES / "standard.yaml")
LVS = str(EXAMPLES / "low-volume-standard.yaml")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err


def variant(tmp_path: Path, old: str, new: str, base: str = SP, name: str = "c.yaml") -> Path:
    text = Path(base).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_the_examples_validate_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", SP, STD, LVS)
    assert code == 0
    assert out.splitlines() == [f"{SP}: valid", f"{STD}: valid", f"{LVS}: valid"]
    assert err == "3 files checked: 3 valid, 0 invalid\n"


def test_an_invalid_file_prints_file_line_field_reason_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = variant(tmp_path, "  vertical: RETAIL", "  vertical: retail")
    code, out, err = run(capsys, "validate", str(path))
    line = line_of(path, "vertical: retail")
    assert code == 2
    reason = "'retail' is not allowed (did you mean 'RETAIL'?)"
    assert out == f"{path}:{line}: sole_proprietor.vertical: {reason}\n"
    assert err == ""


def test_every_problem_of_every_file_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = variant(tmp_path, "name: jane-doe-pottery", "name: Jane", name="a.yaml")
    second = variant(tmp_path, 'phone_number: "+14155550100"', 'phone_number: "555"', name="b.yaml")
    second.write_text(
        second.read_text(encoding="utf-8").replace("  city: Springfield\n", ""), encoding="utf-8"
    )
    code, out, err = run(capsys, "validate", str(first), SP, str(second))
    phone, address = line_of(second, 'phone_number: "555"'), line_of(second, "address:")
    assert code == 2
    assert out.splitlines() == [
        f"{first}:{line_of(first, 'name: Jane')}: name: must be lowercase letters, digits and -"
        " only (got 'Jane'), e.g. jane-doe-pottery",
        f"{SP}: valid",
        f"{second}:{phone}: contact.phone_number:"
        " must be in E.164 format, e.g. +14155550100 (got '555')",
        f"{second}:{address}: address.city: required",
    ]
    assert err == "3 files checked: 1 valid, 2 invalid\n"


def test_warnings_are_printed_but_the_file_stays_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = variant(tmp_path, "  has_embedded_links: false", "  has_embedded_links: true")
    code, out, _ = run(capsys, "validate", str(path))
    line = line_of(path, "has_embedded_links: true")
    assert code == 0
    assert out.splitlines() == [
        f"{path}:{line}: campaign.has_embedded_links: warning:"
        " is true but no message sample contains a link",
        f"{path}: valid (1 warning)",
    ]


def test_json_output_is_one_document_with_every_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = variant(tmp_path, "  privacy_policy_url: https://janedoepottery.example/privacy\n", "")
    path.write_text(
        path.read_text(encoding="utf-8").replace("flow: sole_proprietor", "flow: standard"),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "validate", "--json", str(path), LVS)
    assert code == 2 and err == ""
    document = json.loads(out)
    assert document["files"][1] == {"file": LVS, "valid": True, "errors": [], "warnings": []}
    first = document["files"][0]
    assert (first["file"], first["valid"]) == (str(path), False)
    errors = {(e["field"], e["message"]) for e in first["errors"]}
    assert ("business", "required for flow standard") in errors
    assert ("contact", "not used by flow standard (it belongs in sole_proprietor files)") in errors
    assert all(set(e) == {"line", "field", "message"} for e in first["errors"])
    assert first["warnings"] == [
        {
            "line": line_of(path, "campaign:"),
            "field": "campaign.privacy_policy_url",
            "message": "no privacy policy URL: Twilio warns that campaigns without one are"
            " rejected",
        }
    ]


def test_json_output_gives_file_problems_a_null_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "validate", "--json", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert json.loads(out)["files"][0]["errors"] == [
        {"line": None, "field": None, "message": "no such file"}
    ]


BROKEN_FILES = [
    ("missing", None, "no such file"),
    ("empty", "", "the file is empty: expected a customer mapping"),
    ("comments-only", "# nothing yet\n", "the file is empty: expected a customer mapping"),
    ("a-list", "- name: x\n- flow: standard\n",
     "expected a mapping of customer fields (name:, flow:, ...), got a list"),
    ("a-scalar", "jane-doe-pottery\n",
     "expected a mapping of customer fields (name:, flow:, ...), got the text 'jane-doe-pottery'"),
    ("python-tag", "name: !!python/object/apply:os.system ['touch {pwned}']\n",
     "unsupported YAML tag !!python/object/apply:os.system: only plain values allowed"),
    ("duplicate-key", "name: a\nflow: standard\nname: b\n",
     "duplicate key 'name' (first on line 1)"),
    ("syntax-error", "name: [jane\nflow: standard\n", "YAML syntax error: "),
    ("two-documents", "name: a\n---\nname: b\n", "YAML syntax error: "),
    ("not-utf8", b"name: caf\xe9\n", "not UTF-8 text (byte 9): save the file as UTF-8"),
    ("alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
     + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
               for p, c in zip("abcde", "bcdef", strict=True)),
     "too many values (aliases expand past 10000)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("content", "words"), [pytest.param(*row[1:], id=row[0]) for row in BROKEN_FILES]
)
def test_an_unreadable_file_ends_in_one_clear_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, words: str
) -> None:
    path = tmp_path / "customer.yaml"
    pwned = tmp_path / "pwned"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content.replace("{pwned}", str(pwned)), encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2
    [line] = out.splitlines()
    assert line.startswith(f"{path}:") and words in line, line
    assert "Traceback" not in out + err
    assert not pwned.exists()


@pytest.mark.parametrize("depth", [25, 3000])
def test_deep_nesting_is_one_fieldless_error_at_its_line_whichever_layer_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    # 25 levels reach our walk; 3,000 are refused by the YAML parser itself (libyaml since
    # PyYAML 6.0.4, the pure-Python parser by recursion). The answer is ours either way.
    path = tmp_path / "customer.yaml"
    path.write_text("flow: standard\nname: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    code, out, err = run(capsys, "validate", "--json", str(path))
    assert code == 2
    [error] = json.loads(out)["files"][0]["errors"]
    assert error["line"] == 2 and error["field"] is None
    assert "nested" in error["message"] and "levels deep" in error["message"]
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2
    [line] = out.splitlines()
    assert line.startswith(f"{path}:2: nested more than ")
    assert "Traceback" not in out + err


def test_yaml_anchors_and_merge_keys_are_plain_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = Path(STD).read_text(encoding="utf-8")
    start = text.index("authorized_representatives:")
    end = text.index("# -> TrustHub EndUser `us_a2p_messaging_profile_information`")
    reps = """authorized_representatives:
  - &ada
    first_name: Ada
    last_name: Ng
    email: ada.ng@northwindoutfitters.example
    phone_number: "+12065550111"
    business_title: Chief Executive Officer
    job_position: CEO
  - <<: *ada
    first_name: Luis
    job_position: VP

"""
    path = tmp_path / "anchors.yaml"
    path.write_text(text[:start] + reps + text[end:], encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(path))
    assert (code, out) == (0, f"{path}: valid\n")


def test_the_schema_command_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and err == ""
    assert schema["title"] == "a2pctl customer file"
    assert schema["properties"]["flow"]["enum"] == [
        "sole_proprietor",
        "standard",
        "low_volume_standard",
    ]
