"""`a2pctl otp resend`: only for approved, unverified sole-proprietor brands; paced at
most 10 per second per account; says when the last OTP went out and that it is
valid 24 hours."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from rich.console import Console

from a2pctl.errors import ExitCode, RegistrationFailed, UsageError
from a2pctl.gateway import Gateway, GatewayError
from a2pctl.gateway.records import Brand
from a2pctl.pacing import FakeClock, RateLimiter
from a2pctl.report import status as report_status
from a2pctl.state.store import Store
from a2pctl.status import otp

ACCOUNT = "AC" + "a" * 32
BRAND = "BN" + "1" * 32
OTHER_BRAND = "BN" + "2" * 32
DAY = 24 * 3600


class FakeGateway:
    """The two operations a resend needs, in memory, shaped like the OpenAPI examples."""

    def __init__(self) -> None:
        self.account_sid = ACCOUNT
        self.brands: dict[str, dict[str, Any]] = {}
        self.sent: list[str] = []
        self.otp_error: GatewayError | None = None

    def fetch_brand(self, sid: str) -> Brand:
        if sid not in self.brands:
            raise GatewayError(f"brand {sid} not found", status=404, code=20404)
        return Brand.from_twilio(self.brands[sid])

    def send_brand_otp(self, sid: str) -> dict[str, Any]:
        if self.otp_error is not None:
            raise self.otp_error
        self.sent.append(sid)
        return {"account_sid": self.account_sid, "brand_registration_sid": sid}


def sp_brand(sid: str = BRAND, **fields: Any) -> dict[str, Any]:
    record = {
        "sid": sid,
        "brand_type": "SOLE_PROPRIETOR",
        "status": "APPROVED",
        "identity_status": "UNVERIFIED",
        "mock": False,
    }
    record.update(fields)
    return record


@pytest.fixture
def twilio() -> FakeGateway:
    gw = FakeGateway()
    gw.brands[BRAND] = sp_brand()
    gw.brands[OTHER_BRAND] = sp_brand(OTHER_BRAND)
    return gw


@pytest.fixture
def limiter(clock: FakeClock) -> RateLimiter:
    return RateLimiter(clock, otp.otp_rate(1000.0))


def resend(
    store: Store,
    twilio: FakeGateway,
    clock: FakeClock,
    limiter: RateLimiter,
    *refs: str,
    force: bool = False,
) -> list[otp.OtpResult]:
    return otp.resend(
        list(refs),
        store=store,
        make_gateway=lambda a: cast(Gateway, twilio),
        limiter=limiter,
        clock=clock,
        force=force,
    )


def printed(results: list[otp.OtpResult]) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    report_status.render_otp(
        results,
        Console(file=out, width=300, no_color=True, soft_wrap=True),
        Console(file=err, width=300, no_color=True, soft_wrap=True),
    )
    return out.getvalue(), err.getvalue()


def test_an_approved_unverified_sole_proprietor_brand_gets_a_new_otp(
    store: Store, twilio: FakeGateway, clock: FakeClock, limiter: RateLimiter
) -> None:
    [result] = resend(store, twilio, clock, limiter, BRAND)
    assert twilio.sent == [BRAND]
    assert result.sent
    assert result.error is None
    assert result.sent_at == clock.now()
    assert result.valid_until == clock.now() + DAY
    assert otp.last_sent(store, BRAND) == clock.now()
    out, err = printed([result])
    assert "OTP sent for " + BRAND in out
    assert "valid 24 hours, until 2026-01-02 00:00:00 UTC" in out
    assert "first OTP was sent automatically" in out
    assert "+1 (915) 278-2000" in out
    assert err == ""


def test_a_registration_name_resolves_to_its_brand(
    store: Store, twilio: FakeGateway, clock: FakeClock, limiter: RateLimiter
) -> None:
    store.upsert_registration("jane-doe-pottery", ACCOUNT, "sole_proprietor", None)
    store.record_resource(
        BRAND, kind="brand", status="APPROVED", name="jane-doe-pottery", account=ACCOUNT
    )
    [result] = resend(store, twilio, clock, limiter, "jane-doe-pottery")
    assert (result.brand_sid, result.registration) == (BRAND, "jane-doe-pottery")
    assert twilio.sent == [BRAND]


def test_a_resend_within_24_hours_of_the_last_otp_is_refused_unless_forced(
    store: Store, twilio: FakeGateway, clock: FakeClock, limiter: RateLimiter
) -> None:
    resend(store, twilio, clock, limiter, BRAND)
    clock.advance(DAY - 3600)
    [refused] = resend(store, twilio, clock, limiter, BRAND)
    assert not refused.sent and refused.error is not None
    assert refused.error.exit_code == 2
    assert "23.0 h ago" in refused.error.message and "--force" in str(refused.error.hint)
    [forced] = resend(store, twilio, clock, limiter, BRAND, force=True)
    assert forced.sent
    assert twilio.sent == [BRAND, BRAND]


def test_the_automatic_otp_of_a_just_approved_brand_counts_as_the_last_one(
    store: Store, twilio: FakeGateway, clock: FakeClock, limiter: RateLimiter
) -> None:
    approved = datetime.fromtimestamp(clock.now() - 3600, tz=UTC).isoformat()
    twilio.brands[BRAND] = sp_brand(date_updated=approved)
    [refused] = resend(store, twilio, clock, limiter, BRAND)
    assert refused.error is not None and "1.0 h ago" in refused.error.message
    clock.advance(DAY)
    [sent] = resend(store, twilio, clock, limiter, BRAND)
    assert sent.sent and twilio.sent == [BRAND]


def test_a_second_resend_says_when_the_last_otp_was_sent(
    store: Store, twilio: FakeGateway, clock: FakeClock, limiter: RateLimiter
) -> None:
    resend(store, twilio, clock, limiter, BRAND)
    first = clock.now()
    clock.advance(DAY + 60)
    [result] = resend(store, twilio, clock, limiter, BRAND)
    assert result.previous_sent_at == first
    out, _ = printed([result])
    assert "previous OTP a2pctl sent went out 2026-01-01 00:00:00 UTC" in out
    doc = report_status.otp_document([result])
    assert doc == {
        "otp": [
            {
                "ref": BRAND,
                "brand": BRAND,
                "registration": None,
                "sent": True,
                "sent_at": "2026-01-02 00:01:00 UTC",
                "valid_until": "2026-01-03 00:01:00 UTC",
                "previous_sent_at": "2026-01-01 00:00:00 UTC",
                "error": None,
            }
        ]
    }


@pytest.mark.parametrize(
    ("brand", "words"),
    [
        (sp_brand(brand_type="STANDARD", identity_status="UNVERIFIED"), "is a STANDARD brand"),
        (sp_brand(identity_status="VERIFIED"), "already verified (identity_status VERIFIED)"),
        (sp_brand(identity_status="VETTED_VERIFIED"), "already verified"),
        (sp_brand(mock=True), "mock brand"),
        (sp_brand(status="PENDING", identity_status=None), "is PENDING"),
        (sp_brand(status="FAILED", identity_status=None), "is FAILED"),
    ],
)
def test_brands_an_otp_cannot_help_are_refused_and_nothing_is_sent(
    store: Store,
    twilio: FakeGateway,
    clock: FakeClock,
    limiter: RateLimiter,
    brand: dict[str, Any],
    words: str,
) -> None:
    twilio.brands[BRAND] = brand
    [result] = resend(store, twilio, clock, limiter, BRAND)
    assert twilio.sent == []
    assert isinstance(result.error, RegistrationFailed)
    assert result.error.exit_code == ExitCode.FAILED
    assert words in result.error.message
    assert otp.last_sent(store, BRAND) is None
    out, err = printed([result])
    assert out == ""
    assert f"refused: {result.error.message}" in err
    assert "hint: " in err


def test_check_eligible_raises_registration_failed_for_a_standard_brand() -> None:
    with pytest.raises(RegistrationFailed, match="only sole-proprietor brands"):
        otp.check_eligible(Brand.from_twilio(sp_brand(brand_type="STANDARD")))


def test_a_registration_without_a_brand_is_refused(
    store: Store, twilio: FakeGateway, clock: FakeClock, limiter: RateLimiter
) -> None:
    store.upsert_registration("jane-doe-pottery", ACCOUNT, "sole_proprietor", None)
    [result] = resend(store, twilio, clock, limiter, "jane-doe-pottery")
    assert result.error is not None
    assert "has no brand yet" in result.error.message
    assert twilio.sent == []


def test_an_unknown_name_is_a_usage_error_before_anything_is_sent(
    store: Store, twilio: FakeGateway, clock: FakeClock, limiter: RateLimiter
) -> None:
    with pytest.raises(UsageError, match="neither a brand SID"):
        resend(store, twilio, clock, limiter, BRAND, "nobody")
    assert twilio.sent == []


def test_a_refused_brand_does_not_stop_the_others(
    store: Store, twilio: FakeGateway, clock: FakeClock, limiter: RateLimiter
) -> None:
    twilio.brands[BRAND] = sp_brand(identity_status="VERIFIED")
    results = resend(store, twilio, clock, limiter, BRAND, OTHER_BRAND)
    assert [r.sent for r in results] == [False, True]
    assert twilio.sent == [OTHER_BRAND]


def test_a_twilio_error_on_sms_otp_is_reported_and_not_recorded(
    store: Store, twilio: FakeGateway, clock: FakeClock, limiter: RateLimiter
) -> None:
    twilio.otp_error = GatewayError("Brand status does not allow OTP", status=400, code=21725)
    [result] = resend(store, twilio, clock, limiter, BRAND)
    assert not result.sent
    assert result.error is twilio.otp_error
    assert otp.last_sent(store, BRAND) is None
    doc = report_status.otp_document([result])
    assert doc["otp"][0]["error"] == {
        "code": 21725,
        "message": "Brand status does not allow OTP",
        "hint": None,
    }


def test_resends_are_paced_at_most_10_per_second_per_account(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    limiter = RateLimiter(clock, otp.otp_rate(50.0))
    resend(store, twilio, clock, limiter, BRAND, OTHER_BRAND, BRAND, force=True)
    assert twilio.sent == [BRAND, OTHER_BRAND, BRAND]
    assert clock.sleeps == pytest.approx([0.1, 0.1])


def test_a_lower_rate_caps_the_otp_pace_too(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    limiter = RateLimiter(clock, otp.otp_rate(1.0))
    resend(store, twilio, clock, limiter, BRAND, OTHER_BRAND)
    assert clock.sleeps == [1.0]


def test_the_otp_rate_is_the_lower_of_the_rate_and_twilios_limit() -> None:
    assert otp.otp_rate(25.0) == 10.0
    assert otp.otp_rate(2.0) == 2.0


def test_cli_otp_resend_of_an_unknown_name_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from a2pctl.cli.app import main

    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "not-a-real-token")
    with pytest.raises(SystemExit) as exit_info:
        main(["otp", "resend", "--json", "--state", str(tmp_path / "s.db"), "nobody"])
    assert exit_info.value.code == ExitCode.USAGE
    out, err = capsys.readouterr()
    assert json.loads(out)["error"]["kind"] == "usage"  # --json: a document even on errors
    assert "neither a brand SID (BN…) nor a registration" in err
    assert "not-a-real-token" not in err
