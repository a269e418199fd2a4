"""TrustHub: bundles, end users, addresses, documents, assignments, evaluation, submission."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from a2pctl.engine.actions.results import (
    Done,
    Fail,
    Result,
    create_once,
    error,
    is_adopting,
    newest,
)
from a2pctl.engine.plan import bundle_contact
from a2pctl.flows.model import (
    Assign,
    CheckSubmitted,
    CreateAddress,
    CreateBundle,
    CreateDocument,
    CreateEndUser,
    Evaluate,
    Step,
    Submit,
    fingerprint,
)
from a2pctl.gateway import GatewayError
from a2pctl.gateway.records import Assignment, Document, EndUser

if TYPE_CHECKING:
    from a2pctl.engine.executor import Run

# A bundle in one of these statuses has been submitted already.
SUBMITTED = ("pending-review", "in-review", "twilio-approved")
SUBMIT_ATTEMPTS = 3  # submissions whose answer is lost, each looked at before the next


def create_bundle(run: Run, step: Step, a: CreateBundle) -> Result:
    gw = run.gateway
    rec = create_once(
        run,
        step,
        lambda: newest(
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
    # What Twilio holds, so that a file (or a found bundle) saying otherwise is noticed.
    contact = bundle_contact(rec.email, rec.status_callback)
    return Done(rec.sid, rec.status, data={"hash": fingerprint(contact)}, record=rec)


M = TypeVar("M", EndUser, Document)


def _match(records: list[M], friendly_name: str, type_: str) -> M | None:
    return newest([r for r in records if r.friendly_name == friendly_name and r.type == type_])


def create_end_user(run: Run, step: Step, a: CreateEndUser) -> Result:
    gw = run.gateway
    rec = create_once(
        run,
        step,
        lambda: _match(gw.list_end_users(), a.friendly_name, a.type),
        lambda: gw.create_end_user(
            friendly_name=a.friendly_name, type=a.type, attributes=a.attributes
        ),
    )
    return Done(rec.sid, data={"hash": fingerprint(a.attributes)})


def create_address(run: Run, step: Step, a: CreateAddress) -> Result:
    gw = run.gateway
    rec = create_once(
        run,
        step,
        lambda: newest(gw.list_addresses(friendly_name=a.friendly_name)),
        lambda: gw.create_address(friendly_name=a.friendly_name, **a.fields),
    )
    data = {"hash": fingerprint(a.fields), "iso_country": a.fields.get("iso_country")}
    return Done(rec.sid, data=data)


def create_document(run: Run, step: Step, a: CreateDocument) -> Result:
    gw = run.gateway
    attributes = {"address_sids": run.sid(a.address_step)}
    rec = create_once(
        run,
        step,
        lambda: _match(gw.list_supporting_documents(), a.friendly_name, a.type),
        lambda: gw.create_supporting_document(
            friendly_name=a.friendly_name, type=a.type, attributes=attributes
        ),
    )
    return Done(rec.sid)


def assign(run: Run, step: Step, a: Assign) -> Result:
    gw = run.gateway
    bundle = run.sid(a.bundle_step)
    obj = a.object_sid or run.sid(a.object_step or "")

    def lookup() -> Assignment | None:
        return next((r for r in gw.list_assignments(a.kind, bundle) if r.object_sid == obj), None)

    rec = create_once(run, step, lookup, lambda: gw.assign(a.kind, bundle, obj))
    return Done(rec.sid or None)


def evaluate(run: Run, step: Step, a: Evaluate) -> Result:
    from a2pctl.remediation import catalogue as remediation

    bundle = run.sid(a.bundle_step)
    run.store.mark_started(run.name, run.account, step.name)
    rec = run.gateway.evaluate(a.kind, bundle, a.policy_sid)
    run.remember(bundle, a.kind, None, {"evaluation": rec.as_detail()}, keep_status=True)
    if rec.status == "compliant":
        return Done(rec.sid or None, "compliant")
    problems = _most_specific(remediation.evaluation_problems(rec.as_detail())) or [
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
    if record is not None or is_adopting(run):  # it may have gone through already
        current = gw.fetch_bundle(a.kind, bundle)
        if current.status in SUBMITTED:
            run.remember(bundle, a.kind, current.status, current.as_detail())
            return Done(bundle, current.status, record=current)
    run.store.mark_started(run.name, run.account, step.name)
    for attempt in range(1, SUBMIT_ATTEMPTS + 1):
        try:
            rec = gw.update_bundle(a.kind, bundle, status="pending-review")
            break
        except GatewayError as err:
            if not err.ambiguous or attempt == SUBMIT_ATTEMPTS:
                raise
        # The answer was lost (or a 5xx came back): look before submitting again, as
        # Twilio refuses a second submission of a bundle under review.
        rec = gw.fetch_bundle(a.kind, bundle)
        if rec.status in SUBMITTED:
            break
    run.remember(bundle, a.kind, rec.status, rec.as_detail())
    return Done(bundle, rec.status, record=rec)


def check_submitted(run: Run, step: Step, a: CheckSubmitted) -> Result:
    from a2pctl.remediation import catalogue as remediation

    bundle = run.sid(a.bundle_step)
    rec = run.gateway.fetch_bundle(a.kind, bundle)
    status = rec.status
    run.remember(bundle, a.kind, status, rec.as_detail())
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
    for item in rec.errors:  # one shape (gateway/records.py)
        known = remediation.for_error_code(item.code)
        text = known.explanation if known and item.description == f"error {item.code}" else None
        field = known.field if known is not None else None
        errors.append(error(text or item.description, code=item.code, field=field))
    return Fail(errors)
