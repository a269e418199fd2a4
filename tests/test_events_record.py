"""Recording decoded events against registrations in the state store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from a2pctl.events import decode_body, decode_payload, record_event, record_events
from a2pctl.events.catalog import A2P_PREFIX
from a2pctl.events.record import RECORDED, REPLAY, STALE, UPDATED, with_registration
from a2pctl.state.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "events"
NAME = "jane-doe-pottery"
ACCOUNT = "ACXXXXXXXXX"
BRAND = "BNXXXXXXXXX"
SERVICE = "MGXXXXXXXXX"
NUMBER_SID = "PNXXXXXXXXXXXXXXXX"


def seed_registration(store: Store) -> None:
    """What `register` records for a registration, with the SIDs of the documented examples."""
    store.record_resource(
        BRAND,
        kind="brand",
        status="PENDING",
        name=NAME,
        account=ACCOUNT,
        detail={"sid": BRAND, "status": "PENDING", "identity_status": None},
    )
    store.record_resource(
        SERVICE,
        kind="messaging_service",
        status=None,
        name=NAME,
        account=ACCOUNT,
        detail={"sid": SERVICE},
    )
    store.record_resource(
        "campaign:" + SERVICE,
        kind="campaign",
        status="PENDING",
        name=NAME,
        account=ACCOUNT,
        detail={"campaign_status": "PENDING", "messaging_service_sid": SERVICE},
    )
    store.record_resource(
        NUMBER_SID,
        kind="phone_number",
        status=None,
        name=NAME,
        account=ACCOUNT,
        detail={"phone_number": "+11234567890", "messaging_service_sid": SERVICE},
    )


def snapshot(store: Store) -> tuple[list[Any], list[Any]]:
    return store.resources(), store.events()


def received_from(store: Store, fixture: str) -> Any:
    [decoded] = decode_body((FIXTURES / f"{fixture}.json").read_bytes()).events
    return record_event(store, decoded)


# fixture -> (resource SID in the store, status, detail keys and values that must be there)
EXPECTED: dict[str, tuple[str, str, dict[str, Any]]] = {
    "brand-unverified": (BRAND, "APPROVED", {"identity_status": "UNVERIFIED", "tcr_id": "XXXXXXX"}),
    "brand-registered": (BRAND, "APPROVED", {"identity_status": "VERIFIED", "status": "APPROVED"}),
    "brand-failure": (BRAND, "FAILED", {"status": "FAILED"}),
    "campaign-submitted": ("campaign:" + SERVICE, "PENDING", {"campaign_status": "PENDING"}),
    "campaign-approved": ("campaign:" + SERVICE, "VERIFIED", {"campaign_id": "XXXXXXX"}),
    "campaign-failure": ("campaign:" + SERVICE, "FAILED", {"campaign_status": "FAILED"}),
    "number-registration-pending": (NUMBER_SID, "PENDING_REGISTRATION", {}),
    "number-registration-successful": (NUMBER_SID, "REGISTERED", {"failure_reason": None}),
    "number-registration-failed": (
        NUMBER_SID,
        "FAILURE",
        {"failure_reason": "https://www.twilio.com/docs/api/errors/30126"},
    ),
    "number-deregistration-pending": (NUMBER_SID, "PENDING_DEREGISTRATION", {}),
    "number-deregistration-successful": (NUMBER_SID, "UNREGISTERED", {"campaign_sid": None}),
    "number-deregistration-failed": (
        NUMBER_SID,
        "FAILURE",
        {"failure_reason": "https://www.twilio.com/docs/api/errors/30126"},
    ),
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_every_documented_example_updates_its_registrations_last_known_status(
    store: Store, fixture: str
) -> None:
    seed_registration(store)
    sid, status, detail = EXPECTED[fixture]

    received = received_from(store, fixture)

    assert received.outcome == UPDATED
    assert received.event.registration == NAME
    resource = store.find_resource(sid)
    assert resource is not None
    assert (resource.name, resource.account, resource.status, resource.source) == (
        NAME,
        ACCOUNT,
        status,
        "event",
    )
    for key, value in detail.items():
        assert resource.detail[key] == value
    [recorded] = store.events()
    assert (recorded.id, recorded.name, recorded.sid) == (
        "CE000000000000000000000000000000",
        NAME,
        received.event.sid,
    )


def test_brand_failure_records_the_errors_in_the_rest_shape(store: Store) -> None:
    seed_registration(store)

    received_from(store, "brand-failure")

    brand = store.find_resource(BRAND)
    assert brand is not None
    assert [e["error_code"] for e in brand.detail["errors"]] == [30796, 30795]
    assert brand.detail["errors"][1]["fields"] == [
        "business_registration_number",
        "business_registration_identifier",
        "business_name",
    ]


def test_a_campaign_event_keeps_what_register_recorded_and_adds_the_event_fields(
    store: Store,
) -> None:
    seed_registration(store)

    received_from(store, "campaign-approved")

    campaign = store.find_resource("campaign:" + SERVICE)
    assert campaign is not None
    assert campaign.detail["messaging_service_sid"] == SERVICE
    assert campaign.detail["brand_registration_sid"] == BRAND
    assert campaign.detail["event_campaign_sid"] == "CMXXXXXXXXX"
    assert campaign.detail["event"]["type"].endswith("campaign-approved")


def test_a_replayed_event_leaves_the_store_unchanged(store: Store) -> None:
    seed_registration(store)
    received_from(store, "brand-registered")
    before = snapshot(store)

    replay = received_from(store, "brand-registered")

    assert replay.outcome == REPLAY
    assert snapshot(store) == before


def test_a_replay_with_another_payload_is_still_ignored(store: Store) -> None:
    seed_registration(store)
    received_from(store, "brand-unverified")
    before = snapshot(store)

    # Same CloudEvent id, different content: the id decides.
    replay = received_from(store, "brand-failure")

    assert replay.outcome == REPLAY
    assert snapshot(store) == before
    brand = store.find_resource(BRAND)
    assert brand is not None and brand.status == "APPROVED"


def test_events_for_unknown_sids_are_recorded_without_a_registration(store: Store) -> None:
    received = received_from(store, "campaign-submitted")

    assert received.outcome == RECORDED
    assert received.event.registration is None
    assert store.resources() == []
    [recorded] = store.events()
    assert (recorded.name, recorded.account, recorded.sid) == (None, ACCOUNT, SERVICE)


def event(event_id: str, short_type: str, time: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "type": A2P_PREFIX + short_type, "time": time, "data": data}


def test_an_event_older_than_the_last_one_applied_does_not_roll_the_status_back(
    store: Store,
) -> None:
    seed_registration(store)
    brand = {"brandsid": BRAND, "accountsid": ACCOUNT}
    newer = event("CE2", "brand-registration.brand-registered", "2026-01-02T00:00:00Z", brand)
    older = event("CE1", "brand-registration.brand-unverified", "2026-01-01T00:00:00Z", brand)

    outcomes = [r.outcome for r in record_events(store, decode_payload([newer, older]).events)]

    assert outcomes == [UPDATED, STALE]
    resource = store.find_resource(BRAND)
    assert resource is not None and resource.detail["identity_status"] == "VERIFIED"
    assert [e.id for e in store.events()] == ["CE1", "CE2"]


def test_a_number_is_found_by_its_e164_number_when_its_pn_sid_is_unknown(store: Store) -> None:
    store.record_resource(
        "PN" + "9" * 32,
        kind="phone_number",
        status=None,
        name=NAME,
        account=ACCOUNT,
        detail={"phone_number": "+11234567890"},
    )
    data = {"phonenumber": "1234567890", "externalstatus": "registered"}

    [received] = record_events(
        store,
        decode_payload(
            [event("CE9", "number-registration.successful", "2026-01-01T00:00:00Z", data)]
        ).events,
    )

    assert received.outcome == UPDATED
    resource = store.find_resource("PN" + "9" * 32)
    assert resource is not None and resource.status == "REGISTERED"


def test_a_number_is_found_through_its_campaign_when_register_has_not_recorded_it(
    store: Store,
) -> None:
    seed_registration(store)
    received_from(store, "campaign-approved")  # teaches the store the campaign's CM… SID
    other = "PN" + "7" * 32
    data = {"phonenumbersid": other, "campaignsid": "CMXXXXXXXXX", "externalstatus": "registered"}

    [received] = record_events(
        store,
        decode_payload(
            [event("CE8", "number-registration.successful", "2026-01-01T00:00:00Z", data)]
        ).events,
    )

    assert received.event.registration == NAME
    resource = store.find_resource(other)
    assert resource is not None and (resource.name, resource.status) == (NAME, "REGISTERED")


def test_a_campaign_event_before_register_recorded_the_campaign_creates_its_resource(
    store: Store,
) -> None:
    store.record_resource(
        SERVICE, kind="messaging_service", status=None, name=NAME, account=ACCOUNT
    )

    received = received_from(store, "campaign-submitted")

    assert received.outcome == UPDATED
    campaign = store.find_resource("campaign:" + SERVICE)
    assert campaign is not None
    assert (campaign.kind, campaign.name, campaign.status) == ("campaign", NAME, "PENDING")
    assert campaign.detail["messaging_service_sid"] == SERVICE


def test_with_registration_names_the_registration_without_recording(store: Store) -> None:
    seed_registration(store)
    [decoded] = decode_body((FIXTURES / "number-registration-pending.json").read_bytes()).events
    before = snapshot(store)

    named = with_registration(store, decoded)

    assert named.registration == NAME
    assert snapshot(store) == before
