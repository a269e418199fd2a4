"""A customer file changed after a run: update what changed and resubmit.

Twilio's remediation for a rejected profile, bundle or brand (flows.md §2 1.9,
§4.3): correct the end user (the whole attributes object) or the address,
evaluate and submit the bundle again, then resubmit the brand. Nothing is
created twice: the existing EndUser and Address are updated in place, and the
bundle's evaluation and submission steps run again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from a2pctl.errors import UsageError
from a2pctl.flows.model import Assign, CreateAddress, CreateDocument, CreateEndUser, Step

if TYPE_CHECKING:
    from a2pctl.executor import Run

# Not a flow step: recorded `started` when a brand resubmission is due once the
# corrected bundles are submitted again; the brand gate performs it.
RESUBMIT_BRAND = "brand.resubmit"
# IsoCountry cannot be changed on an Address (endpoints.md §2.1).
FIXED_ADDRESS_FIELDS = ("iso_country",)


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
