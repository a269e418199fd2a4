"""How each flow action is performed through the gateway, and found again.

A handler returns `Done` (with the SID it produced), `Wait` (an outside review
is not finished) or `Fail` (a documented rejection). Creates go through
`_create`: the intent is recorded before the request, the SID the moment the
answer arrives, and a step found `started` without a SID is looked up before
anything is created again. Fee-bearing resources (brand, campaign) and the
bundles (found by their deterministic friendly names) are looked up before
*every* create, so even a lost state store cannot cause a second brand.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from a2pctl.changes import RESUBMIT_BRAND, deleted_campaign
from a2pctl.flows.model import (
    Action,
    Assign,
    AttachNumber,
    BrandGate,
    CheckSubmitted,
    CheckUsecase,
    CreateAddress,
    CreateBrand,
    CreateBundle,
    CreateCampaign,
    CreateDocument,
    CreateEndUser,
    Evaluate,
    MessagingService,
    ResolveNumber,
    Step,
    Submit,
    fingerprint,
)
from a2pctl.gateway import GatewayError, Record
from a2pctl.state import campaign_key

if TYPE_CHECKING:
    from a2pctl.executor import Run

SUBMITTED = ("pending-review", "in-review", "twilio-approved")
ALREADY_IN_SERVICE = 21710  # "Phone number is already in the Messaging Service": done
_SID = re.compile(r"^PN[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class Done:
    sid: str | None = None
    status: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    record: Record | None = None  # the Twilio record, for the resource's last known status


@dataclass(frozen=True)
class Wait:
    reason: str


@dataclass(frozen=True)
class Fail:
    errors: list[dict[str, Any]]


Result = Done | Wait | Fail


class Ambiguous(Exception):
    """A fee-bearing create may have happened: look again later before creating."""


def error(
    message: str, *, field: str | None = None, code: int | str | None = None
) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field}


def _create(
    run: Run,
    step: Step,
    lookup: Callable[[], Record | None],
    create: Callable[[], Record],
    *,
    fee: bool = False,
    look_first: bool = False,
) -> Record:
    """Create once. `look_first`: always look the resource up before creating it;
    `fee`: that, and never create again after a lost answer until a later look."""
    record = run.record(step.name)
    if fee or look_first or (record is not None and record.status == "started"):
        found = lookup()
        if found is not None:
            run.note(step, "found the resource a previous run created; not creating it again")
            return found
    run.store.mark_started(run.name, run.account, step.name)
    try:
        created = create()
    except GatewayError as err:
        if not err.ambiguous:
            raise
        found = lookup()
        if found is not None:
            return found
        if fee:
            # The answer was lost and the list does not show it (yet): look once
            # more after a poll interval before paying for a second create.
            raise Ambiguous(str(err)) from err
        created = create()
    sid = created.get("sid")
    if sid:
        run.store.record_sid(run.name, run.account, step.name, str(sid))
    return created


def _newest(records: list[Record]) -> Record | None:
    return max(records, key=lambda r: str(r.get("date_created") or ""), default=None)


# --- TrustHub ----------------------------------------------------------------------


def create_bundle(run: Run, step: Step, a: CreateBundle) -> Result:
    gw = run.gateway
    rec = _create(
        run,
        step,
        lambda: _newest(
            gw.list_bundles(a.kind, friendly_name=a.friendly_name, policy_sid=a.policy_sid)
        ),
        lambda: gw.create_bundle(
            a.kind,
            friendly_name=a.friendly_name,
            email=a.email,
            policy_sid=a.policy_sid,
            status_callback=a.status_callback,
        ),
        # One filtered list request: even with a lost state store the customer's
        # bundles are found again, and with them the brand (looked up by bundle SIDs).
        look_first=True,
    )
    return Done(rec["sid"], rec.get("status"), record=rec)


def _match(records: list[Record], friendly_name: str, type_: str) -> Record | None:
    hits = [
        r for r in records if r.get("friendly_name") == friendly_name and r.get("type") == type_
    ]
    return _newest(hits)


def create_end_user(run: Run, step: Step, a: CreateEndUser) -> Result:
    gw = run.gateway
    rec = _create(
        run,
        step,
        lambda: _match(gw.list_end_users(), a.friendly_name, a.type),
        lambda: gw.create_end_user(
            friendly_name=a.friendly_name, type=a.type, attributes=a.attributes
        ),
    )
    return Done(rec["sid"], data={"hash": fingerprint(a.attributes)})


def create_address(run: Run, step: Step, a: CreateAddress) -> Result:
    gw = run.gateway
    rec = _create(
        run,
        step,
        lambda: _newest(gw.list_addresses(friendly_name=a.friendly_name)),
        lambda: gw.create_address(friendly_name=a.friendly_name, **a.fields),
    )
    data = {"hash": fingerprint(a.fields), "iso_country": a.fields.get("iso_country")}
    return Done(rec["sid"], data=data)


def create_document(run: Run, step: Step, a: CreateDocument) -> Result:
    gw = run.gateway
    attributes = {"address_sids": run.sid(a.address_step)}
    rec = _create(
        run,
        step,
        lambda: _match(gw.list_supporting_documents(), a.friendly_name, a.type),
        lambda: gw.create_supporting_document(
            friendly_name=a.friendly_name, type=a.type, attributes=attributes
        ),
    )
    return Done(rec["sid"])


def assign(run: Run, step: Step, a: Assign) -> Result:
    gw = run.gateway
    bundle = run.sid(a.bundle_step)
    obj = a.object_sid or run.sid(a.object_step or "")

    def lookup() -> Record | None:
        return next(
            (r for r in gw.list_assignments(a.kind, bundle) if r.get("object_sid") == obj), None
        )

    rec = _create(run, step, lookup, lambda: gw.assign(a.kind, bundle, obj))
    return Done(rec.get("sid"))


def evaluate(run: Run, step: Step, a: Evaluate) -> Result:
    from a2pctl import remediation

    bundle = run.sid(a.bundle_step)
    run.store.mark_started(run.name, run.account, step.name)
    rec = run.gateway.evaluate(a.kind, bundle, a.policy_sid)
    run.remember(bundle, a.kind, None, {"evaluation": rec}, keep_status=True)
    if rec.get("status") == "compliant":
        return Done(rec.get("sid"), "compliant")
    problems = _most_specific(remediation.evaluation_problems(rec)) or [
        (None, "noncompliant (no details given)")
    ]
    what = a.kind.replace("_", " ")
    return Fail(
        [
            error(f"{what} evaluation: {reason}", field=path, code="noncompliant")
            for path, reason in problems
        ]
    )


def _most_specific(problems: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """Drop a requirement-level problem that a field-level one already says."""
    return [
        (path, reason)
        for path, reason in problems
        if not any(
            other_reason == reason and other and path and other.startswith(path + ".")
            for other, other_reason in problems
        )
    ]


def submit(run: Run, step: Step, a: Submit) -> Result:
    gw = run.gateway
    bundle = run.sid(a.bundle_step)
    record = run.record(step.name)
    if record is not None:  # a retry: it may have gone through already
        current = gw.fetch_bundle(a.kind, bundle)
        if current.get("status") in SUBMITTED:
            run.remember(bundle, a.kind, current.get("status"), current)
            return Done(bundle, current.get("status"), record=current)
    run.store.mark_started(run.name, run.account, step.name)
    rec = gw.update_bundle(a.kind, bundle, status="pending-review")
    run.remember(bundle, a.kind, rec.get("status"), rec)
    return Done(bundle, rec.get("status"), record=rec)


def check_submitted(run: Run, step: Step, a: CheckSubmitted) -> Result:
    from a2pctl import remediation

    bundle = run.sid(a.bundle_step)
    rec = run.gateway.fetch_bundle(a.kind, bundle)
    status = rec.get("status")
    run.remember(bundle, a.kind, status, rec)
    if status != "twilio-rejected":
        return Done(bundle, status)
    what = a.kind.replace("_", " ")
    advice = remediation.for_bundle(status)
    errors = [
        error(
            f"{what} {bundle} was rejected during the pause: {advice.explanation}"
            + (f" {run.personal(advice.action)}" if advice.action else ""),
            code="twilio-rejected",
        )
    ]
    for item in rec.get("errors") or []:
        if not isinstance(item, dict):
            continue
        code = item.get("code") or item.get("error_code")
        known = remediation.for_error_code(code if isinstance(code, int) else None)
        text = item.get("message") or item.get("description")
        if not text and known is not None:
            text = known.explanation
        field = known.field if known is not None else None
        errors.append(error(str(text or f"error {code}"), code=code, field=field))
    return Fail(errors)


# --- Messaging -------------------------------------------------------------------------


def create_brand(run: Run, step: Step, a: CreateBrand) -> Result:
    gw = run.gateway
    profile, trust = run.sid(a.profile_step), run.sid(a.trust_step)

    def lookup() -> Record | None:
        hits = [
            b
            for b in gw.list_brands()
            if b.get("customer_profile_bundle_sid") == profile
            and b.get("a2p_profile_bundle_sid") == trust
        ]
        return _newest(hits)

    rec = _create(
        run,
        step,
        lookup,
        lambda: gw.create_brand(
            customer_profile_bundle_sid=profile,
            a2p_profile_bundle_sid=trust,
            brand_type=a.brand_type,
            mock=True if a.mock else None,
            skip_automatic_sec_vet=a.skip_automatic_sec_vet,
        ),
        fee=True,
    )
    return Done(rec["sid"], rec.get("status"), record=rec)


def messaging_service(run: Run, step: Step, a: MessagingService) -> Result:
    gw = run.gateway
    if a.sid is not None:
        rec = gw.fetch_service(a.sid)
        return Done(rec["sid"], record=rec)
    name = a.friendly_name or run.name
    started = run.started_at(step.name)

    def lookup() -> Record | None:
        hits = [s for s in gw.list_services() if s.get("friendly_name") == name]
        fresh = [s for s in hits if run.created_since(s, started)]
        return _newest(fresh)

    rec = _create(
        run,
        step,
        lookup,
        lambda: gw.create_service(
            friendly_name=name,
            inbound_request_url=a.inbound_request_url,
            fallback_url=a.fallback_url,
        ),
    )
    return Done(rec["sid"], record=rec)


def brand_gate(run: Run, step: Step, a: BrandGate) -> Result:
    from a2pctl import remediation

    brand = run.gateway.fetch_brand(run.sid(a.brand_step))
    run.remember(brand["sid"], "brand", brand.get("status"), brand)
    status, identity = brand.get("status"), brand.get("identity_status")
    if status == "APPROVED" and (not a.identity or identity in a.identity):
        return Done(brand["sid"], status, data={"identity_status": identity})
    requested = run.record(RESUBMIT_BRAND)
    if status == "FAILED" and requested is not None and requested.status == "started":
        return _resubmit(run, brand)
    if brand.get("mock") and str(brand.get("brand_type")).upper() == "SOLE_PROPRIETOR":
        return Fail(
            [
                error(
                    f"brand {brand['sid']} is a mock sole-proprietor brand: Twilio sends it no "
                    "OTP and gives it no campaign, so the registration ends here",
                    field="brand.mock",
                    code="mock",
                )
            ]
        )
    advice = remediation.for_brand(brand)
    if advice.severity == "failed" or status in ("FAILED", "SUSPENDED"):
        brand_type = brand.get("brand_type")
        errors = [
            error(
                str(e.get("description") or e.get("message") or e),
                code=e.get("error_code") or e.get("code"),
                field=remediation.from_error(e, "brand", object_type=brand_type).field,
            )
            for e in (brand.get("errors") or [])
            if isinstance(e, dict)
        ]
        reason = brand.get("failure_reason")
        summary = f"brand {brand['sid']} is {status}" + (f": {reason}" if reason else "")
        hint = f" — {run.personal(advice.action)}" if advice.action else ""
        return Fail([error(summary + hint, code=status), *errors])
    detail = f"status {status}" + (f", identity {identity}" if identity else "")
    action = f"; {run.personal(advice.action)}" if advice.action else ""
    return Wait(f"brand {brand['sid']} ({detail}){action}")


def _resubmit(run: Run, brand: Record) -> Result:
    """The corrected bundles were submitted again: resubmit the FAILED brand (no new fee)."""
    if not brand.get("tcr_id"):
        return Fail(
            [
                error(
                    f"brand {brand['sid']} cannot be resubmitted: it never reached The Campaign "
                    "Registry (no tcr_id); contact Twilio Support",
                    code=21725,
                )
            ]
        )
    rec = run.gateway.resubmit_brand(brand["sid"])
    run.store.mark_done(run.name, run.account, RESUBMIT_BRAND)
    run.remember(brand["sid"], "brand", rec.get("status") or "PENDING", rec)
    return Wait(f"brand {brand['sid']} resubmitted with the corrected data; review pending")


def check_usecase(run: Run, step: Step, a: CheckUsecase) -> Result:
    offered = run.gateway.fetch_usecases(run.sid(a.service_step), run.sid(a.brand_step))
    codes = [str(u.get("code")) for u in offered]
    if a.usecase in codes:
        return Done()
    return Fail(
        [
            error(
                f"the brand is not offered use case {a.usecase}; offered: {', '.join(codes)}",
                field="campaign.us_app_to_person_usecase",
                code=21720,
            )
        ]
    )


def create_campaign(run: Run, step: Step, a: CreateCampaign) -> Result:
    gw = run.gateway
    service, brand = run.sid(a.service_step), run.sid(a.brand_step)
    existing = gw.list_campaigns(service)
    if existing and not any(c.get("brand_registration_sid") == brand for c in existing):
        return Fail(
            [
                error(
                    f"messaging service {service} already has a campaign of another brand "
                    f"({existing[0].get('brand_registration_sid')}); use a new service",
                    field="messaging_service",
                )
            ]
        )
    listed = [existing]  # the list just fetched serves as the first lookup

    def lookup() -> Record | None:
        campaigns = listed.pop() if listed else gw.list_campaigns(service)
        ours = [c for c in campaigns if c.get("brand_registration_sid") == brand]
        return _newest([c for c in ours if not deleted_campaign(run, c)])  # lists lag

    rec = _create(
        run,
        step,
        lookup,
        lambda: gw.create_campaign(service, brand_registration_sid=brand, **a.params),
        fee=True,
    )
    detail = dict(rec, messaging_service_sid=service)
    run.remember(campaign_key(service), "campaign", rec.get("campaign_status"), detail)
    data = {"campaign_id": rec.get("campaign_id"), "hash": fingerprint(a.params)}
    return Done(rec.get("sid"), rec.get("campaign_status"), data=data)


def resolve_number(run: Run, step: Step, a: ResolveNumber) -> Result:
    gw = run.gateway
    if _SID.match(a.number):
        rec = gw.fetch_incoming_number(a.number)
    else:
        hits = [
            n
            for n in gw.find_incoming_numbers(phone_number=a.number)
            if n.get("phone_number") == a.number
        ]
        if not hits:
            return Fail(
                [
                    error(
                        f"the account does not own {a.number}; buy it or fix the file",
                        field=f"phone_numbers[{run.number_index(a.number)}]",
                    )
                ]
            )
        rec = hits[0]
    run.remember(rec["sid"], "phone_number", None, {"phone_number": rec.get("phone_number")})
    return Done(rec["sid"], data={"phone_number": rec.get("phone_number")})


def attach_number(run: Run, step: Step, a: AttachNumber) -> Result:
    gw = run.gateway
    service, number = run.sid(a.service_step), run.sid(a.number_step)
    run.store.mark_started(run.name, run.account, step.name)
    try:
        gw.add_service_phone_number(service, number)
    except GatewayError as err:
        if err.code != ALREADY_IN_SERVICE and not err.ambiguous:
            raise
        if err.ambiguous and not any(
            p.get("sid") == number for p in gw.list_service_phone_numbers(service)
        ):
            gw.add_service_phone_number(service, number)
    resolved = run.record(a.number_step)
    phone = resolved.data.get("phone_number") if resolved else None
    run.remember(
        number, "phone_number", None, {"phone_number": phone, "messaging_service_sid": service}
    )
    return Done(number)


HANDLERS: dict[type, Callable[[Run, Step, Any], Result]] = {
    CreateBundle: create_bundle,
    CreateEndUser: create_end_user,
    CreateAddress: create_address,
    CreateDocument: create_document,
    Assign: assign,
    Evaluate: evaluate,
    Submit: submit,
    CheckSubmitted: check_submitted,
    CreateBrand: create_brand,
    MessagingService: messaging_service,
    BrandGate: brand_gate,
    CheckUsecase: check_usecase,
    CreateCampaign: create_campaign,
    ResolveNumber: resolve_number,
    AttachNumber: attach_number,
}


def perform(run: Run, step: Step) -> Result:
    action: Action = step.action
    return HANDLERS[type(action)](run, step, action)
