"""Every A2P event type Twilio lists today decodes, in each schema version; a type a2pctl
does not know is kept as received (recorded, shown), never dropped, never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import InProcess

from a2pctl.events import decode_payload, record_event
from a2pctl.events.catalog import (
    A2P_PREFIX,
    CAMPAIGN_DELETED,
    NEWER_SUBSCRIBED_SCHEMA_VERSIONS,
    SUBSCRIBED_SCHEMA_VERSIONS,
    TYPE_IDENTITY,
    TYPE_KIND_STATUS,
    TYPE_WORDS,
)
from a2pctl.events.decode import UNKNOWN_NOTE
from a2pctl.events.record import RECORDED, STALE, UPDATED
from a2pctl.report.events import event_line
from a2pctl.state.records import campaign_key
from a2pctl.state.store import Store

BN = "BN" + "b" * 32
MG = "MG" + "c" * 32
PN = "PN" + "d" * 32
ACCOUNT = "AC" + "a" * 32
# The A2P types on Twilio's Event Types pages (docs/twilio/flows.md §5.2).
LISTED = {
    "brand-registration.brand-failure",
    "brand-registration.brand-registered",
    "brand-registration.brand-unverified",
    "brand-registration.brand-verified",
    "brand-registration.brand-vetted-verified",
    "brand-registration.brand-secondary-vetting-failure",
    "brand-registration.sharing-created",
    "brand-registration.sharing-deleted",
    "brand-registration.invalid-contact-email",
    "brand-registration.email-2fa-clicked",
    "brand-registration.email-2fa-completed",
    "brand-registration.email-2fa-opened",
    "brand-registration.email-2fa-sent",
    "brand-registration.email-2fa-timeout",
    "campaign-registration.campaign-approved",
    "campaign-registration.campaign-deleted",
    "campaign-registration.campaign-failure",
    "campaign-registration.campaign-submitted",
    "campaign-registration.suspended-campaign-delete-submitted",
    "number-registration.failed",
    "number-registration.pending",
    "number-registration.successful",
    "number-deregistration.failed",
    "number-deregistration.pending",
    "number-deregistration.successful",
    "a2p-resource-cleanup-started",
    "a2p-resource-cleanup-finished",
}
DATA: dict[str, dict[str, Any]] = {
    "brand": {"accountsid": ACCOUNT, "brandsid": BN, "externalbrandid": "B000001"},
    "campaign": {"accountsid": ACCOUNT, "brandsid": BN, "campaignsid": "CM" + "1" * 32,
                 "messagingservicesid": MG, "externalcampaignid": "C000001"},
    "phone_number": {"accountsid": ACCOUNT, "phonenumbersid": PN, "phonenumber": "4155550123"},
    "other": {"accountsid": ACCOUNT},
}  # fmt: skip


def cloud_event(short: str, data: dict[str, Any], version: int = 1, n: int = 1) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "type": A2P_PREFIX + short,
        "source": "AB" + "0" * 26,
        "id": f"CE{n:032x}",
        "dataschema": f"https://events-schemas.twilio.com/A2P.Some/{version}",
        "datacontenttype": "application/json",
        "time": "2026-01-02T03:04:05.678Z",
        "data": data,
    }


def test_the_catalogue_is_every_listed_type_and_subscribes_the_registration_ones() -> None:
    assert set(TYPE_KIND_STATUS) == LISTED
    subscribed = {**SUBSCRIBED_SCHEMA_VERSIONS, **NEWER_SUBSCRIBED_SCHEMA_VERSIONS}
    assert set(subscribed) <= LISTED and len(SUBSCRIBED_SCHEMA_VERSIONS) == 12
    assert not [t for t in subscribed if "sharing" in t or "cleanup" in t]


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("short", sorted(LISTED))
def test_every_listed_type_decodes_in_every_schema_version(short: str, version: int) -> None:
    kind, implied = TYPE_KIND_STATUS[short]

    result = decode_payload([cloud_event(short, dict(DATA[kind]), version)])

    assert result.problems == []
    [decoded] = result.events
    assert (decoded.kind, decoded.schema_version, decoded.notes) == (kind, version, ())
    assert decoded.status == implied
    assert decoded.sid == {"brand": BN, "campaign": MG, "phone_number": PN, "other": None}[kind]
    if short in TYPE_IDENTITY:
        assert decoded.identity_status == TYPE_IDENTITY[short]
    line = event_line(decoded)
    if short in TYPE_WORDS:
        assert TYPE_WORDS[short] in line


def test_the_payloads_own_status_wins_for_the_newer_brand_types() -> None:
    data = {**DATA["brand"], "brandstatus": "registered", "identitystatus": "unverified"}

    [decoded] = decode_payload([cloud_event("brand-registration.email-2fa-timeout", data)]).events

    assert (decoded.status, decoded.identity_status) == ("APPROVED", "UNVERIFIED")
    assert "2FA timed out" in event_line(decoded)


@pytest.mark.parametrize(
    "data",
    [{}, {"externalstatus": "paused"}, {"brandsid": None}, {"campaignregistrationstatus": "x"}],
    ids=["empty", "number-like", "null-brand", "campaign-like"],
)
def test_an_unknown_a2p_type_is_kept_as_received_not_dropped(data: dict[str, Any]) -> None:
    result = decode_payload([cloud_event("brand-registration.brand-teleported", data)])

    assert result.problems == []
    [decoded] = result.events
    assert UNKNOWN_NOTE in decoded.notes
    assert decoded.envelope["type"] == A2P_PREFIX + "brand-registration.brand-teleported"
    assert "brand-teleported" in event_line(decoded)


def test_an_unknown_type_is_recorded_and_changes_no_status(store: Store) -> None:
    [decoded] = decode_payload([cloud_event("number-registration.rerouted", {})]).events

    received = record_event(store, decoded)

    assert received.outcome == RECORDED
    [recorded] = store.events()
    assert recorded.type == A2P_PREFIX + "number-registration.rerouted"
    assert recorded.data["data"] == {}
    assert store.resources() == []


def test_a_campaign_deleted_before_a2pctl_recreated_it_leaves_the_new_one_alone(
    store: Store,
) -> None:
    store.record_resource(campaign_key(MG), kind="campaign", status="PENDING", name="n",
                          account=ACCOUNT, detail={}, source="register")  # fmt: skip
    late = cloud_event(CAMPAIGN_DELETED, dict(DATA["campaign"]), n=2)
    late["time"] = "1970-01-01T00:00:00.000Z"  # before the store's (fake) clock recorded it
    [old] = decode_payload([late]).events
    assert old.status == "DELETED"

    assert record_event(store, old).outcome == STALE
    fresh = cloud_event(CAMPAIGN_DELETED, dict(DATA["campaign"]), n=3)
    fresh["time"] = "2099-01-01T00:00:00.000Z"
    [new] = decode_payload([fresh]).events
    assert record_event(store, new).outcome == UPDATED
    resource = store.find_resource(campaign_key(MG))
    assert resource is not None and resource.status == "DELETED"


def test_events_decode_shows_an_unknown_type_and_exits_0(cli: InProcess, tmp_path: Path) -> None:
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps([cloud_event("campaign-registration.campaign-paused", {})]))

    done = cli("events", "decode", "--json", str(payload), cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    [shown] = json.loads(done.stdout)["events"]
    assert shown["type"] == A2P_PREFIX + "campaign-registration.campaign-paused"
    assert UNKNOWN_NOTE in shown["notes"]
