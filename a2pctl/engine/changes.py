"""A customer file changed after a run: update what changed and resubmit.

Twilio's remediation for a rejected profile, bundle or brand (docs/twilio/flows.md
§2 step 1.9, §4.3): correct the end user (the whole attributes object) or the address,
evaluate and submit the bundle again, then resubmit the brand. Nothing is
created twice: the existing EndUser and Address are updated in place, and the
bundle's evaluation and submission steps run again. A FAILED campaign is edited
in place (docs/twilio/flows.md §3 step 5.4), or deleted and created anew when its use case
changed or its rejection cannot be resubmitted, 5 s apart as documented.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from a2pctl.engine.plan import changed, sent_data
from a2pctl.errors import UsageError
from a2pctl.flows.model import (
    Assign,
    BundleKind,
    CheckUsecase,
    CreateAddress,
    CreateCampaign,
    CreateDocument,
    CreateEndUser,
    Step,
    fingerprint,
)
from a2pctl.gateway import GatewayError, Record
from a2pctl.state.store import campaign_key

if TYPE_CHECKING:
    from a2pctl.engine.executor import Run

# Not flow steps: RESUBMIT_BRAND is recorded `started` when a brand resubmission is
# due once the corrected bundles are submitted again (the brand gate performs it);
# CAMPAIGN_DELETED is recorded `started` before the DELETE and done after it, the 5 s
# rule counting from then. It keeps which campaign it deleted (`gone`: every campaign's
# `sid` is the same compliance SID, its creation time tells them apart), so no later
# run adopts that one from a list that still shows it.
RESUBMIT_BRAND = "brand.resubmit"
CAMPAIGN_DELETED = "campaign.deleted"
# Bundles Twilio lets change (60711 otherwise: in-review and twilio-approved are locked).
EDITABLE_BUNDLE = ("draft", "twilio-rejected")
REVIEW_PARTS = ("evaluation", "submit", "check")
# IsoCountry cannot be changed on an Address (docs/twilio/endpoints.md §2.1).
FIXED_ADDRESS_FIELDS = ("iso_country",)
# At least 5 s between deleting a campaign and creating one on the same service.
RECREATE_PAUSE_SECONDS = 5.0
# Rejections that cannot be resubmitted: delete and create anew (docs/twilio/flows.md §3 step 5.4).
NOT_RESUBMITTABLE = frozenset({30882, 30883, 30884, 30885, 30897})
# What a campaign edit sends (the Usa2p update operation's parameters).
EDITABLE_CAMPAIGN_FIELDS = (
    "has_embedded_links",
    "has_embedded_phone",
    "message_samples",
    "message_flow",
    "description",
    "age_gated",
    "direct_lending",
    "privacy_policy_url",
    "terms_and_conditions_url",
)


def _bundles_holding(run: Run, step: Step) -> set[str]:
    """The bundle steps an object ends up in (an address through its document)."""
    objects = {step.name}
    for other in run.flow.steps:
        if isinstance(other.action, CreateDocument) and other.action.address_step == step.name:
            objects.add(other.name)
    return {
        other.action.bundle_step
        for other in run.flow.steps
        if isinstance(other.action, Assign) and other.action.object_step in objects
    }


def apply_changes(run: Run) -> list[str]:
    """Send what changed in the file since it was registered; returns notices."""
    notices = _update_objects(run)
    notices += _resubmit_rejected_bundles(run)
    campaign = _finish_campaign_deletion(run) or _edit_campaign(run)
    if campaign:
        notices.append(campaign)
    return notices


def _changed_objects(run: Run) -> list[tuple[Step, str, str]]:
    """(step, SID, new fingerprint) of each end user or address the file changed."""
    found = []
    for step in run.flow.steps:
        record, action = run.record(step.name), step.action
        if record is None or record.status != "done" or not record.sid:
            continue
        if not isinstance(action, (CreateEndUser, CreateAddress)) or not changed(step, record):
            continue
        new_hash = fingerprint(sent_data(step))
        if isinstance(action, CreateAddress):
            country = record.data.get("iso_country")
            if country and country != action.fields.get("iso_country"):
                raise UsageError(
                    f"address.iso_country cannot change once the address exists ({country})",
                    field="address.iso_country",
                    hint="Twilio does not update an address's country; register a new customer",
                )
        found.append((step, record.sid, new_hash))
    return found


def _kind(bundle_step: str) -> BundleKind:
    """A bundle step is named after its kind (flows/common.py `bundle_step`)."""
    if bundle_step == "customer_profile":
        return "customer_profile"
    if bundle_step == "trust_product":
        return "trust_product"
    raise ValueError(f"not a bundle step: {bundle_step}")


def _reset_review(run: Run, bundles: set[str]) -> None:
    steps = [f"{bundle}.{part}" for bundle in sorted(bundles) for part in REVIEW_PARTS]
    run.store.reset_steps(run.name, run.account, steps)


def _update_objects(run: Run) -> list[str]:
    """Update changed end users and addresses in bundles Twilio lets change."""
    pending = _changed_objects(run)
    if not pending:
        return []
    status = {
        bundle: run.gateway.fetch_bundle(_kind(bundle), run.sid(bundle)).get("status")
        for step, _, _ in pending
        for bundle in _bundles_holding(run, step)
    }
    notices, ready = [], []
    for step, sid, new_hash in pending:
        locked = [b for b in _bundles_holding(run, step) if status[b] not in EDITABLE_BUNDLE]
        if locked:
            what = ", ".join(f"the {b.replace('_', ' ')} is {status[b]}" for b in locked)
            notices.append(
                f"{step.title}: changed in the file but not sent: {what}, and Twilio accepts "
                "changes only while a bundle is draft or twilio-rejected"
            )
        else:
            ready.append((step, sid, new_hash))
    if not ready:
        return notices
    # The intent first: should this run die midway, the bundles are still evaluated and
    # submitted again, and the brand resubmitted, on the next run.
    _reset_review(run, {b for step, _, _ in ready for b in _bundles_holding(run, step)})
    brand = run.record("brand")
    if brand is not None and brand.status == "done":
        run.store.mark_started(run.name, run.account, RESUBMIT_BRAND)
    for step, sid, new_hash in ready:
        if isinstance(step.action, CreateEndUser):
            run.gateway.update_end_user(sid, attributes=step.action.attributes)
        elif isinstance(step.action, CreateAddress):
            fields = step.action.fields
            fixed = {k: v for k, v in fields.items() if k not in FIXED_ADDRESS_FIELDS}
            run.gateway.update_address(sid, **fixed)
        record = run.record(step.name)
        data = {**(record.data if record else {}), "hash": new_hash}
        run.store.mark_done(run.name, run.account, step.name, sid=sid, data=data)
        notices.append(f"{step.title}: updated from the changed file")
    run.refresh()
    return notices


def _resubmit_rejected_bundles(run: Run) -> list[str]:
    """Before a brand is resubmitted, every rejected bundle is evaluated and submitted
    again: a brand resubmitted over a rejected bundle fails again (and uses one of
    Twilio's three free resubmissions)."""
    requested = run.record(RESUBMIT_BRAND)
    if requested is None or requested.status != "started":
        return []
    notices = []
    for kind in ("customer_profile", "trust_product"):
        bundle, submitted = run.record(kind), run.record(f"{kind}.submit")
        if bundle is None or not bundle.sid or submitted is None or submitted.status != "done":
            continue  # being submitted again already
        if run.gateway.fetch_bundle(kind, bundle.sid).get("status") == "twilio-rejected":
            _reset_review(run, {kind})
            notices.append(
                f"the {kind.replace('_', ' ')} is twilio-rejected: it is evaluated and "
                "submitted again before the brand is resubmitted"
            )
    run.refresh()
    return notices


def _campaign_step(run: Run) -> Step | None:
    return next((s for s in run.flow.steps if isinstance(s.action, CreateCampaign)), None)


def _edit_campaign(run: Run) -> str | None:
    """A FAILED campaign whose section changed is edited in place, or deleted and
    created anew when its use case changed or its rejection cannot be resubmitted."""
    step = _campaign_step(run)
    record = run.record(step.name) if step else None
    if step is None or record is None or record.status != "done":
        return None
    assert isinstance(step.action, CreateCampaign)
    params = step.action.params
    if not changed(step, record):
        return None
    new_hash = fingerprint(params)
    service = run.sid(step.action.service_step)
    campaign = run.gateway.fetch_campaign(service)
    status = campaign.get("campaign_status")
    _remember_campaign(run, service, campaign)
    if status != "FAILED":
        return (
            f"campaign is {status}: Twilio takes edits of a FAILED campaign only, so the "
            "changed campaign section was not sent"
        )
    codes = {e.get("error_code") for e in campaign.get("errors") or [] if isinstance(e, dict)}
    usecase = params.get("us_app_to_person_usecase")
    if campaign.get("us_app_to_person_usecase") != usecase or codes & NOT_RESUBMITTABLE:
        _replace_campaign(run, step, service, campaign)
        why = (
            "its use case changed"
            if codes.isdisjoint(NOT_RESUBMITTABLE)
            else ("its rejection cannot be resubmitted")
        )
        return f"FAILED campaign deleted ({why}); a new one follows after 5 s"
    edit: dict[str, Any] = {name: params.get(name) for name in EDITABLE_CAMPAIGN_FIELDS}
    for flag in ("age_gated", "direct_lending"):  # required on update
        edit[flag] = bool(edit[flag])
    rec = run.gateway.update_campaign(service, **edit)
    run.store.mark_done(
        run.name, run.account, step.name, sid=record.sid, data={**record.data, "hash": new_hash}
    )
    _remember_campaign(run, service, rec)
    return "FAILED campaign edited from the changed file and resubmitted"


def _replace_campaign(run: Run, step: Step, service: str, campaign: Record) -> None:
    """Record the deletion (and that the campaign is to be created again) before sending
    it, so a kill in between cannot leave a registration that believes in a campaign."""
    usecase_checks = [s.name for s in run.flow.steps if isinstance(s.action, CheckUsecase)]
    run.store.reset_steps(run.name, run.account, [*usecase_checks, step.name])
    gone = {"date_created": campaign.get("date_created")}
    run.store.mark_started(run.name, run.account, CAMPAIGN_DELETED, data=gone)
    _delete_campaign(run, service, gone)


def deleted_campaign(run: Run, campaign: Record) -> bool:
    """Whether `campaign` is the one this registration deleted (or is deleting)."""
    marker = run.record(CAMPAIGN_DELETED)
    created = campaign.get("date_created")
    return marker is not None and created is not None and marker.data == {"date_created": created}


def _finish_campaign_deletion(run: Run) -> str | None:
    """A deletion a killed run recorded but may not have sent: sent now, unless the
    service has since got another campaign (that one is left alone)."""
    marker, step = run.record(CAMPAIGN_DELETED), _campaign_step(run)
    if marker is None or marker.status != "started" or step is None:
        return None
    assert isinstance(step.action, CreateCampaign)
    service = run.sid(step.action.service_step)
    try:
        current: Record | None = run.gateway.fetch_campaign(service)
    except GatewayError as err:
        if err.status != 404:
            raise
        current = None
    if current is not None and not deleted_campaign(run, current):
        _delete_campaign(run, None, marker.data)
        return None
    _delete_campaign(run, service, marker.data)
    return "the campaign deletion a stopped run began is finished; a new one follows after 5 s"


def _delete_campaign(run: Run, service: str | None, gone: dict[str, Any]) -> None:
    """DELETE the service's campaign (None: it is gone already), then record it done."""
    if service is not None:
        try:
            run.gateway.delete_campaign(service)
        except GatewayError as err:
            if err.status != 404:  # already gone: what we wanted
                raise
    run.store.mark_done(run.name, run.account, CAMPAIGN_DELETED, data=gone)
    run.refresh()


def _remember_campaign(run: Run, service: str, campaign: Record) -> None:
    detail = dict(campaign, messaging_service_sid=service)
    run.remember(campaign_key(service), "campaign", campaign.get("campaign_status"), detail)
