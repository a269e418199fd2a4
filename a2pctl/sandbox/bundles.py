"""TrustHub v1 (trusthub.twilio.com) bundles: customer profiles and trust
products, their entity assignments and evaluations (docs/twilio/endpoints.md
§1.1–1.3).

Rules enforced: a bundle is submitted (`Status=pending-review`) only from
draft or twilio-rejected and only when its latest evaluation against its own
policy is compliant; a status change cannot travel with other changes
(22204); objects of a bundle that is in review or approved cannot be edited,
assigned or removed (60711).
"""

from __future__ import annotations

import re
from functools import partial

from a2pctl.sandbox import reviews
from a2pctl.sandbox.policies import POLICIES, Contents, evaluate
from a2pctl.sandbox.routing import Route, route
from a2pctl.sandbox.scenarios import scenario_of
from a2pctl.sandbox.wire import TRUSTHUB, ApiError, Json, Reply, Request, invalid, iso, public
from a2pctl.sandbox.wire import v1_page as page
from a2pctl.sandbox.world import World

STATUS_WITH_OTHER_CHANGES = 22204
BUNDLE_LOCKED = 60711
# Not documented by Twilio for these cases; the simulator's own choice.
DUPLICATE_ASSIGNMENT = 22206
NOT_COMPLIANT = 22207

BUNDLE_STATUSES = ("draft", "pending-review", "in-review", "twilio-rejected", "twilio-approved")
LOCKED_STATUSES = frozenset({"pending-review", "in-review", "twilio-approved"})
OBJECT_SID = re.compile(r"^[a-zA-Z]{2}[0-9a-fA-F]{32}$")


# (collection path, table, singular key of child records, links prefix)
KINDS = {
    "CustomerProfiles": ("customer_profiles", "customer_profile_sid", "customer_profiles"),
    "TrustProducts": ("trust_products", "trust_product_sid", "trust_products"),
}


def bundles_holding(world: World, account: str, object_sid: str) -> list[Json]:
    """The bundles (either kind) that have `object_sid` assigned."""
    held = {
        a["_bundle"] for a in world.owned("assignments", account) if a["object_sid"] == object_sid
    }
    found = [world.find(table, sid, account) for sid in held for table, *_ in KINDS.values()]
    return [b for b in found if b is not None]


def ensure_editable(world: World, account: str, object_sid: str, what: str) -> None:
    """60711 when a bundle holding the object is in review or approved."""
    for bundle in bundles_holding(world, account, object_sid):
        if bundle["status"] in LOCKED_STATUSES:
            raise invalid(
                f"{what} {object_sid} cannot be modified: it belongs to bundle {bundle['sid']}, "
                f"which is {bundle['status']} (bundles in-review or twilio-approved cannot be "
                "edited)",
                BUNDLE_LOCKED,
            )


def _ensure_bundle_editable(bundle: Json) -> None:
    if bundle["status"] in LOCKED_STATUSES:
        raise invalid(
            f"Bundle {bundle['sid']} is {bundle['status']} and cannot be modified",
            BUNDLE_LOCKED,
        )


# --- bundles ------------------------------------------------------------------------


def _policy(sid: str) -> str:
    if sid not in POLICIES:
        raise invalid(f"Invalid PolicySid {sid}: no such policy")
    return sid


def create_bundle(collection: str, world: World, req: Request) -> Reply:
    table, _, links = KINDS[collection]
    now = world.now()
    sid = world.new_sid("BU")
    url = f"{TRUSTHUB}/v1/{collection}/{sid}"
    record = {
        "sid": sid,
        "account_sid": req.account,
        "policy_sid": _policy(req.required("PolicySid")),
        "friendly_name": req.required("FriendlyName"),
        "status": "draft",
        "valid_until": None,
        "email": req.required("Email"),
        "status_callback": req.get("StatusCallback"),
        "date_created": iso(now),
        "date_updated": iso(now),
        "url": url,
        "links": {
            f"{links}_entity_assignments": f"{url}/EntityAssignments",
            f"{links}_evaluations": f"{url}/Evaluations",
            f"{links}_channel_endpoint_assignment": f"{url}/ChannelEndpointAssignments",
        },
        "errors": None,
        "_reviews": 0,
        "_evaluations": 0,
        "_last_evaluation": None,
    }
    world.insert(table, sid, record, req.account)
    return 201, public(record)


def list_bundles(collection: str, world: World, req: Request) -> Reply:
    items = world.owned(KINDS[collection][0], req.account)
    for param, key in (
        ("Status", "status"),
        ("FriendlyName", "friendly_name"),
        ("PolicySid", "policy_sid"),
    ):
        wanted = req.get(param)
        if wanted is not None:
            items = [i for i in items if i[key] == wanted]
    return 200, page(req, TRUSTHUB, items, "results")


def fetch_bundle(collection: str, world: World, req: Request, sid: str) -> Reply:
    return 200, public(world.get(KINDS[collection][0], sid, req.account, req.path))


def update_bundle(collection: str, world: World, req: Request, sid: str) -> Reply:
    table = KINDS[collection][0]
    bundle = world.get(table, sid, req.account, req.path)
    changes = {
        key: req.get(param)
        for param, key in (
            ("FriendlyName", "friendly_name"),
            ("Email", "email"),
            ("StatusCallback", "status_callback"),
        )
        if req.has(param)
    }
    status = req.get("Status")
    if status is not None and changes:
        raise invalid(
            "A status change cannot be combined with other updates in one request",
            STATUS_WITH_OTHER_CHANGES,
        )
    if status is None:
        _ensure_bundle_editable(bundle)
        bundle.update(changes)
        bundle["date_updated"] = iso(world.now())
        return 200, public(bundle)
    if status not in BUNDLE_STATUSES:
        raise invalid(f"Invalid Status {status!r}: expected one of {', '.join(BUNDLE_STATUSES)}")
    if status == "pending-review":
        _submit(world, table, bundle)
    elif status == "draft" and bundle["status"] in ("draft", "twilio-rejected", "twilio-approved"):
        # Twilio's remediation puts a bundle back to draft to correct it.
        if bundle["status"] != "draft":
            reviews.set_bundle_status(world, bundle, "draft", world.now())
    else:
        raise invalid(
            f"Bundle {sid} is {bundle['status']}: its status can be set to pending-review "
            "(from draft or twilio-rejected) or to draft"
        )
    return 200, public(bundle)


def _submit(world: World, table: str, bundle: Json) -> None:
    if bundle["status"] not in ("draft", "twilio-rejected"):
        raise invalid(
            f"Bundle {bundle['sid']} is {bundle['status']} and cannot be submitted again",
            BUNDLE_LOCKED,
        )
    if bundle["_last_evaluation"] != "compliant":
        raise invalid(
            f"Bundle {bundle['sid']} cannot be submitted: its latest evaluation against "
            f"{bundle['policy_sid']} is not compliant. Evaluate it and fix every failing "
            "requirement first",
            NOT_COMPLIANT,
        )
    reviews.submit_bundle(world, table, bundle)


def delete_bundle(collection: str, world: World, req: Request, sid: str) -> Reply:
    table = KINDS[collection][0]
    world.get(table, sid, req.account, req.path)
    world.remove(table, sid)
    return 204, None


# --- entity assignments ---------------------------------------------------------------


def _object_type(world: World, account: str, object_sid: str) -> str:
    prefix = object_sid[:2].upper()
    if prefix == "IT":
        record = world.find("end_users", object_sid, account)
    elif prefix == "RD":
        record = world.find("supporting_documents", object_sid, account)
    elif prefix == "BU":
        return "customer_profile"  # another bundle, e.g. the ISV's primary profile
    else:
        raise invalid(f"Invalid ObjectSid {object_sid}: expected an IT, RD or BU SID")
    if record is None:
        raise invalid(f"Invalid ObjectSid {object_sid}: not found in this account")
    return str(record["type"])


def assign(collection: str, world: World, req: Request, bundle_sid: str) -> Reply:
    table, singular, _ = KINDS[collection]
    bundle = world.get(table, bundle_sid, req.account, req.path)
    object_sid = req.required("ObjectSid")
    if not OBJECT_SID.match(object_sid):
        raise invalid(f"Invalid ObjectSid {object_sid!r}")
    _ensure_bundle_editable(bundle)
    object_type = _object_type(world, req.account, object_sid)
    for existing in world.owned("assignments", req.account):
        if existing["_bundle"] == bundle_sid and existing["object_sid"] == object_sid:
            raise invalid(
                f"{object_sid} is already assigned to {bundle_sid} ({existing['sid']})",
                DUPLICATE_ASSIGNMENT,
            )
    sid = world.new_sid("BV")
    record = {
        "sid": sid,
        singular: bundle_sid,
        "account_sid": req.account,
        "object_sid": object_sid,
        "date_created": iso(world.now()),
        "url": f"{TRUSTHUB}/v1/{collection}/{bundle_sid}/EntityAssignments/{sid}",
        "_bundle": bundle_sid,
        "_object_type": object_type,
    }
    world.insert("assignments", sid, record, req.account)
    return 201, public(record)


def _assignments(world: World, req: Request, bundle_sid: str) -> list[Json]:
    return [a for a in world.owned("assignments", req.account) if a["_bundle"] == bundle_sid]


def list_assignments(collection: str, world: World, req: Request, bundle_sid: str) -> Reply:
    world.get(KINDS[collection][0], bundle_sid, req.account, req.path)
    items = _assignments(world, req, bundle_sid)
    wanted = req.get("ObjectType")
    if wanted is not None:
        items = [a for a in items if a["_object_type"] == wanted]
    return 200, page(req, TRUSTHUB, items, "results")


def _assignment(world: World, req: Request, bundle_sid: str, sid: str) -> Json:
    record = world.get("assignments", sid, req.account, req.path)
    if record["_bundle"] != bundle_sid:
        raise ApiError(404, 20404, f"The requested resource {req.path} was not found")
    return record


def fetch_assignment(
    collection: str, world: World, req: Request, bundle_sid: str, sid: str
) -> Reply:
    return 200, public(_assignment(world, req, bundle_sid, sid))


def delete_assignment(
    collection: str, world: World, req: Request, bundle_sid: str, sid: str
) -> Reply:
    bundle = world.get(KINDS[collection][0], bundle_sid, req.account, req.path)
    _assignment(world, req, bundle_sid, sid)
    _ensure_bundle_editable(bundle)
    world.remove("assignments", sid)
    return 204, None


# --- evaluations -----------------------------------------------------------------------


def _contents(world: World, req: Request, bundle_sid: str) -> Contents:
    account = req.account
    users, documents, profiles = [], [], {}
    for assignment in _assignments(world, req, bundle_sid):
        sid = assignment["object_sid"]
        if (user := world.find("end_users", sid, account)) is not None:
            users.append(user)
        elif (doc := world.find("supporting_documents", sid, account)) is not None:
            documents.append(doc)
        elif sid.upper().startswith("BU"):
            other = world.find("customer_profiles", sid, account) or world.find(
                "trust_products", sid, account
            )
            profiles[sid] = None if other is None else str(other["policy_sid"])
    return Contents(
        users, documents, profiles, lambda ad: world.find("addresses", ad, account) is not None
    )


def create_evaluation(collection: str, world: World, req: Request, bundle_sid: str) -> Reply:
    table, singular, _ = KINDS[collection]
    bundle = world.get(table, bundle_sid, req.account, req.path)
    policy_sid = _policy(req.required("PolicySid"))
    force = scenario_of(world).noncompliant_first_evaluation and bundle["_evaluations"] == 0
    status, results = evaluate(
        POLICIES[policy_sid], _contents(world, req, bundle_sid), force_invalid=force
    )
    bundle["_evaluations"] += 1
    if policy_sid == bundle["policy_sid"]:
        bundle["_last_evaluation"] = status
    sid = world.new_sid("EL")
    record = {
        "sid": sid,
        "account_sid": req.account,
        "policy_sid": policy_sid,
        singular: bundle_sid,
        "status": status,
        "results": results,
        "date_created": iso(world.now()),
        "url": f"{TRUSTHUB}/v1/{collection}/{bundle_sid}/Evaluations/{sid}",
        "_bundle": bundle_sid,
    }
    world.insert("evaluations", sid, record, req.account)
    return 201, public(record)


def list_evaluations(collection: str, world: World, req: Request, bundle_sid: str) -> Reply:
    world.get(KINDS[collection][0], bundle_sid, req.account, req.path)
    items = [e for e in world.owned("evaluations", req.account) if e["_bundle"] == bundle_sid]
    return 200, page(req, TRUSTHUB, items, "results")


def fetch_evaluation(
    collection: str, world: World, req: Request, bundle_sid: str, sid: str
) -> Reply:
    record = world.get("evaluations", sid, req.account, req.path)
    if record["_bundle"] != bundle_sid:
        raise ApiError(404, 20404, f"The requested resource {req.path} was not found")
    return 200, public(record)


def _routes() -> list[Route]:
    routes: list[Route] = []
    for name in KINDS:
        base = f"/v1/{name}"
        for method, template, bound in (
            ("POST", base, partial(create_bundle, name)),
            ("GET", base, partial(list_bundles, name)),
            ("GET", base + "/{}", partial(fetch_bundle, name)),
            ("POST", base + "/{}", partial(update_bundle, name)),
            ("DELETE", base + "/{}", partial(delete_bundle, name)),
            ("POST", base + "/{}/EntityAssignments", partial(assign, name)),
            ("GET", base + "/{}/EntityAssignments", partial(list_assignments, name)),
            ("GET", base + "/{}/EntityAssignments/{}", partial(fetch_assignment, name)),
            ("DELETE", base + "/{}/EntityAssignments/{}", partial(delete_assignment, name)),
            ("POST", base + "/{}/Evaluations", partial(create_evaluation, name)),
            ("GET", base + "/{}/Evaluations", partial(list_evaluations, name)),
            ("GET", base + "/{}/Evaluations/{}", partial(fetch_evaluation, name)),
        ):
            routes.append(route(method, template, bound))
    return routes


ROUTES = _routes()
