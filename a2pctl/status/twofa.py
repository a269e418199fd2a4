"""Re-send the Authentication+ 2FA e-mail: `POST …/BrandRegistrations/{BN}/2fa`.

Public for-profit brands (a Standard or LVS customer whose `company_type` is
public) pass TCR's Authentication+: the brand contact (`brand_contact_email`)
gets a verification e-mail and has 7 days to confirm it (docs/twilio/flows.md §3 Step 3).
When it expired or failed (21736–21741) Twilio documents this one request to
start a new one (docs: "A2P 10DLC - Brand 2FA Verification Resource"). Anything
else is refused with the reason before a request is sent: sole-proprietor brands
(verified by OTP), private, non-profit and government companies (no
Authentication+), mock brands, brands already verified, and brands TCR has not
registered yet. Whether the company is public is read from Twilio: the brand's
trust product holds the `us_a2p_messaging_profile_information` end user.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from a2pctl.errors import A2pError, RegistrationFailed
from a2pctl.gateway import Gateway, GatewayError
from a2pctl.gateway.records import Brand
from a2pctl.pacing import Clock
from a2pctl.remediation import codes
from a2pctl.remediation.catalogue import SOLE_PROPRIETOR
from a2pctl.state.store import Store
from a2pctl.status import sends

TWO_FA_CODES = frozenset(range(21736, 21742))  # Authentication+ errors (changelog 2025-08-07)
PROFILE_TYPE = "us_a2p_messaging_profile_information"  # the end user with company_type
_VERIFIED = frozenset({"VERIFIED", "VETTED_VERIFIED"})
SENT = sends.SendLog("2fa:")  # when and how often a2pctl sent each brand its 2FA e-mail
last_sent = SENT.last_sent


@dataclass(frozen=True)
class TwoFaResult:
    ref: str
    brand_sid: str | None
    registration: str | None
    sent_at: float | None = None  # None: refused or failed, see `error`
    contact: str | None = None  # the brand contact e-mail the new 2FA goes to
    previous_sent_at: float | None = None  # the last 2FA a2pctl sent before this one
    error: A2pError | None = None

    @property
    def sent(self) -> bool:
        return self.sent_at is not None


@dataclass(frozen=True)
class Profile:
    """What the brand's messaging profile says (None where it says nothing)."""

    company_type: str | None
    brand_contact_email: str | None


def messaging_profile(gateway: Gateway, brand: Brand) -> Profile:
    """The company type and brand contact of the brand's trust product."""
    trust = brand.a2p_profile_bundle_sid
    if not trust:
        return Profile(None, None)
    for assignment in gateway.list_assignments("trust_product", str(trust)):
        sid = str(assignment.object_sid or "")
        if not sid.startswith("IT"):
            continue
        user = gateway.fetch_end_user(sid)
        if user.type == PROFILE_TYPE and user.has_attributes:
            return Profile(user.company_type, user.brand_contact_email)
    return Profile(None, None)


def check_eligible(brand: Brand, profile: Profile) -> None:
    """Raise RegistrationFailed unless a new 2FA e-mail can help this brand."""
    sid = brand.sid or "the brand"
    brand_type = str(brand.brand_type or "STANDARD").upper()
    status = str(brand.status or "").upper()
    identity = str(brand.identity_status or "").upper()
    if brand_type == SOLE_PROPRIETOR:
        raise RegistrationFailed(
            f"{sid} is a sole-proprietor brand: it is verified by OTP, not by the "
            "Authentication+ 2FA e-mail",
            hint="`a2pctl otp resend REF` re-sends the OTP SMS",
        )
    if brand.mock:
        raise RegistrationFailed(
            f"{sid} is a mock brand: it is never registered with TCR, so it has no 2FA",
            hint="mock brands are for testing; register a real brand for traffic",
        )
    if profile.company_type != "public":
        kind = f"a {profile.company_type} company" if profile.company_type else "not public"
        raise RegistrationFailed(
            f"{sid} is {kind}: the Authentication+ 2FA e-mail is for public for-profit brands only",
            hint="private, non-profit and government brands are verified by TCR vetting; "
            "`a2pctl status` shows where the brand stands",
        )
    if identity in _VERIFIED:
        raise RegistrationFailed(
            f"{sid} is already verified (identity_status {identity}): no 2FA needed",
            hint="`a2pctl status` shows what comes next",
        )
    failed_2fa = any(code in TWO_FA_CODES for code in _error_codes(brand))
    if status == "FAILED" and not failed_2fa:
        raise RegistrationFailed(
            f"{sid} is FAILED for another reason than its 2FA: a new 2FA e-mail cannot help",
            hint="`a2pctl status` names the problem; fix the file and re-run register",
        )
    if status not in ("APPROVED", "FAILED"):
        raise RegistrationFailed(
            f"{sid} is {status or 'not registered yet'}: the first 2FA e-mail goes out by "
            "itself once TCR registers the brand",
            hint="wait for the brand review (`a2pctl status`)",
        )


def resend(
    refs: Sequence[str],
    *,
    store: Store,
    make_gateway: Callable[[str | None], Gateway],
    clock: Clock,
) -> list[TwoFaResult]:
    """A new 2FA e-mail for each reference (BN… or registration name), or the reason
    why not. Unknown registration names are a UsageError before anything is sent."""
    results: list[TwoFaResult] = []
    for ref, brand_sid, name, gateway, previous in sends.targets(refs, store, make_gateway, SENT):
        if brand_sid is None or gateway is None:
            refusal = RegistrationFailed(
                f"registration {name!r} has no brand yet",
                hint="run `a2pctl register FILE`; the first 2FA e-mail follows the brand review",
            )
            results.append(TwoFaResult(ref, None, name, error=refusal))
            continue
        profile = Profile(None, None)
        try:
            brand = gateway.fetch_brand(brand_sid)
            profile = messaging_profile(gateway, brand)
            check_eligible(brand, profile)
            gateway.resend_brand_2fa(brand_sid)
        except GatewayError as err:
            error = mapped(err, brand_sid)
            results.append(TwoFaResult(ref, brand_sid, name, None, None, previous, error))
            continue
        except A2pError as err:
            results.append(TwoFaResult(ref, brand_sid, name, None, None, previous, err))
            continue
        sent_at = clock.now()
        SENT.record(store, brand_sid, sent_at)
        contact = profile.brand_contact_email
        results.append(TwoFaResult(ref, brand_sid, name, sent_at, contact, previous))
    return results


def mapped(err: GatewayError, brand_sid: str) -> A2pError:
    """A 2173x answer as its documented meaning and next step; others unchanged."""
    code = err.code if isinstance(err.code, int) else None
    if code not in TWO_FA_CODES:
        return err
    assert code is not None
    meaning, action, field = codes.CODES[code]
    twilio = f" (Twilio: {err.message})" if err.message else ""
    return RegistrationFailed(
        f"{brand_sid}: the 2FA resend was refused: {meaning}{twilio}",
        hint=action,
        field=field,
        code=code,
    )


def _error_codes(brand: Brand) -> list[int]:
    return [error.code for error in brand.errors if error.code is not None]
