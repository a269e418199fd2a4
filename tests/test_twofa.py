"""`a2pctl brand 2fa resend`: the Authentication+ 2FA e-mail of public for-profit brands,
sent as one documented request, refused with the reason for every other brand, and
Twilio's 2173x answers explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import InProcess
from engine_support import LOW_VOLUME, SOLE_PROPRIETOR, STANDARD, World, make_world

from a2pctl.errors import ExitCode
from a2pctl.remediation import codes
from a2pctl.sandbox import SimResponse
from a2pctl.status import twofa

NAME = "northwind-outfitters"


def two_fa_posts(world: World) -> list[str]:
    return [h.path for h in world.recorder.hits if h.method == "POST" and h.path.endswith("/2fa")]


@pytest.fixture
def expired(tmp_path: Path) -> World:
    """The standard example (a public company) registered until its 2FA e-mail expired."""
    world = make_world(tmp_path, "2fa-expired")
    [outcome] = world.register(STANDARD, wait=True, timeout=3600)
    assert outcome.outcome == "failed"
    assert outcome.errors[1]["code"] == 21737
    return world


def resend(world: World, *refs: str) -> list[twofa.TwoFaResult]:
    return twofa.resend(refs, store=world.store, make_gateway=world.gateway, clock=world.clock)


def test_an_expired_2fa_is_resent_with_one_post_and_the_registration_then_completes(
    expired: World,
) -> None:
    [result] = resend(expired, NAME)
    assert result.sent and result.error is None
    assert result.contact == "brand@northwindoutfitters.example"
    assert two_fa_posts(expired) == [f"/v1/a2p/BrandRegistrations/{result.brand_sid}/2fa"]
    [outcome] = expired.register(STANDARD, wait=True, timeout=3600)
    assert outcome.outcome == "complete"
    assert len(two_fa_posts(expired)) == 1  # register never resends it by itself


def test_the_previous_resend_is_remembered(expired: World) -> None:
    [first] = resend(expired, NAME)
    expired.clock.sleep(300)  # the brand contact confirms it one review step later
    [second] = resend(expired, NAME)
    assert second.previous_sent_at == first.sent_at
    assert second.error is not None  # confirmed meanwhile: nothing more to send
    assert "already verified" in second.error.message


@pytest.mark.parametrize(
    ("file", "name", "reason"),
    [
        (SOLE_PROPRIETOR, "jane-doe-pottery",
         "is a sole-proprietor brand: it is verified by OTP, not by the Authentication+ 2FA "
         "e-mail"),
        (LOW_VOLUME, "riverside-dental",
         "is a private company: the Authentication+ 2FA e-mail is for public for-profit "
         "brands only"),
        (STANDARD, NAME, "is already verified (identity_status VETTED_VERIFIED): no 2FA needed"),
    ],
)  # fmt: skip
def test_other_brands_are_refused_with_the_reason_and_nothing_is_sent(
    tmp_path: Path, file: Path, name: str, reason: str
) -> None:
    world = make_world(tmp_path)
    [outcome] = world.register(file, wait=True, timeout=3600)
    assert outcome.outcome == "complete"
    [result] = resend(world, name)
    assert not result.sent and result.error is not None
    assert result.error.exit_code == ExitCode.FAILED
    assert result.error.message == f"{result.brand_sid} {reason}"
    assert two_fa_posts(world) == []


@pytest.mark.parametrize("code", sorted(twofa.TWO_FA_CODES))
def test_each_2173x_answer_is_explained_with_its_next_step(expired: World, code: int) -> None:
    body = json.dumps({"code": code, "message": f"Twilio's text for {code}", "status": 400})

    def answer(method: str, path: str) -> SimResponse | None:
        if method == "POST" and path.endswith("/2fa"):
            return SimResponse(400, {"Content-Type": "application/json"}, body)
        return None

    expired.recorder.override = answer
    [result] = resend(expired, NAME)
    meaning, action, field = codes.CODES[code]
    error = result.error
    assert error is not None and not result.sent
    assert error.code == code
    assert error.message.startswith(f"{result.brand_sid}: the 2FA resend was refused: {meaning}")
    assert f"Twilio's text for {code}" in error.message
    assert (error.hint, error.field) == (action, field)
    assert len(two_fa_posts(expired)) == 1  # an error answer is not retried


def test_a_free_mail_brand_contact_is_refused_by_the_sandbox_with_21740(tmp_path: Path) -> None:
    gmail = tmp_path / "gmail.yaml"
    gmail.write_text(
        STANDARD.read_text().replace(
            "brand_contact_email: brand@northwindoutfitters.example",
            "brand_contact_email: northwind.outfitters@gmail.com",
        )
    )
    world = make_world(tmp_path, "2fa-expired")
    world.register(gmail, wait=True, timeout=3600)
    [result] = resend(world, NAME)
    assert result.error is not None and result.error.code == 21740
    assert result.error.field == "messaging_profile.brand_contact_email"
    assert result.error.hint == codes.CODES[21740][1]


def test_the_cli_resends_and_reports_it(tmp_path: Path, cli: InProcess) -> None:
    done = cli(
        "register", "--sandbox", "--scenario", "2fa-expired", "--wait", "--timeout", "1h",
        str(STANDARD), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "`a2pctl brand 2fa resend northwind-outfitters`" in done.stderr + done.stdout
    sent = cli("brand", "2fa", "resend", "--sandbox", "--json", NAME, cwd=tmp_path)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    [item] = json.loads(sent.stdout)["two_factor"]
    assert (item["registration"], item["sent"], item["error"]) == (NAME, True, None)
    assert item["brand_contact_email"] == "brand@northwindoutfitters.example"
    again = cli("register", "--sandbox", "--wait", "--timeout", "1h", str(STANDARD), cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    unknown = cli("brand", "2fa", "resend", "--sandbox", "nobody", cwd=tmp_path)
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines()[0].startswith("error: 'nobody' is neither a brand SID")
