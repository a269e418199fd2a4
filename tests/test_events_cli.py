"""The `events` commands through the real entry point, and how events are rendered."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from a2pctl.cli.app import main
from a2pctl.events import decode_body
from a2pctl.events.record import ReceivedEvent
from a2pctl.events.setup import SetupResult
from a2pctl.pacing import FakeClock
from a2pctl.report import events as report_events
from a2pctl.state.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "events"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def seeded_state(tmp_path: Path) -> Path:
    path = tmp_path / "state.db"
    store = Store.open(path, FakeClock())
    store.record_resource(
        "BNXXXXXXXXX", kind="brand", status="PENDING", name="jane-doe-pottery", account="AC1"
    )
    store.close()
    return path


def test_decode_prints_one_json_document_with_every_event(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no state store here: nothing to name registrations with

    code, out, _ = run(
        ["events", "decode", "--json", str(FIXTURES / "campaign-failure.json")], capsys
    )

    assert code == 0
    document = json.loads(out)
    assert list(document) == ["events", "problems"]
    [event] = document["events"]
    assert (event["kind"], event["sid"], event["status"]) == ("campaign", "MGXXXXXXXXX", "FAILED")
    assert [e["error_code"] for e in event["errors"]] == [30886, 30893]
    assert event["registration"] is None
    assert not (tmp_path / ".a2pctl").exists()  # decode never creates a state store


def test_decode_names_the_registration_from_the_state_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("A2PCTL_STATE", str(seeded_state(tmp_path)))
    monkeypatch.setenv("COLUMNS", "200")

    code, out, _ = run(["events", "decode", str(FIXTURES / "brand-registered.json")], capsys)

    assert code == 0
    assert "brand BNXXXXXXXXX" in out
    assert "jane-doe-pottery" in out
    assert "registered, identity verified" in out


def test_decode_reads_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = (FIXTURES / "number-registration-successful.json").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(body)))

    code, out, _ = run(["events", "decode", "--json", "-"], capsys)

    assert code == 0
    [event] = json.loads(out)["events"]
    assert (event["phone_number"], event["status"]) == ("+11234567890", "REGISTERED")


def test_decode_of_a_body_that_is_not_json_exits_2_with_the_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text("<html>")

    code, out, err = run(["events", "decode", str(path)], capsys)

    assert code == 2
    assert out == ""
    assert "bad.json: the body is not JSON" in err


def test_decode_of_a_batch_with_a_malformed_event_shows_the_rest_and_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = json.loads((FIXTURES / "campaign-submitted.json").read_text())[0]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([good, {"type": "x"}]))

    code, out, _ = run(["events", "decode", "--json", str(path)], capsys)

    assert code == 2
    document = json.loads(out)
    assert len(document["events"]) == 1
    assert document["problems"] == ["event 2 of 2: no CloudEvent id (needed to record it once)"]


def test_decode_of_a_missing_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(["events", "decode", str(tmp_path / "nope.json")], capsys)

    assert code == 2
    assert "cannot read" in err


def test_serve_refuses_to_start_without_an_auth_token(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(["events", "serve", "--state", str(tmp_path / "s.db")], capsys)

    assert code == 2
    assert "TWILIO_AUTH_TOKEN" in err
    assert not (tmp_path / "s.db").exists()


def test_serve_for_all_accounts_needs_the_parent_accounts_sid_to_read_their_tokens(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "a-token-never-shown")
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)

    code, out, err = run(
        ["events", "serve", "--all-accounts", "--state", str(tmp_path / "s.db")], capsys
    )

    assert code == 2
    assert "TWILIO_ACCOUNT_SID" in err and "Traceback" not in err
    assert "a-token-never-shown" not in out + err


def test_setup_refuses_a_bad_account_sid_before_any_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["events", "setup", "--url", "https://isv.example/x", "--account-sid", "BU123"]

    code, _, err = run([*argv, "--state", str(tmp_path / "s.db")], capsys)

    assert code == 2
    assert "not an account SID" in err


# --- rendering ------------------------------------------------------------------------------


def console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=200, no_color=True, highlight=False), buffer


def decoded(name: str, registration: str | None = "jane-doe-pottery") -> object:
    from dataclasses import replace

    [event] = decode_body((FIXTURES / f"{name}.json").read_bytes()).events
    return replace(event, registration=registration)


@pytest.mark.parametrize(
    ("fixture", "line"),
    [
        (
            "brand-registered",
            "2023-06-15T13:51:04.528Z brand BNXXXXXXXXX (jane-doe-pottery): "
            "registered, identity verified",
        ),
        (
            "campaign-approved",
            "2023-06-27T19:06:32.294Z campaign MGXXXXXXXXX (jane-doe-pottery): "
            "approved, campaign ID XXXXXXX",
        ),
        (
            "number-registration-failed",
            "2024-03-13T15:51:10.552Z number PNXXXXXXXXXXXXXXXX (jane-doe-pottery): "
            "+11234567890 number registration failed: "
            "https://www.twilio.com/docs/api/errors/30126",
        ),
        (
            "number-deregistration-pending",
            "2024-03-13T15:51:10.552Z number PNXXXXXXXXXXXXXXXX (jane-doe-pottery): "
            "+11234567890 deregistration pending",
        ),
    ],
)
def test_each_event_prints_as_one_readable_line(fixture: str, line: str) -> None:
    assert report_events.event_line(decoded(fixture)) == line  # type: ignore[arg-type]


def test_a_failure_line_lists_each_error_with_its_fields() -> None:
    line = report_events.event_line(decoded("campaign-failure", None))  # type: ignore[arg-type]

    assert line.startswith(
        "2023-06-27T19:06:32.294Z campaign MGXXXXXXXXX (no registration in this state store): "
        "failed or rejected: 30886 The campaign submission"
    )
    assert "(USE_CASE DESCRIPTION); 30893" in line


def test_the_serve_log_marks_replays_and_writes_json_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, buffer = console()
    err, err_buffer = console()
    event = decoded("brand-unverified")

    report_events.EventLog(out, err).event(ReceivedEvent(event, "replay"))  # type: ignore[arg-type]
    report_events.EventLog(out, err, json_lines=True).event(ReceivedEvent(event, "updated"))  # type: ignore[arg-type]
    report_events.EventLog(out, err).problem(
        "127.0.0.1 POST /: 403 rejected: no X-Twilio-Signature header"
    )

    assert buffer.getvalue().strip().endswith("[already recorded: nothing changed]")
    document = json.loads(capsys.readouterr().out)
    assert (document["outcome"], document["identity_status"]) == ("updated", "UNVERIFIED")
    assert "403 rejected" in err_buffer.getvalue()


def setup_result(**changes: object) -> SetupResult:
    base = SetupResult(
        account_sid="AC" + "1" * 32,
        url="https://isv.example/a2p-events",
        method="POST",
        batch_events=False,
        sink_sid="DG" + "1" * 32,
        sink_created=True,
        sink_status="active",
        sink_tested=False,
        sink_validated=False,
        subscription_sid="DF" + "1" * 32,
        subscription_created=False,
        types={"com.twilio.messaging.compliance.brand-registration.brand-failure": 2},
        types_added=("com.twilio.messaging.compliance.brand-registration.brand-failure",),
        warnings=("something to know",),
    )
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]


def test_setup_renders_the_sids_and_what_was_done() -> None:
    out, buffer = console()
    err, err_buffer = console()
    result = setup_result()

    report_events.render_setup(result, out)
    report_events.render_setup_warnings(result, err)

    assert buffer.getvalue().splitlines() == [
        f"sink DG{'1' * 32} created: POST https://isv.example/a2p-events (single events)",
        f"subscription DF{'1' * 32} reused: added 1 missing of 1 A2P event types",
        f"account AC{'1' * 32}",
    ]
    assert err_buffer.getvalue() == "warning: something to know\n"


def test_setup_json_document_names_sink_subscription_and_types() -> None:
    document = report_events.setup_document(setup_result())

    assert document["sink"]["sid"] == "DG" + "1" * 32
    assert document["sink"]["created"] is True
    assert document["subscription"]["types"] == [
        {
            "type": "com.twilio.messaging.compliance.brand-registration.brand-failure",
            "schema_version": 2,
        }
    ]
    assert document["warnings"] == ["something to know"]
