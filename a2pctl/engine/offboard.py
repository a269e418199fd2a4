"""Taking a customer off, in Twilio's documented order, previewed and resumable.

What Twilio documents (docs/twilio/flows.md §4.3–4.5, docs/twilio/endpoints.md §3.4–3.6, the Sole
Proprietor walkthrough §5.2):
1. each number out of the messaging service: `DELETE /v1/Services/{MG}/PhoneNumbers/{PN}`
   (the number deregisters from the campaign: PENDING_DEREGISTRATION, then UNREGISTERED);
2. the campaign deleted: `DELETE /v1/Services/{MG}/Compliance/Usa2p/QE2c68…` (final: a
   new campaign on the service is a new registration, with a new vetting fee);
3. the brand: Twilio documents no API to delete one ("Brand deletion is Console-only";
   mock brands cannot be deleted and expire after 30 days) — kept, and said so;
4. the bundles: `DELETE /v1/CustomerProfiles/{BU}` and `/v1/TrustProducts/{BU}` exist,
   but nothing documents deleting the bundles a brand is built on — kept while the brand
   exists; deleted (trust product first) only when no brand was ever created, and not
   while in review (Twilio deletes bundles in draft, approved or rejected status).
The messaging service is kept: it is free, and holds nothing once its campaign and
numbers are gone.

Every DELETE is recorded `started` before it is sent and done after; a 404 means it is
gone already. A re-run after a kill sends what is not done, nothing twice. Once all is
done the registration is marked deregistered: `register` then refuses its file until
`forget` clears its records (its bundles and brand are found again by `register`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from a2pctl.engine.reconcile import CAMPAIGN_DELETED
from a2pctl.errors import UsageError
from a2pctl.gateway import BundleKind, Gateway, GatewayError
from a2pctl.gateway.records import Campaign
from a2pctl.state.markers import DEREGISTERED, deregistered_at
from a2pctl.state.store import StepRecord, Store, campaign_key

Kind = Literal["remove_number", "delete_campaign", "delete_bundle", "keep"]
State = Literal["todo", "done", "kept"]

STEP_PREFIX = "deregister."
IN_REVIEW = frozenset({"pending-review", "in-review"})
BRAND_KEPT = (
    "Twilio documents no API to delete a brand (the Console only): it stays registered with TCR"
)
MOCK_BRAND_KEPT = "mock brands cannot be deleted: Twilio lets them expire after 30 days"
SERVICE_KEPT = "kept: free, and empty once its campaign and numbers are gone"


@dataclass(frozen=True)
class Change:
    """One thing deregistration does, or keeps, with why."""

    kind: Kind
    what: str  # for people: "+12065550140 (PN…) out of messaging service MG…"
    state: State
    sid: str | None = None
    note: str | None = None
    service: str | None = None
    bundle: BundleKind | None = None
    step: str | None = None  # the step that records it in the store
    gone: dict[str, Any] = field(default_factory=dict)  # the deleted campaign's identity


@dataclass
class Offboarding:
    name: str
    account: str
    changes: list[Change]
    outcome: str = "planned"  # planned | deregistered | failed
    errors: list[dict[str, Any]] = field(default_factory=list)
    already: bool = False  # deregistered before this run

    @property
    def todo(self) -> list[Change]:
        return [c for c in self.changes if c.state == "todo"]


# --- the preview --------------------------------------------------------------------------


def preview(store: Store, gateway: Gateway, name: str, account: str) -> Offboarding:
    """What deregistering would do, from the store and a few GETs (nothing changes)."""
    steps = store.steps(name, account)
    plan = Offboarding(name, account, [], already=deregistered_at(store, name, account) is not None)
    service = steps["messaging_service"].sid if "messaging_service" in steps else None
    plan.changes += _numbers(steps, gateway, service)
    if service is not None:
        plan.changes += _campaign(steps, gateway, service)
    brand = steps["brand"].sid if "brand" in steps else None
    if brand is not None:
        plan.changes.append(_brand(gateway, brand))
    plan.changes += _bundles(steps, gateway, brand)
    if service is not None:
        plan.changes.append(Change("keep", f"messaging service {service}", "kept", service,
                                   SERVICE_KEPT))  # fmt: skip
    return plan


def _numbers(steps: dict[str, StepRecord], gateway: Gateway, service: str | None) -> list[Change]:
    if service is None:
        return []
    try:
        members = {m.sid for m in gateway.list_service_phone_numbers(service)}
    except GatewayError as err:
        if err.status != 404:
            raise
        members = set()  # the service itself is gone: so are its senders
    found: list[Change] = []
    ours: set[str] = set()
    for step_name, record in steps.items():
        if not step_name.startswith("attach.") or record.status not in ("done", "started"):
            continue
        number = step_name.removeprefix("attach.")
        resolved = steps.get(f"number.{number}")
        pn = resolved.sid if resolved else None
        if not pn:
            continue
        ours.add(pn)
        step = f"{STEP_PREFIX}number.{pn}"
        recorded = steps.get(step)
        done = (recorded is not None and recorded.status == "done") or pn not in members
        found.append(
            Change("remove_number", f"{number} ({pn}) out of messaging service {service}",
                   "done" if done else "todo", pn, service=service, step=step)
        )  # fmt: skip
    for other in sorted(members - ours):
        found.append(
            Change("keep", f"{other} in messaging service {service}", "kept", other,
                   "not added by a2pctl for this registration: left in the service")
        )  # fmt: skip
    return found


def _campaign(steps: dict[str, StepRecord], gateway: Gateway, service: str) -> list[Change]:
    what = f"the campaign of messaging service {service}"
    marker = steps.get(CAMPAIGN_DELETED)
    try:
        campaign: Campaign | None = gateway.fetch_campaign(service)
    except GatewayError as err:
        if err.status != 404:
            raise
        campaign = None
    if campaign is None:
        if marker is None and "campaign" not in steps:
            return []  # never created
        return [Change("delete_campaign", what, "done", service=service, step=CAMPAIGN_DELETED)]
    status = campaign.campaign_status
    note = f"{status}: final; a new campaign would be a new registration (new vetting fee)"
    gone = {"date_created": campaign.date_created}
    return [
        Change("delete_campaign", what, "todo", campaign.sid or None, note, service=service,
               step=CAMPAIGN_DELETED, gone=gone)
    ]  # fmt: skip


def _brand(gateway: Gateway, sid: str) -> Change:
    try:
        mock = bool(gateway.fetch_brand(sid).mock)
    except GatewayError as err:
        if err.status != 404:
            raise
        mock = False
    return Change("keep", f"brand {sid}", "kept", sid, MOCK_BRAND_KEPT if mock else BRAND_KEPT)


def _bundles(steps: dict[str, StepRecord], gateway: Gateway, brand: str | None) -> list[Change]:
    found: list[Change] = []
    kinds: tuple[BundleKind, ...] = ("trust_product", "customer_profile")
    for kind in kinds:  # the trust product holds the customer profile: it goes first
        record = steps.get(kind)
        if record is None or not record.sid:
            continue
        what = f"{kind.replace('_', ' ')} {record.sid}"
        if brand is not None:
            note = f"brand {brand} is built on it; Twilio documents no deletion of such a bundle"
            found.append(Change("keep", what, "kept", record.sid, note))
            continue
        step = f"{STEP_PREFIX}{kind}"
        try:
            status = gateway.fetch_bundle(kind, record.sid).status
        except GatewayError as err:
            if err.status != 404:
                raise
            found.append(Change("delete_bundle", what, "done", record.sid, bundle=kind, step=step))
            continue
        if status in IN_REVIEW:
            note = f"{status}: Twilio deletes bundles in draft, approved or rejected status only"
            found.append(Change("keep", what, "kept", record.sid, note))
            continue
        note = "no brand was created on it"
        found.append(
            Change("delete_bundle", what, "todo", record.sid, note, bundle=kind, step=step)
        )
    return found


# --- running it --------------------------------------------------------------------------------


def run(
    plan: Offboarding,
    store: Store,
    gateway: Gateway,
    on_change: Callable[[Change], None] | None = None,
) -> Offboarding:
    """Send every change still to do, in order; stop at the first that fails."""
    with store.lock(plan.name, plan.account):
        for index, change in enumerate(plan.changes):
            if change.state != "todo":
                continue
            try:
                _send(store, gateway, plan, change)
            except GatewayError as err:
                assert change.step is not None
                store.mark_failed(plan.name, plan.account, change.step, err.as_dict())
                plan.outcome = "failed"
                plan.errors = [err.as_dict()]
                return plan
            plan.changes[index] = replace(change, state="done")
            if on_change is not None:
                on_change(plan.changes[index])
        store.mark_done(plan.name, plan.account, DEREGISTERED)
        plan.outcome = "deregistered"
    return plan


def _send(store: Store, gateway: Gateway, plan: Offboarding, change: Change) -> None:
    assert change.step is not None
    name, account = plan.name, plan.account
    data = change.gone if change.kind == "delete_campaign" else None
    store.mark_started(name, account, change.step, data=data)
    try:
        if change.kind == "remove_number":
            assert change.service and change.sid
            gateway.remove_service_phone_number(change.service, change.sid)
        elif change.kind == "delete_campaign":
            assert change.service
            gateway.delete_campaign(change.service)
        elif change.kind == "delete_bundle":
            assert change.bundle and change.sid
            gateway.delete_bundle(change.bundle, change.sid)
    except GatewayError as err:
        if err.status != 404:  # 404: gone already, which is what was wanted
            raise
    store.mark_done(name, account, change.step, data=data)
    if change.kind == "delete_campaign" and change.service:
        store.record_resource(campaign_key(change.service), kind="campaign", status="DELETED",
                              name=name, account=account, source="deregister")  # fmt: skip
    if change.kind == "remove_number" and change.sid:
        known = store.find_resource(change.sid)
        detail = {**(known.detail if known else {}), "messaging_service_sid": None}
        store.record_resource(change.sid, kind="phone_number", status="PENDING_DEREGISTRATION",
                              detail=detail, name=name, account=account,
                              source="deregister")  # fmt: skip


def forget(store: Store, name: str, account: str) -> list[str]:
    """Clear a deregistered registration's steps, so that `register` takes the customer on
    again (its bundles and brand are found again by their names; a new campaign is created,
    5 s after the deletion). The campaign deletion stays recorded. Returns the steps cleared."""
    steps = [step for step in store.steps(name, account) if step != CAMPAIGN_DELETED]
    store.reset_steps(name, account, steps)
    return steps


def resolve(refs: list[str], store: Store, default_account: str) -> list[tuple[str, str]]:
    """(name, account) of each registration the references name: registration names,
    or customer files, directories and globs (their `name`). UsageError for a reference
    that names nothing in the store."""
    import re
    from pathlib import Path

    from a2pctl.spec import sources
    from a2pctl.spec.customer import check_file

    found: dict[tuple[str, str], None] = {}
    for ref in refs:
        ref = ref.strip()
        if re.fullmatch(r"[a-z0-9-]+", ref) and not Path(ref).exists():
            wanted: list[tuple[str, str | None]] = [(ref, None)]
        else:
            wanted = []
            for path in sources.expand([Path(ref)]):
                check = check_file(path)
                if check.customer is None:
                    problems = "; ".join(str(p) for p in check.errors[:3])
                    raise UsageError(f"{path} is not a valid customer file: {problems}")
                wanted.append((check.customer.name, check.customer.account_sid or default_account))
        for name, account in wanted:
            matches = [r for r in store.find_registrations(name) if account in (None, r.account)]
            if not matches:
                raise UsageError(
                    f"no registration named {name!r} in the state store {store.location}",
                    hint="`a2pctl status` lists the registrations; check --state",
                )
            found.update({(r.name, r.account): None for r in matches})
    return list(found)
