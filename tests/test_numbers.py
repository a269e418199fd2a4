"""`a2pctl numbers report FILE.csv`: the Console's number-registration report,
explained status by status, tolerant of how the file was saved, strict about what
is not such a report."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from a2pctl.errors import ExitCode, UsageError
from a2pctl.remediation import catalogue as rem
from a2pctl.report import status as report_status
from a2pctl.status import numbers

CAMPAIGN = "QE2c6890da8086d771620e9b13fadeba0b"
SERVICE = "MG" + "4" * 32

EVERY_STATUS = f"""PhoneNumber,Status,CampaignSid,MessagingServiceSid
+14155550101,REGISTERED,{CAMPAIGN},{SERVICE}
+14155550102,PENDING_REGISTRATION,{CAMPAIGN},{SERVICE}
+14155550103,FAILURE,{CAMPAIGN},{SERVICE}
+14155550104,UNREGISTERED,,
+14155550105,PENDING_DEREGISTRATION,{CAMPAIGN},{SERVICE}
"""


def explained(result: numbers.NumbersReport) -> str:
    buffer = io.StringIO()
    report_status.render_numbers(
        result, Console(file=buffer, width=300, no_color=True, soft_wrap=True)
    )
    return buffer.getvalue()


def test_every_status_of_the_report_is_explained_grouped_by_status() -> None:
    result = numbers.parse_report(EVERY_STATUS, source="numbers.csv")
    assert [(status, [r.phone_number for r in rows]) for status, rows in result.groups()] == [
        ("FAILURE", ["+14155550103"]),
        ("UNREGISTERED", ["+14155550104"]),
        ("PENDING_DEREGISTRATION", ["+14155550105"]),
        ("PENDING_REGISTRATION", ["+14155550102"]),
        ("REGISTERED", ["+14155550101"]),
    ]
    text = explained(result)
    for status in numbers.STATUS_ORDER:
        remedy = rem.for_number(status)
        assert f"{status} (1)" in text
        assert remedy.explanation in text
        if remedy.action:
            assert remedy.action in text
    assert "30126" in text
    assert "5 numbers:" in text


def test_the_json_document_lists_each_number_with_its_remediation() -> None:
    result = numbers.parse_report(EVERY_STATUS, source="numbers.csv")
    doc = json.loads(json.dumps(report_status.numbers_document(result)))
    assert doc["file"] == "numbers.csv"
    assert doc["summary"] == {
        "REGISTERED": 1,
        "PENDING_REGISTRATION": 1,
        "FAILURE": 1,
        "UNREGISTERED": 1,
        "PENDING_DEREGISTRATION": 1,
    }
    first = doc["numbers"][0]
    assert first == {
        "phone_number": "+14155550101",
        "status": "REGISTERED",
        "campaign_sid": CAMPAIGN,
        "messaging_service_sid": SERVICE,
        "line": 2,
        "severity": "ok",
        "remediation": rem.for_number("REGISTERED").as_dict(),
    }
    unregistered = doc["numbers"][3]
    assert (unregistered["campaign_sid"], unregistered["messaging_service_sid"]) == (None, None)
    assert unregistered["remediation"]["severity"] == "pending"


def test_column_order_bom_blank_lines_and_header_spelling_do_not_matter() -> None:
    text = (
        "\ufeffMessaging Service SID, A2P Status ,Phone Number,Campaign SID,Friendly Name\r\n"
        "\r\n"
        f"{SERVICE},Registered,+14155550101,{CAMPAIGN},Main line\r\n"
        ",,,,\r\n"
        "\r\n"
        ",pending_registration,+14155550102,,\r\n"
    )
    result = numbers.parse_report(text)
    assert [(r.line, r.phone_number, r.status, r.messaging_service_sid) for r in result.rows] == [
        (3, "+14155550101", "REGISTERED", SERVICE),
        (6, "+14155550102", "PENDING_REGISTRATION", None),
    ]


def test_short_rows_leave_the_optional_columns_empty() -> None:
    result = numbers.parse_report(
        "PhoneNumber,Status,CampaignSid,MessagingServiceSid\n+14155550101,FAILURE\n"
    )
    assert (result.rows[0].campaign_sid, result.rows[0].messaging_service_sid) == (None, None)


def test_an_unregistered_number_in_a_registered_service_gets_the_one_number_rule() -> None:
    text = (
        "PhoneNumber,Status,CampaignSid,MessagingServiceSid\n"
        f"+14155550101,REGISTERED,{CAMPAIGN},{SERVICE}\n"
        f"+14155550102,UNREGISTERED,{CAMPAIGN},{SERVICE}\n"
        "+14155550103,UNREGISTERED,,\n"
    )
    result = numbers.parse_report(text)
    extra, spare = result.rows[1], result.rows[2]
    assert extra.remediation == rem.UNREGISTERED_IN_REGISTERED_SERVICE
    assert spare.remediation == rem.for_number("UNREGISTERED")
    text_out = explained(result)
    assert "exactly one number" in text_out
    assert "less than two weeks ago" in text_out
    assert "UNREGISTERED (2)" in text_out


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        (["+14155550101,REGISTERED"], ExitCode.OK),
        (["+14155550101,REGISTERED", "+14155550102,PENDING_REGISTRATION"], ExitCode.PENDING),
        (["+14155550101,UNREGISTERED"], ExitCode.PENDING),
        (["+14155550101,PENDING_REGISTRATION", "+14155550102,FAILURE"], ExitCode.FAILED),
    ],
)
def test_the_exit_code_follows_the_worst_status(rows: list[str], code: ExitCode) -> None:
    result = numbers.parse_report("PhoneNumber,Status\n" + "\n".join(rows) + "\n")
    assert result.exit_code == code


def test_an_unknown_status_is_shown_not_rejected() -> None:
    result = numbers.parse_report("PhoneNumber,Status\n+14155550101,ON_HOLD\n")
    assert result.rows[0].status == "ON_HOLD"
    assert "Unrecognised number status" in result.rows[0].remediation.explanation


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "numbers.csv: the report is empty"),
        ("\ufeff\n\n", "numbers.csv: the report is empty"),
        ("Number,Campaign\n+1415,QE\n", "no status column (found: Number, Campaign)"),
        ("Status,CampaignSid\nREGISTERED,QE\n", "no phone number column"),
        ('PhoneNumber,Status\n"+14155550101,REGISTERED\n', "numbers.csv:2: not readable as CSV"),
    ],
)
def test_a_malformed_report_is_a_clear_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        numbers.parse_report(text, source="numbers.csv")
    assert message in error.value.message
    assert error.value.hint
    assert error.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("Pending", "PENDING_REGISTRATION"),
        ("In Progress", "PENDING_REGISTRATION"),
        ("Not Registered", "UNREGISTERED"),
        ("Deregistered", "UNREGISTERED"),
        ("Pending De-registration", "PENDING_DEREGISTRATION"),
        ("Registration Failed", "FAILURE"),
        ("Registered", "REGISTERED"),
    ],
)
def test_the_consoles_own_labels_are_understood(label: str, status: str) -> None:
    result = numbers.parse_report(f"PhoneNumber,Status\n+14155550101,{label}\n")
    assert result.rows[0].status == status
    assert "Unrecognised" not in result.rows[0].remediation.explanation


def test_numbers_are_read_in_e164_whatever_their_spacing() -> None:
    text = "PhoneNumber,Status\n+1 415 555 0101,Registered\n(415) 555-0102,Registered\n"
    result = numbers.parse_report(text)
    assert [r.phone_number for r in result.rows] == ["+14155550101", "+14155550102"]


BAD_LINES = """PhoneNumber,Status
+14155550101,Registered
not-a-number,Pending
+1 514 CALL NOW,In Progress
+14155550104,
,Pending
+14155550106,Failed
"""


def test_bad_lines_are_listed_and_every_good_line_is_still_explained() -> None:
    result = numbers.parse_report(BAD_LINES, source="numbers.csv")
    assert [(r.line, r.status) for r in result.rows] == [(2, "REGISTERED"), (7, "FAILURE")]
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [
        (3, "not a phone number"),
        (4, "not a phone number"),
        (5, "no status on this line"),
        (6, "no phone number on this line"),
    ]
    assert result.exit_code == ExitCode.USAGE  # bad input first, as for customer files
    text = explained(result)
    assert text.startswith("numbers.csv:3: not a phone number: must be in E.164 format")
    assert "numbers.csv:4: not a phone number: may hold only digits" in text
    assert "FAILURE (1)" in text and "REGISTERED (1)" in text
    assert text.rstrip().endswith("4 lines not understood (above).")
    document = report_status.numbers_document(result)
    assert document["problems"][2] == {"line": 5, "message": "no status on this line"}


# --- the CLI ------------------------------------------------------------------------------------


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Through the console-script entry point: errors become messages and exit codes."""
    from a2pctl.cli.app import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def invoke(args: list[str]) -> tuple[int, str]:
    """Through Typer's runner, which reports the exit code a command ends with."""
    from typer.testing import CliRunner

    from a2pctl.cli.app import app

    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout


@pytest.mark.parametrize(
    ("status", "code"),
    [("REGISTERED", 0), ("PENDING_REGISTRATION", 3), ("FAILURE", 1)],
)
def test_cli_numbers_report_exits_by_the_worst_status(
    tmp_path: Path, status: str, code: int
) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text(f"PhoneNumber,Status\n+14155550101,{status}\n", encoding="utf-8")
    exit_code, out = invoke(["numbers", "report", str(path)])
    assert exit_code == code
    assert f"{status} (1)" in out
    assert "+14155550101" in out


def test_cli_numbers_report_json_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_bytes(("\ufeff" + EVERY_STATUS).encode("utf-8"))
    exit_code, out = invoke(["numbers", "report", "--json", str(path)])
    assert exit_code == ExitCode.FAILED
    doc = json.loads(out)
    assert [n["phone_number"] for n in doc["numbers"]][:2] == ["+14155550101", "+14155550102"]


def test_cli_numbers_report_of_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_code, out, err = run_cli(["numbers", "report", str(tmp_path / "nope.csv")], capsys)
    assert exit_code == ExitCode.USAGE
    assert out == ""
    assert "cannot read" in err and "nope.csv" in err


def test_cli_numbers_report_of_a_binary_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "numbers.csv"
    path.write_bytes(b"\xff\xfe\x00\x01binary")
    exit_code, _, err = run_cli(["numbers", "report", str(path)], capsys)
    assert exit_code == ExitCode.USAGE
    assert "cannot read" in err
