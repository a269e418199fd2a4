"""TrustHub v1 (trusthub.twilio.com) end users, supporting documents and
policies (docs/twilio/endpoints.md §1.4, 1.5, 1.6). An end user or document held by a
bundle in review or approved cannot be edited or deleted (60711).
"""

from __future__ import annotations

from functools import partial

from a2pctl.sandbox.bundles import ensure_editable
from a2pctl.sandbox.policies import POLICIES
from a2pctl.sandbox.routing import Route, route
from a2pctl.sandbox.wire import TRUSTHUB, Json, Reply, Request, iso, not_found, public
from a2pctl.sandbox.wire import v1_page as page
from a2pctl.sandbox.world import World

# --- end users and supporting documents --------------------------------------------------

# (collection path, table, display name)
OBJECTS = {
    "EndUsers": ("end_users", "End user"),
    "SupportingDocuments": ("supporting_documents", "Supporting document"),
}


def create_object(collection: str, world: World, req: Request) -> Reply:
    table = OBJECTS[collection][0]
    now = world.now()
    sid = world.new_sid("IT" if collection == "EndUsers" else "RD")
    record: Json = {
        "sid": sid,
        "account_sid": req.account,
        "friendly_name": req.required("FriendlyName"),
    }
    if collection == "SupportingDocuments":
        record.update(mime_type=None, status="DRAFT")
    record.update(
        {
            "type": req.required("Type"),
            "attributes": req.json_object("Attributes") or {},
            "date_created": iso(now),
            "date_updated": iso(now),
            "url": f"{TRUSTHUB}/v1/{collection}/{sid}",
        }
    )
    world.insert(table, sid, record, req.account)
    return 201, public(record)


def list_objects(collection: str, world: World, req: Request) -> Reply:
    return 200, page(req, TRUSTHUB, world.owned(OBJECTS[collection][0], req.account), "results")


def fetch_object(collection: str, world: World, req: Request, sid: str) -> Reply:
    return 200, public(world.get(OBJECTS[collection][0], sid, req.account, req.path))


def update_object(collection: str, world: World, req: Request, sid: str) -> Reply:
    table, what = OBJECTS[collection]
    record = world.get(table, sid, req.account, req.path)
    ensure_editable(world, req.account, sid, what)
    if req.has("FriendlyName"):
        record["friendly_name"] = req.get("FriendlyName")
    if req.has("Attributes"):
        # The whole attributes object is replaced (docs/twilio/flows.md §1.2).
        record["attributes"] = req.json_object("Attributes") or {}
    record["date_updated"] = iso(world.now())
    return 200, public(record)


def delete_object(collection: str, world: World, req: Request, sid: str) -> Reply:
    table, what = OBJECTS[collection]
    world.get(table, sid, req.account, req.path)
    ensure_editable(world, req.account, sid, what)
    world.remove(table, sid)
    return 204, None


# --- policies ---------------------------------------------------------------------------


def list_policies(world: World, req: Request) -> Reply:
    return 200, page(req, TRUSTHUB, [p.record() for p in POLICIES.values()], "results")


def fetch_policy(world: World, req: Request, sid: str) -> Reply:
    policy = POLICIES.get(sid)
    if policy is None:
        raise not_found(req.path)
    return 200, policy.record()


def _routes() -> list[Route]:
    routes: list[Route] = []
    for name in OBJECTS:
        base = f"/v1/{name}"
        for method, template, bound in (
            ("POST", base, partial(create_object, name)),
            ("GET", base, partial(list_objects, name)),
            ("GET", base + "/{}", partial(fetch_object, name)),
            ("POST", base + "/{}", partial(update_object, name)),
            ("DELETE", base + "/{}", partial(delete_object, name)),
        ):
            routes.append(route(method, template, bound))
    routes.append(route("GET", "/v1/Policies", list_policies))
    routes.append(route("GET", "/v1/Policies/{}", fetch_policy))
    return routes


ROUTES = _routes()
