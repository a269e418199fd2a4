"""`a2pctl status` and `otp resend` as a new user runs them in the sandbox.

The commands run in process on the test's fake clock (`cli`), each test in its own
working directory, so the default state store `.a2pctl/state.db` (which also keeps
the in-process simulator) is per test. The sandbox's pauses and reviews, and the
polls of `status --watch`, pass on that clock: nothing waits for real.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cli_support import InProcess

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SP = EXAMPLES / "sole-proprietor.yaml"
STANDARD = EXAMPLES / "standard.yaml"
LVS = EXAMPLES / "low-volume-standard.yaml"
ALL_EXAMPLES = (SP, STANDARD, LVS)
SP_NAME = "jane-doe-pottery"
STANDARD_NAME = "northwind-outfitters"
NAMES = {SP: SP_NAME, STANDARD: STANDARD_NAME, LVS: "riverside-dental"}
KINDS = {"customer_profile", "trust_product", "brand", "messaging_service", "campaign"}
PREFIXES = {
    "customer_profile": "BU",
    "trust_product": "BU",
    "brand": "BN",
    "messaging_service": "MG",
    "campaign": "QE",
    "phone_number": "PN",
}


def json_of(done: subprocess.CompletedProcess[str]) -> Any:
    """stdout is one JSON document, or with --watch JSON lines, one document per refresh
    (docs/contract.md §1): the last."""
    if "--watch" not in done.args:
        return json.loads(done.stdout)
    lines = done.stdout.splitlines()
    assert lines and all(json.loads(line) for line in lines), done.stdout
    return json.loads(lines[-1])


def items_of(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json_of(done)["items"]
    return items


def only(items: list[dict[str, Any]], kind: str, registration: str) -> dict[str, Any]:
    [item] = [i for i in items if i["kind"] == kind and i["registration"] == registration]
    return item


def watch(cli: InProcess, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli("status", "--sandbox", "--watch", "--interval", "0.5", *extra, cwd=cwd)


# --- 1. a sole proprietor whose OTP is never answered ---------------------------------------


def test_an_unanswered_otp_is_pending_and_otp_resend_re_sends_it(
    tmp_path: Path, cli: InProcess
) -> None:
    registered = cli(
        "register", "--sandbox", "--scenario", "otp-never-answered", str(SP), cwd=tmp_path
    )
    assert registered.returncode == 3, registered.stdout + registered.stderr

    table = cli("status", "--sandbox", cwd=tmp_path)
    assert table.returncode == 3, table.stdout + table.stderr
    assert "Traceback" not in table.stderr
    brand_line = next(line for line in table.stdout.splitlines() if f"{SP_NAME} brand BN" in line)
    assert brand_line.endswith("APPROVED / UNVERIFIED")
    assert "`a2pctl otp resend" in table.stdout
    assert "1 pending" in table.stdout

    document = cli("status", "--sandbox", "--json", cwd=tmp_path)
    assert document.returncode == 3, document.stderr
    items = items_of(document)
    brand = only(items, "brand", SP_NAME)
    assert (brand["status"], brand["identity_status"]) == ("APPROVED", "UNVERIFIED")
    assert brand["severity"] == "pending"
    assert brand["brand_type"] == "SOLE_PROPRIETOR"
    assert brand["remediation"]["severity"] == "pending"
    assert "a2pctl otp resend" in brand["remediation"]["action"]
    assert "24 hours" in brand["remediation"]["explanation"]
    assert brand["remediation"]["field"] == "sole_proprietor.mobile_phone_number"
    campaign = only(items, "campaign", SP_NAME)
    assert campaign["sid"] is None and campaign["severity"] == "pending"
    brand_sid = brand["sid"]
    assert brand_sid.startswith("BN")

    planned = cli("plan", "--sandbox", "--json", str(SP), cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    [plan] = json_of(planned)["registrations"]
    assert plan["outcome"] == "pending"
    assert plan["resources"]["brand"] == brand_sid and plan["resources"]["campaign"] is None

    # The automatic OTP went out when the brand was approved: still valid, so refused.
    early = cli("otp", "resend", "--sandbox", SP_NAME, cwd=tmp_path)
    assert early.returncode == 2, early.stdout + early.stderr
    assert "valid 24 h" in early.stderr and "--force" in early.stderr

    first = cli("otp", "resend", "--sandbox", "--force", SP_NAME, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith(f"OTP sent for {brand_sid} ({SP_NAME})")
    assert "valid 24 hours" in first.stdout
    assert "+1 (915) 278-2000" in first.stdout  # the number the customer replies YES to
    assert "The first OTP was sent automatically" in first.stdout

    second = cli("otp", "resend", "--sandbox", "--force", "--json", SP_NAME, cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    [sent] = json_of(second)["otp"]
    assert (sent["ref"], sent["brand"], sent["registration"]) == (SP_NAME, brand_sid, SP_NAME)
    assert sent["sent"] is True and sent["error"] is None
    sent_at, valid_until = (
        datetime.strptime(sent[key], "%Y-%m-%d %H:%M:%S UTC") for key in ("sent_at", "valid_until")
    )
    assert valid_until - sent_at == timedelta(hours=24)
    assert sent["previous_sent_at"] is not None  # the first resend is remembered

    # Still unanswered: the brand waits, and says so.
    again = cli("status", "--sandbox", "--json", SP_NAME, cwd=tmp_path)
    assert again.returncode == 3, again.stderr
    assert only(items_of(again), "brand", SP_NAME)["identity_status"] == "UNVERIFIED"

    standard = cli("register", "--sandbox", "--wait", str(STANDARD), cwd=tmp_path)
    assert standard.returncode == 0, standard.stdout + standard.stderr
    refused = cli("otp", "resend", "--sandbox", STANDARD_NAME, cwd=tmp_path)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stdout == ""
    assert f"refused ({STANDARD_NAME})" in refused.stderr
    assert "is a STANDARD brand: only sole-proprietor brands are verified by OTP" in refused.stderr
    assert "Traceback" not in refused.stderr

    mixed = cli(
        "otp", "resend", "--sandbox", "--force", "--json", SP_NAME, STANDARD_NAME, cwd=tmp_path
    )
    assert mixed.returncode == 1, mixed.stderr
    by_name = {r["registration"]: r for r in json_of(mixed)["otp"]}
    assert by_name[SP_NAME]["sent"] is True
    assert by_name[STANDARD_NAME]["sent"] is False
    assert "STANDARD brand" in by_name[STANDARD_NAME]["error"]["message"]

    unknown = cli("otp", "resend", "--sandbox", "no-such-customer", cwd=tmp_path)
    assert unknown.returncode == 2, unknown.stdout + unknown.stderr
    assert "'no-such-customer' is neither a brand SID" in unknown.stderr


# --- 2. a standard brand that fails -----------------------------------------------------------


def test_a_failed_brand_shows_its_errors_remediation_and_file_field(
    tmp_path: Path, cli: InProcess
) -> None:
    registered = cli(
        "register", "--sandbox", "--wait", "--scenario", "brand-fails", str(STANDARD), cwd=tmp_path
    )
    assert registered.returncode == 1, registered.stdout + registered.stderr
    assert registered.stdout.startswith(f"failed  {STANDARD_NAME} (standard)")

    document = cli("status", "--sandbox", "--json", cwd=tmp_path)
    assert document.returncode == 1, document.stderr
    brand = only(items_of(document), "brand", STANDARD_NAME)
    assert brand["status"] == "FAILED" and brand["severity"] == "failed"
    assert "legal company name does not match" in brand["failure_reason"]
    [error] = brand["errors"]
    assert error["code"] == 30795
    assert error["field"].startswith("business.business_")
    assert "business_name" in error["twilio_fields"]
    remediation = brand["remediation"]
    assert remediation["severity"] == "failed"
    assert "CP 575" in remediation["action"] and "resubmitted" in remediation["action"]
    assert remediation["field"].startswith("business.business_")

    table = cli("status", "--sandbox", STANDARD_NAME, cwd=tmp_path)
    assert table.returncode == 1, table.stdout + table.stderr
    assert "error 30795: Brand Registration Feedback" in table.stdout
    assert f"→ {error['field']}" in table.stdout
    assert "1 failed" in table.stdout

    # Nothing will change without the user: --watch reports once and stops.
    watched = watch(cli, tmp_path)
    assert watched.returncode == 1, watched.stdout + watched.stderr
    assert watched.stdout.count("Checked ") == 1


# --- 3. a campaign that the reviewers reject -------------------------------------------------


def test_a_rejected_campaign_shows_each_error_with_its_file_field(
    tmp_path: Path, cli: InProcess
) -> None:
    registered = cli(
        "register", "--sandbox", "--wait", "--scenario", "campaign-rejected", str(STANDARD),
        cwd=tmp_path,
    )  # fmt: skip
    assert registered.returncode == 0, registered.stdout + registered.stderr  # submitted

    watched = watch(cli, tmp_path, "--json")
    assert watched.returncode == 1, watched.stdout + watched.stderr
    campaign = only(items_of(watched), "campaign", STANDARD_NAME)
    assert campaign["status"] == "FAILED" and campaign["severity"] == "failed"
    fields = {e["code"]: e["field"] for e in campaign["errors"]}
    assert fields == {30886: "campaign.description", 30893: "campaign.message_samples[0]"}
    assert campaign["remediation"]["severity"] == "failed"
    assert "re-run `a2pctl register" in campaign["remediation"]["action"]

    table = cli("status", "--sandbox", cwd=tmp_path)
    assert table.returncode == 1, table.stdout + table.stderr
    lines = table.stdout.splitlines()
    assert any(line.strip().startswith("error 30886") and "→ campaign.description" in line
               for line in lines)  # fmt: skip
    assert any(line.strip().startswith("error 30893") and "→ campaign.message_samples[0]" in line
               for line in lines)  # fmt: skip


# --- 4. everything approves ------------------------------------------------------------------


def test_watch_ends_with_0_once_every_campaign_is_verified(tmp_path: Path, cli: InProcess) -> None:
    # Three files interleaved in one run.
    registered = cli(
        "register", "--sandbox", "--wait", "--json", *map(str, ALL_EXAMPLES), cwd=tmp_path
    )
    assert registered.returncode == 0, registered.stdout + registered.stderr
    outcomes = {r["name"]: r["outcome"] for r in json_of(registered)["registrations"]}
    assert outcomes == {name: "submitted" for name in NAMES.values()}

    watched = watch(cli, tmp_path, "--json")
    assert watched.returncode == 0, watched.stdout + watched.stderr
    items = items_of(watched)
    assert {i["registration"] for i in items} == set(NAMES.values())
    for name in NAMES.values():
        mine = [i for i in items if i["registration"] == name]
        assert {i["kind"] for i in mine} == KINDS | {"phone_number"}
        for item in mine:
            assert str(item["sid"]).startswith(PREFIXES[item["kind"]]), item
            assert item["severity"] == "ok" and item["remediation"] is None, item
        assert only(items, "campaign", name)["status"] == "VERIFIED"
        assert only(items, "brand", name)["status"] == "APPROVED"
    assert only(items, "brand", SP_NAME)["identity_status"] == "VERIFIED"
    numbers = [i for i in items if i["kind"] == "phone_number"]
    assert len(numbers) == 4  # one for the sole proprietor, two for standard, one for LVS

    # The table reads the store, where Event Streams' number events keep arriving after
    # the campaigns are VERIFIED: the sole proprietor's number may still be registering
    # (PENDING_REGISTRATION, exit 3) -- see the report of the fleet branch.
    table = cli("status", "--sandbox", cwd=tmp_path)
    assert table.returncode in (0, 3), table.stdout + table.stderr
    assert "failed" not in table.stdout
    assert "complete" in table.stdout
