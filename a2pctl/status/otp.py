"""Re-send the sole-proprietor OTP: `POST …/BrandRegistrations/{BN}/SmsOtp`.

Only the first OTP goes out by itself, when the brand is approved; it is valid
24 hours (docs/twilio/flows.md §4.6). A resend makes sense only for an APPROVED
sole-proprietor brand whose identity is not yet verified; anything else is
refused with the reason. Twilio allows 10 SmsOtp requests per second per
account: the CLI passes a limiter at min(--rate, 10) for them. The time of each
OTP a2pctl sends is kept in the store, so the next resend can say when the last
one went out. A resend within 24 hours of the last OTP (a2pctl's own, or the
automatic one, which goes out when the brand is approved) is refused unless forced:
the code the customer has is still valid, and a new SMS only confuses them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from a2pctl.errors import A2pError, RegistrationFailed, UsageError
from a2pctl.gateway import Gateway
from a2pctl.gateway.records import Brand
from a2pctl.pacing import Clock, RateLimiter
from a2pctl.remediation.catalogue import OTP_VALID_HOURS, SOLE_PROPRIETOR
from a2pctl.state.store import Store
from a2pctl.status import sends

OTP_MAX_RATE = 10.0  # SmsOtp requests per second per account (Twilio's documented limit)
OTP_VALID_SECONDS = OTP_VALID_HOURS * 3600
_VERIFIED = frozenset({"VERIFIED", "VETTED_VERIFIED"})
SENT = sends.SendLog("otp:")  # when and how often a2pctl sent each brand its OTP
last_sent = SENT.last_sent


def otp_rate(rate: float) -> float:
    """The OTP request rate: the --rate, capped at Twilio's SmsOtp limit."""
    return min(rate, OTP_MAX_RATE)


@dataclass(frozen=True)
class OtpResult:
    ref: str
    brand_sid: str | None
    registration: str | None
    sent_at: float | None = None  # None: refused or failed, see `error`
    previous_sent_at: float | None = None  # the last OTP a2pctl sent before this one
    error: A2pError | None = None

    @property
    def sent(self) -> bool:
        return self.sent_at is not None

    @property
    def valid_until(self) -> float | None:
        return None if self.sent_at is None else self.sent_at + OTP_VALID_SECONDS


def check_eligible(brand: Brand) -> None:
    """Raise RegistrationFailed unless the brand is one an OTP resend can help."""
    sid = brand.sid or "the brand"
    brand_type = str(brand.brand_type or "STANDARD").upper()
    status = str(brand.status or "").upper()
    identity = str(brand.identity_status or "").upper()
    if brand_type != SOLE_PROPRIETOR:
        raise RegistrationFailed(
            f"{sid} is a {brand_type} brand: only sole-proprietor brands are verified by OTP",
            hint="standard brands are verified by TCR vetting; public for-profit brands by the "
            "Authentication+ 2FA e-mail to the brand contact",
        )
    if brand.mock:
        raise RegistrationFailed(
            f"{sid} is a mock brand: mock sole-proprietor brands send no OTP",
            hint="register a real (non-mock) brand to verify by OTP",
        )
    if identity in _VERIFIED:
        raise RegistrationFailed(
            f"{sid} is already verified (identity_status {identity}): no OTP needed",
            hint="`a2pctl status` shows what comes next",
        )
    if status != "APPROVED":
        raise RegistrationFailed(
            f"{sid} is {status or 'not registered yet'}: an OTP is sent only to an APPROVED brand",
            hint="the first OTP goes out by itself when the brand is approved; "
            "`a2pctl status` shows why it is not",
        )


def approved_at(brand: Brand) -> float | None:
    """When an APPROVED, unverified sole-proprietor brand was approved, which is when
    Twilio sent its first OTP by itself (the record's last update, as nothing else
    changes it until the OTP is answered)."""
    if str(brand.status or "").upper() != "APPROVED":
        return None
    try:
        return datetime.fromisoformat(str(brand.date_updated)).timestamp()
    except ValueError:
        return None


def _too_soon(brand: Brand, previous: float | None, now: float) -> A2pError | None:
    last = max((t for t in (previous, approved_at(brand)) if t is not None), default=None)
    if last is None or now - last >= OTP_VALID_SECONDS:
        return None
    hours = (now - last) / 3600
    return UsageError(
        f"{brand.sid or None}: the last OTP went out {hours:.1f} h ago and is valid "
        f"{OTP_VALID_HOURS} h: the customer can still answer it",
        hint="ask the customer to reply YES to the SMS from +1 (915) 278-2000; "
        "--force sends a new one anyway",
    )


def resend(
    refs: Sequence[str],
    *,
    store: Store,
    make_gateway: Callable[[str | None], Gateway],
    limiter: RateLimiter,
    clock: Clock,
    force: bool = False,
) -> list[OtpResult]:
    """Resend the OTP for each reference (BN… or registration name), refusing where it
    cannot help. Unknown registration names are a UsageError before anything is sent."""
    results = []
    for ref, brand_sid, name, gateway, previous in sends.targets(refs, store, make_gateway, SENT):
        if brand_sid is None or gateway is None:
            refusal = RegistrationFailed(
                f"registration {name!r} has no brand yet",
                hint="run `a2pctl register FILE`; the first OTP goes out on brand approval",
            )
            results.append(OtpResult(ref, None, name, error=refusal))
            continue
        try:
            brand = gateway.fetch_brand(brand_sid)
            check_eligible(brand)
            too_soon = None if force else _too_soon(brand, previous, clock.now())
            if too_soon is not None:
                raise too_soon
            limiter.acquire(gateway.account_sid)
            gateway.send_brand_otp(brand_sid)
        except A2pError as err:
            results.append(OtpResult(ref, brand_sid, name, previous_sent_at=previous, error=err))
            continue
        sent_at = clock.now()
        SENT.record(store, brand_sid, sent_at)
        results.append(OtpResult(ref, brand_sid, name, sent_at, previous))
    return results
