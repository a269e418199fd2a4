"""A customer file changed after a run: update what changed and resubmit.

Twilio's remediation for a rejected profile, bundle or brand (flows.md §2 1.9,
§4.3): correct the end user (the whole attributes object) or the address,
evaluate and submit the bundle again, then resubmit the brand. Nothing is
created twice: the existing EndUser and Address are updated in place, and the
bundle's evaluation and submission steps run again. A FAILED campaign is edited
in place (flows.md §3 5.4), or deleted and created anew when its use case
changed or its rejection cannot be resubmitted, 5 s apart as documented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from a2pctl.errors import UsageError
from a2pctl.flows.model import (
    Assign,
    CheckUsecase,
    CreateAddress,
    CreateCampaign,
    CreateDocument,
    CreateEndUser,
    Step,
)

if TYPE_CHECKING:
    from a2pctl.executor import Run

# Not a flow step: recorded `started` when a brand resubmission is due once the
# corrected bundles are submitted again; the brand gate performs it.
RESUBMIT_BRAND = "brand.resubmit"
# IsoCountry cannot be changed on an Address (endpoints.md §2.1).
FIXED_ADDRESS_FIELDS = ("iso_country",)
# At least 5 s between deleting a campaign and creating one on the same service.
RECREATE_PAUSE_SECONDS = 5.0
# Rejections that cannot be resubmitted: delete and create anew (flows.md §3 5.4).
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


@dataclass(frozen=True)
class Changes:
    notices: list[str]  # what was done (or could not be), for the progress view
    delay: float = 0.0  # seconds to wait before the next step (a deleted campaign)


def apply_changes(run: Run) -> Changes:
    """Send what changed in the file since it was registered: see the module docstring."""
    notices = [f"{title}: updated from the changed file" for title in _update_objects(run)]
    campaign_notice, delay = _edit_campaign(run)
    if campaign_notice:
        notices.append(campaign_notice)
    return Changes(notices, delay)


def _update_objects(run: Run) -> list[str]:
    """Update changed end users and addresses; returns the titles of what changed."""
    changed: list[str] = []
    bundles: set[str] = set()
    for step in run.flow.steps:
        record = run.record(step.name)
        action = step.action
        if record is None or record.status != "done" or not record.sid:
            continue
        if isinstance(action, CreateEndUser):
            new_hash = run.hash_of(action.attributes)
            if record.data.get("hash") in (None, new_hash):
                continue
            run.gateway.update_end_user(record.sid, attributes=action.attributes)
        elif isinstance(action, CreateAddress):
            new_hash = run.hash_of(action.fields)
            if record.data.get("hash") in (None, new_hash):
                continue
            country = record.data.get("iso_country")
            if country and country != action.fields.get("iso_country"):
                raise UsageError(
                    f"address.iso_country cannot change once the address exists ({country})",
                    field="address.iso_country",
                    hint="Twilio does not update an address's country; register a new customer",
                )
            fields = {k: v for k, v in action.fields.items() if k not in FIXED_ADDRESS_FIELDS}
            run.gateway.update_address(record.sid, **fields)
        else:
            continue
        run.store.mark_done(
            run.name,
            run.account,
            step.name,
            sid=record.sid,
            data={**record.data, "hash": new_hash},
        )
        changed.append(step.title)
        bundles |= _bundles_holding(run, step)
    if not changed:
        return changed
    again = [f"{bundle}.{part}" for bundle in sorted(bundles) for part in ("evaluation", "submit")]
    run.store.reset_steps(run.name, run.account, again)
    brand = run.record("brand")
    if brand is not None and brand.status == "done":
        run.store.mark_started(run.name, run.account, RESUBMIT_BRAND)
    run.refresh()
    return changed


def _edit_campaign(run: Run) -> tuple[str | None, float]:
    """A FAILED campaign whose section changed is edited in place, or deleted and
    created anew when its use case changed or its rejection cannot be resubmitted."""
    step = next((s for s in run.flow.steps if isinstance(s.action, CreateCampaign)), None)
    record = run.record(step.name) if step else None
    if step is None or record is None or record.status != "done":
        return None, 0.0
    assert isinstance(step.action, CreateCampaign)
    params = step.action.params
    new_hash = run.hash_of(params)
    if record.data.get("hash") in (None, new_hash):
        return None, 0.0
    service = run.sid(step.action.service_step)
    campaign = run.gateway.fetch_campaign(service)
    status = campaign.get("campaign_status")
    run.remember(
        f"campaign:{service}", "campaign", status, dict(campaign, messaging_service_sid=service)
    )
    if status != "FAILED":
        return (
            f"campaign is {status}: Twilio takes edits of a FAILED campaign only, so the "
            "changed campaign section was not sent",
            0.0,
        )
    codes = {e.get("error_code") for e in campaign.get("errors") or [] if isinstance(e, dict)}
    usecase = params.get("us_app_to_person_usecase")
    if campaign.get("us_app_to_person_usecase") != usecase or codes & NOT_RESUBMITTABLE:
        run.gateway.delete_campaign(service)
        usecase_checks = [s.name for s in run.flow.steps if isinstance(s.action, CheckUsecase)]
        run.store.reset_steps(run.name, run.account, [*usecase_checks, step.name])
        run.refresh()
        why = (
            "its use case changed"
            if codes.isdisjoint(NOT_RESUBMITTABLE)
            else ("its rejection cannot be resubmitted")
        )
        return f"FAILED campaign deleted ({why}); a new one follows", RECREATE_PAUSE_SECONDS
    edit: dict[str, Any] = {name: params.get(name) for name in EDITABLE_CAMPAIGN_FIELDS}
    for flag in ("age_gated", "direct_lending"):  # required on update
        edit[flag] = bool(edit[flag])
    rec = run.gateway.update_campaign(service, **edit)
    run.store.mark_done(
        run.name, run.account, step.name, sid=record.sid, data={**record.data, "hash": new_hash}
    )
    run.remember(
        f"campaign:{service}",
        "campaign",
        rec.get("campaign_status"),
        dict(rec, messaging_service_sid=service),
    )
    return "FAILED campaign edited from the changed file and resubmitted", 0.0
