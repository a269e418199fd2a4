"""Every sandbox scenario, as a new user plays it: `a2pctl register --sandbox --wait
--scenario NAME FILE` ends with the exit code and outcome that the README's scenario
table documents.

Each scenario runs in process on the test's fake clock (`cli`), in its own working
directory (so its own default state store and simulator): the simulated reviews
pass on that clock, nothing waits for real.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cli_support import InProcess

from a2pctl.cli.runtime import SANDBOX_REVIEW_SECONDS as REVIEW_STEP_SECONDS
from a2pctl.sandbox import SCENARIOS

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SP = EXAMPLES / "sole-proprietor.yaml"
STANDARD = EXAMPLES / "standard.yaml"
LVS = EXAMPLES / "low-volume-standard.yaml"
NAMES = {SP: "jane-doe-pottery", STANDARD: "northwind-outfitters", LVS: "riverside-dental"}
FLOWS = {SP: "sole_proprietor", STANDARD: "standard", LVS: "low_volume_standard"}
Done = subprocess.CompletedProcess[str]


def problems(done: Done) -> list[str]:
    """stderr without the progress lines (✓ done, … waiting)."""
    return [line for line in done.stderr.splitlines() if not line.startswith(tuple(NAMES.values()))]


# --- what each scenario ends with ---------------------------------------------------------------


def no_problem(done: Done) -> None:
    assert problems(done) == []


def every_resource(done: Done) -> None:
    no_problem(done)
    for label, prefix in (("brand", "BN"), ("messaging service", "MG"), ("campaign", "QE")):
        assert f"\n  {label} {prefix}" in done.stdout, label
    assert "\n  number PN" in done.stdout


def brand_failed_with(code: int, text: str) -> Callable[[Done], None]:
    def check(done: Done) -> None:
        assert "  brand BN" in done.stdout and "  campaign" not in done.stdout
        assert any(" is FAILED: " in line for line in problems(done)), done.stderr
        assert any(line.endswith(f"[{code}]") and text in line for line in problems(done))

    return check


def waits_for(text: str) -> Callable[[Done], None]:
    def check(done: Done) -> None:
        first = done.stdout.splitlines()[0]
        assert "waiting for brand BN" in first and text in first, first
        assert "  campaign" not in done.stdout  # no campaign before the brand gate

    return check


def profile_rejected(done: Done) -> None:
    # Caught when the profile is looked at again after the documented pause.
    assert "  brand" not in done.stdout and "  trust bundle" not in done.stdout
    assert any(
        "customer profile" in line and "rejected during the pause" in line
        for line in problems(done)
    )


def evaluation_field(done: Done) -> None:
    # FILE:LINE: field.path: reason [noncompliant], the field named in the customer file
    [line] = [p for p in problems(done) if p.endswith("[noncompliant]")]
    assert line.startswith(f"{STANDARD}:")
    assert ": business.business_type: " in line and "(error 22218)" in line
    assert "  trust bundle" not in done.stdout  # stopped at the customer profile


def two_fa_expired(done: Done) -> None:
    # The brand is APPROVED but its public company's 2FA e-mail expired: the next step named.
    assert "  brand BN" in done.stdout and "  campaign" not in done.stdout
    assert any(line.endswith("[21737]") and "2FA Verification Expired" in line
               for line in problems(done))  # fmt: skip
    assert "`a2pctl brand 2fa resend northwind-outfitters`" in done.stderr + done.stdout


@dataclass(frozen=True)
class Expected:
    file: Path
    exit_code: int
    outcome: str  # submitted | pending | failed
    check: Callable[[Done], None] = field(repr=False)
    timeout: str = "60s"


EXPECTED = {
    "default": Expected(SP, 0, "submitted", every_resource),
    "brand-fails": Expected(
        SP, 1, "failed", brand_failed_with(30799, "Unable to register Brand with The Campaign")
    ),
    # register ends once the campaign is submitted; the rejection comes later (test below)
    "campaign-rejected": Expected(LVS, 0, "submitted", every_resource),
    "otp-never-answered": Expected(
        SP, 3, "pending", waits_for("status APPROVED, identity UNVERIFIED"), timeout="3"
    ),
    "bundle-rejected": Expected(STANDARD, 1, "failed", profile_rejected),
    "email-rejected": Expected(SP, 1, "failed", profile_rejected),
    "slow-review": Expected(STANDARD, 3, "pending", waits_for("status IN_REVIEW"), timeout="3"),
    "evaluation-noncompliant": Expected(STANDARD, 1, "failed", evaluation_field),
    "number-registration-fails": Expected(LVS, 0, "submitted", every_resource),
    "2fa-expired": Expected(STANDARD, 1, "failed", two_fa_expired),
}


def register(cli: InProcess, scenario: str, cwd: Path) -> Done:
    expected = EXPECTED[scenario]
    args = ("--wait", "--timeout", expected.timeout, "--scenario", scenario)
    return cli("register", "--sandbox", *args, str(expected.file), cwd=cwd)


def test_every_scenario_has_an_expected_outcome() -> None:
    assert set(EXPECTED) == set(SCENARIOS)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_register_ends_as_the_scenario_documents(
    scenario: str, cli: InProcess, tmp_path: Path
) -> None:
    expected = EXPECTED[scenario]
    done = register(cli, scenario, tmp_path)
    assert done.returncode == expected.exit_code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    name, flow = NAMES[expected.file], FLOWS[expected.file]
    assert done.stdout.startswith(f"{expected.outcome}  {name} ({flow})"), done.stdout
    assert "\n  customer profile BU" in done.stdout
    expected.check(done)


def test_a_rejected_campaign_is_reported_by_status(cli: InProcess, tmp_path: Path) -> None:
    assert register(cli, "campaign-rejected", tmp_path).returncode == 0
    watched = cli("status", "--sandbox", "--watch", "--interval", "0.5", cwd=tmp_path)
    assert watched.returncode == 1, watched.stdout + watched.stderr
    assert "→ campaign.description" in watched.stdout
    assert "→ campaign.message_samples[0]" in watched.stdout


def test_a_failed_number_registration_is_reported_by_status(cli: InProcess, tmp_path: Path) -> None:
    assert register(cli, "number-registration-fails", tmp_path).returncode == 0
    # The carriers' verdict arrives as Event Streams events a few review steps after the
    # campaign is VERIFIED: check again (bounded), a review step later each time.
    for _ in range(40):
        cli.clock.sleep(REVIEW_STEP_SECONDS)
        watched = cli("status", "--sandbox", "--json", "--refresh", "all", cwd=tmp_path)
        items = json.loads(watched.stdout)["items"]
        numbers = [i for i in items if i["kind"] == "phone_number"]
        if numbers and all(n["status"] for n in numbers):
            break
    assert numbers
    for number in numbers:
        assert number["status"] == "FAILURE", number
        assert number["severity"] == "failed"
        assert number["remediation"]["severity"] == "failed"
        assert number["remediation"]["action"]
    assert watched.returncode == 1


@pytest.mark.parametrize("where", ["no store yet", "existing store"])
def test_an_unknown_scenario_exits_2_listing_the_known_ones(
    cli: InProcess, tmp_path: Path, where: str
) -> None:
    if where == "existing store":
        made = cli("register", "--sandbox", "--scenario", "slow-review", str(SP), cwd=tmp_path)
        assert made.returncode == 3, made.stdout + made.stderr
    done = cli("register", "--sandbox", "--scenario", "brand-fail", str(SP), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "unknown scenario 'brand-fail'" in done.stderr
    for scenario in SCENARIOS:
        assert scenario in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failed_brand_is_fixed_as_a_new_user_would_plan_first_then_register(
    cli: InProcess, tmp_path: Path
) -> None:
    args = ("--wait", "--timeout", "60s", "--scenario", "brand-fails", str(STANDARD))
    failed = cli("register", "--sandbox", *args, cwd=tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "30795" in failed.stderr
    fixed = tmp_path / "northwind.yaml"
    fixed.write_text(
        STANDARD.read_text(encoding="utf-8").replace(
            "Northwind Outfitters, Inc.", "Northwind Outfitters LLC"
        ),
        encoding="utf-8",
    )
    planned = cli("plan", "--sandbox", "--json", str(fixed), cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    [plan] = json.loads(planned.stdout)["registrations"]
    fees = {a["kind"]: a["fee"] for a in plan["actions"]}
    assert fees["reopen_bundle"] is False and fees["resubmit_brand"] is True
    shown = cli("plan", "--sandbox", str(fixed), cwd=tmp_path)
    assert "register would first:" in shown.stdout
    assert "resubmit brand BN" in shown.stdout and "(fee)" in shown.stdout

    done = cli("register", "--sandbox", "--wait", "--until", "verified", str(fixed), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("complete  northwind-outfitters (standard)"), done.stdout
    again = cli("plan", "--sandbox", "--json", str(fixed), cwd=tmp_path)
    [after] = json.loads(again.stdout)["registrations"]
    assert after["outcome"] == "complete" and after["actions"] == []
