"""The reconciler: the customer file (desired) × the store (what we did) × Twilio (what
is) → the fixes a re-run sends, as typed actions.

Pure: `plan` calls it with what the store last heard (polls and Event Streams) and
sends nothing; `register` calls it with the same records plus a few fresh GETs and
executes exactly the fixes it returns (`engine/fixes.py`). Every path below is one
Twilio documents; the sources are in docs/twilio/remediation.md:

- an end user, address or bundle `Email`/`StatusCallback` changed in the file is
  updated in place while its bundles can be edited (draft, twilio-rejected), then the
  bundles are evaluated and submitted again (bundles in review or approved refuse
  edits: 60711);
- a FAILED brand is corrected through its bundles: approved bundles are set back to
  draft, corrected, submitted again, and the brand resubmitted (60723, 21725), at most
  three times through the API (21724); a FAILED brand that never reached The Campaign
  Registry (no `tcr_id`) cannot be resubmitted: it is deleted in the Console, then a
  new brand is created;
- a FAILED campaign is edited in place when the update operation carries every
  changed field, else (use case changed, a field the update lacks, a rejection that
  cannot be resubmitted) deleted and created anew 5 s later;
- what Twilio documents no fix for ends in a `stop` that says what a person must do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from a2pctl.engine.plan import changed, sent_data
from a2pctl.flows.model import (
    Assign,
    CreateAddress,
    CreateBundle,
    CreateCampaign,
    CreateDocument,
    Flow,
    Step,
)
from a2pctl.gateway.records import Brand, Campaign

if TYPE_CHECKING:  # the records are input, read here, never the store
    from a2pctl.state.store import StepRecord

FixKind = Literal[
    "finish_campaign_delete",
    "reopen_bundle",
    "update_end_user",
    "update_address",
    "update_bundle",
    "resubmit_bundle",
    "resubmit_brand",
    "new_brand",
    "edit_campaign",
    "recreate_campaign",
    "hold",
    "stop",
]
# Fixes that can cost a fee: a brand resubmission or a new brand (TCR), a campaign
# edited (resubmitted for vetting) or created anew.
FEE_KINDS = frozenset({"resubmit_brand", "new_brand", "edit_campaign", "recreate_campaign"})

# Not flow steps, kept in the store beside them. RESUBMIT_BRAND is recorded `started`
# (with the running count of resubmissions) when a brand resubmission is due once the
# corrected bundles are submitted again; the brand gate sends it. CAMPAIGN_DELETED is
# recorded `started` before a campaign DELETE and done after it (the 5 s rule counts
# from then), keeping which campaign it deleted: every campaign's `sid` is the same
# compliance SID, its creation time tells them apart. BRAND_REPLACED keeps the brands
# deleted in the Console, which a new brand's look-up must never adopt.
RESUBMIT_BRAND = "brand.resubmit"
CAMPAIGN_DELETED = "campaign.deleted"
BRAND_REPLACED = "brand.replaced"
# A brand Twilio answers 404 for: deleted in the Console (the only place that can).
DELETED = "DELETED"
# Bundles Twilio lets change (60711 otherwise: in review and approved are locked).
EDITABLE_BUNDLE = ("draft", "twilio-rejected")
# A bundle that can be set back to draft for a correction (the brand having FAILED).
REOPENABLE_BUNDLE = ("twilio-approved",)
REVIEW_PARTS = ("evaluation", "submit", "check")
# Twilio takes at most three brand resubmissions through the API (21724 after that).
MAX_BRAND_RESUBMISSIONS = 3
# Rejections that cannot be resubmitted: delete and create anew.
NOT_RESUBMITTABLE = frozenset({30882, 30883, 30884, 30885, 30897})
# The Usa2p update operation's parameters (UpdateUsAppToPerson): all it can change.
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


@dataclass(frozen=True)
class Fix:
    """One typed action of a re-run: what it acts on (a flow step), what a person reads."""

    kind: FixKind
    target: str
    title: str

    @property
    def fee(self) -> bool:
        return self.kind in FEE_KINDS


@dataclass(frozen=True)
class Observed:
    """What is known of Twilio's side: bundle statuses by bundle step, the brand and the
    campaign records (fresh from a GET, or last heard by the store)."""

    bundles: Mapping[str, str | None] = field(default_factory=dict)
    brand: Brand | None = None
    campaign: Campaign | None = None


def bundles_holding(flow: Flow, step: Step) -> set[str]:
    """The bundle steps an object ends up in (an address through its document)."""
    if isinstance(step.action, CreateBundle):
        return {step.name}
    objects = {step.name}
    for other in flow.steps:
        if isinstance(other.action, CreateDocument) and other.action.address_step == step.name:
            objects.add(other.name)
    return {
        other.action.bundle_step
        for other in flow.steps
        if isinstance(other.action, Assign) and other.action.object_step in objects
    }


def resubmissions(records: Mapping[str, StepRecord]) -> int:
    marker = records.get(RESUBMIT_BRAND)
    return int(marker.data.get("count", 0)) if marker is not None else 0


def changed_steps(flow: Flow, records: Mapping[str, StepRecord]) -> list[Step]:
    """Done steps whose data the file now changes (end users, addresses, bundles, campaign)."""
    return [
        step
        for step in flow.steps
        if (record := records.get(step.name)) is not None
        and record.status == "done"
        and changed(step, record)
    ]


def needs_observation(flow: Flow, records: Mapping[str, StepRecord]) -> bool:
    """Whether a re-run has anything to reconcile (else it sends no extra request)."""
    deleting = records.get(CAMPAIGN_DELETED)
    return bool(changed_steps(flow, records)) or (
        deleting is not None and deleting.status == "started"
    )


def reconcile(flow: Flow, records: Mapping[str, StepRecord], seen: Observed) -> list[Fix]:
    """The fixes that bring Twilio in line with the file, in the order they are sent."""
    fixes: list[Fix] = []
    deleting = records.get(CAMPAIGN_DELETED)
    if deleting is not None and deleting.status == "started":
        fixes.append(
            Fix("finish_campaign_delete", "campaign", "finish the campaign deletion a run began")
        )
    brand = seen.brand
    # A deleted brand is corrected like a FAILED one, then registered anew.
    brand_failed = brand is not None and brand.status in ("FAILED", DELETED)
    reopen: set[str] = set()
    review: set[str] = set()
    updates: list[Fix] = []
    campaign_step: Step | None = None
    for step in changed_steps(flow, records):
        if isinstance(step.action, CreateCampaign):
            campaign_step = step
            continue
        holders = bundles_holding(flow, step)
        statuses = {b: seen.bundles.get(b) for b in holders}
        locked = {b for b, s in statuses.items() if s not in EDITABLE_BUNDLE}
        reopenable = {b for b in locked if brand_failed and statuses[b] in REOPENABLE_BUNDLE}
        if locked - reopenable:
            what = ", ".join(
                f"the {b.replace('_', ' ')} is {statuses[b] or 'in an unknown state'}"
                for b in sorted(locked - reopenable)
            )
            updates.append(
                Fix(
                    "hold",
                    step.name,
                    f"{step.title}: changed in the file but not sent: {what}, and Twilio "
                    "accepts changes only while a bundle is draft or twilio-rejected (or, "
                    "after a FAILED brand, set back to draft)",
                )
            )
            continue
        reopen |= reopenable
        review |= holders
        kind: FixKind = (
            "update_bundle"
            if isinstance(step.action, CreateBundle)
            else "update_address"
            if isinstance(step.action, CreateAddress)
            else "update_end_user"
        )
        updates.append(Fix(kind, step.name, f"update {step.title.lower()} from the file"))
    data_fixed = bool(review)
    if brand_failed and data_fixed:
        # The brand is resubmitted over both bundles: a rejected one goes back too.
        review |= {b for b, s in seen.bundles.items() if s == "twilio-rejected"}
    fixes += [
        Fix("reopen_bundle", b, f"set the {b.replace('_', ' ')} back to draft to correct it")
        for b in sorted(reopen)
    ]
    fixes += updates
    fixes += [
        Fix("resubmit_bundle", b, f"evaluate and submit the {b.replace('_', ' ')} again")
        for b in sorted(review)
    ]
    if brand is not None and brand_failed and data_fixed:
        fixes.append(_brand_fix(brand, resubmissions(records)))
    if campaign_step is not None:
        fixes.append(_campaign_fix(campaign_step, seen.campaign))
    return fixes


def _brand_fix(brand: Brand, done: int) -> Fix:
    sid = brand.sid or None
    if brand.status == DELETED:
        return Fix(
            "new_brand",
            "brand",
            f"create a new brand on the corrected bundles (brand {sid} was deleted)",
        )
    if not brand.tcr_id:
        return Fix(
            "stop",
            "brand",
            f"brand {sid} FAILED before it reached The Campaign Registry (no tcr_id), so "
            "Twilio refuses to resubmit it (21725): delete it in the Console (Messaging › "
            "Regulatory Compliance › Brands), then re-run register, which creates a new "
            "brand (fee) on the corrected bundles",
        )
    if done >= MAX_BRAND_RESUBMISSIONS:
        return Fix(
            "stop",
            "brand",
            f"brand {sid} was resubmitted {done} times, the most Twilio takes through the "
            "API (21724): contact Twilio Support to resubmit it",
        )
    return Fix(
        "resubmit_brand",
        "brand",
        f"resubmit brand {sid} with the corrected bundles "
        f"(resubmission {done + 1} of {MAX_BRAND_RESUBMISSIONS})",
    )


def campaign_changes(step: Step, campaign: Campaign) -> set[str]:
    """The campaign parameters the file sets differently from Twilio's record."""
    params = sent_data(step) or {}
    return {
        name for name, value in params.items() if _normal(value) != _normal(campaign.sent(name))
    }


def _normal(value: Any) -> Any:
    if value in (None, [], ""):
        return None
    return value


def _campaign_fix(step: Step, campaign: Campaign | None) -> Fix:
    if campaign is None:
        return Fix(
            "hold",
            step.name,
            "campaign section changed: sent once Twilio's review of the campaign has FAILED "
            "(its status is not known yet)",
        )
    status = campaign.campaign_status
    if status != "FAILED":
        return Fix(
            "hold",
            step.name,
            f"campaign is {status}: Twilio takes edits of a FAILED campaign only, so the "
            "changed campaign section is not sent",
        )
    codes = {e.code for e in campaign.errors}
    fields = campaign_changes(step, campaign)
    fixed = fields - set(EDITABLE_CAMPAIGN_FIELDS)
    if codes & NOT_RESUBMITTABLE:
        why = "its rejection cannot be resubmitted"
    elif "us_app_to_person_usecase" in fields:
        why = "its use case changed"
    elif fixed:
        why = f"the update operation cannot change {', '.join(sorted(fixed))}"
    else:
        return Fix("edit_campaign", step.name, "edit the FAILED campaign and resubmit it")
    return Fix(
        "recreate_campaign",
        step.name,
        f"delete the FAILED campaign and create it anew 5 s later ({why})",
    )
