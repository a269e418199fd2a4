"""Decoding Event Streams payloads: the 12 documented examples, quirks included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from a2pctl.events import PayloadError, decode_body, decode_payload
from a2pctl.events.catalog import A2P_PREFIX, SUBSCRIBED_SCHEMA_VERSIONS
from a2pctl.events.payload import parse_body, repair

FIXTURES = Path(__file__).parent / "fixtures" / "events"

# fixture -> (short type, kind, resource SID, status, identity status, error codes)
EXPECTED: dict[str, tuple[str, str, str, str, str | None, list[int]]] = {
    "brand-unverified": (
        "brand-registration.brand-unverified",
        "brand",
        "BNXXXXXXXXX",
        "APPROVED",
        "UNVERIFIED",
        [],
    ),
    "brand-registered": (
        "brand-registration.brand-registered",
        "brand",
        "BNXXXXXXXXX",
        "APPROVED",
        "VERIFIED",
        [],
    ),
    "brand-failure": (
        "brand-registration.brand-failure",
        "brand",
        "BNXXXXXXXXX",
        "FAILED",
        None,
        [30796, 30795],
    ),
    "campaign-submitted": (
        "campaign-registration.campaign-submitted",
        "campaign",
        "MGXXXXXXXXX",
        "PENDING",
        None,
        [],
    ),
    "campaign-approved": (
        "campaign-registration.campaign-approved",
        "campaign",
        "MGXXXXXXXXX",
        "VERIFIED",
        None,
        [],
    ),
    "campaign-failure": (
        "campaign-registration.campaign-failure",
        "campaign",
        "MGXXXXXXXXX",
        "FAILED",
        None,
        [30886, 30893],
    ),
    "number-registration-pending": (
        "number-registration.pending",
        "phone_number",
        "PNXXXXXXXXXXXXXXXX",
        "PENDING_REGISTRATION",
        None,
        [],
    ),
    "number-registration-successful": (
        "number-registration.successful",
        "phone_number",
        "PNXXXXXXXXXXXXXXXX",
        "REGISTERED",
        None,
        [],
    ),
    "number-registration-failed": (
        "number-registration.failed",
        "phone_number",
        "PNXXXXXXXXXXXXXXXX",
        "FAILURE",
        None,
        [],
    ),
    "number-deregistration-pending": (
        "number-deregistration.pending",
        "phone_number",
        "PNXXXXXXXXXXXXXXXX",
        "PENDING_DEREGISTRATION",
        None,
        [],
    ),
    "number-deregistration-successful": (
        "number-deregistration.successful",
        "phone_number",
        "PNXXXXXXXXXXXXXXXX",
        "UNREGISTERED",
        None,
        [],
    ),
    "number-deregistration-failed": (
        "number-deregistration.failed",
        "phone_number",
        "PNXXXXXXXXXXXXXXXX",
        "FAILURE",
        None,
        [],
    ),
}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def event(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "specversion": "1.0",
        "type": A2P_PREFIX + "brand-registration.brand-registered",
        "source": "CA" + "0" * 32,
        "id": "CE" + "1" * 32,
        "dataschema": "https://events-schemas.twilio.com/A2P.BrandRegistered/1",
        "datacontenttype": "application/json",
        "time": "2026-01-02T03:04:05.678Z",
        "data": {
            "accountsid": "AC" + "a" * 32,
            "brandsid": "BN" + "b" * 32,
            "brandstatus": "registered",
            "identitystatus": "verified",
        },
    }
    base.update(overrides)
    return base


def test_the_fixtures_are_the_twelve_documented_examples_and_cover_every_subscribed_type() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(EXPECTED)
    assert {short for short, *_ in EXPECTED.values()} == set(SUBSCRIBED_SCHEMA_VERSIONS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_documented_example_decodes_to_its_resource_and_status(name: str) -> None:
    short, kind, sid, status, identity, codes = EXPECTED[name]

    result = decode_body(fixture_bytes(name))

    assert result.problems == []
    [decoded] = result.events
    assert decoded.id == "CE000000000000000000000000000000"
    assert decoded.type == A2P_PREFIX + short
    assert (decoded.short_type, decoded.kind, decoded.sid) == (short, kind, sid)
    assert (decoded.status, decoded.identity_status) == (status, identity)
    assert [e["error_code"] for e in decoded.errors] == codes
    assert decoded.time is not None and decoded.time[10] == "T"


def test_the_documented_examples_are_not_strict_json_but_still_decode() -> None:
    broken = []
    for path in sorted(FIXTURES.glob("*.json")):
        try:
            json.loads(path.read_text())
        except ValueError:
            broken.append(path.stem)
    # Transcribed faithfully: the doc's typos are in the fixtures.
    assert broken == [
        "brand-failure",
        "brand-registered",
        "campaign-approved",
        "campaign-failure",
        "number-registration-failed",
    ]


def test_the_typo_in_the_type_and_the_7_in_the_time_are_repaired() -> None:
    [decoded] = decode_body(fixture_bytes("brand-unverified")).events

    assert decoded.type == A2P_PREFIX + "brand-registration.brand-unverified"
    assert decoded.time == "2023-06-15T13:51:04.528Z"
    assert decoded.brand_id == "XXXXXXX"
    assert decoded.account == "ACXXXXXXXXX"
    assert decoded.envelope["datacontenttype"] == "application/ison"  # kept as received


def test_the_brand_failure_example_labelled_campaign_submitted_reads_as_a_brand_failure() -> None:
    [decoded] = decode_body(fixture_bytes("brand-failure")).events

    assert decoded.kind == "brand"
    assert decoded.short_type == "brand-registration.brand-failure"
    assert any("brandregistrationerrors" in note for note in decoded.notes)
    first = decoded.errors[0]
    assert first["url"] == "https://www.twilio.com/docs/api/errors/30796"
    assert first["fields"] == ["stock_ticker", "stock_exchange", "business name"]
    # The line break the doc put inside the description survives as text.
    assert "legal company nan\ne." in first["description"]


def test_campaign_failure_errors_come_in_the_rest_shape() -> None:
    [decoded] = decode_body(fixture_bytes("campaign-failure")).events

    assert decoded.errors[1] == {
        "error_code": 30893,
        "description": "The campaign submission has been reviewed and it was rejected "
        "because of invalid sample message content.",
        "url": "https://www.twilio.com/docs/api/errors/30893",
        "fields": ["SAMPLE MESSAGE_1"],
    }
    assert decoded.event_status == "failure"
    assert decoded.campaign_sid == "CMXXXXXXXXX"
    assert decoded.brand_sid == "BNXXXXXXXXX"


def test_number_events_carry_the_e164_number_and_the_failure_reason() -> None:
    [decoded] = decode_body(fixture_bytes("number-registration-failed")).events

    assert decoded.phone_number == "+11234567890"
    assert decoded.failure_reason == "https://www.twilio.com/docs/api/errors/30126"
    assert decoded.schema_version == 1  # read from the doubled dataschema
    assert decoded.campaign_sid == "CMXXXXXXXXXXXXXXXX"


def test_deregistration_successful_has_no_campaign() -> None:
    [decoded] = decode_body(fixture_bytes("number-deregistration-successful")).events

    assert decoded.campaign_sid is None
    assert decoded.status == "UNREGISTERED"


def test_campaign_approved_records_the_tcr_campaign_id() -> None:
    [decoded] = decode_body(fixture_bytes("campaign-approved")).events

    assert decoded.campaign_id == "XXXXXXX"
    assert decoded.messaging_service_sid == "MGXXXXXXXXX"


def test_approved_as_a_campaign_status_word_means_verified() -> None:
    data = {"messagingservicesid": "MG" + "1" * 32, "campaignregistrationstatus": "approved"}
    payload = [event(type=A2P_PREFIX + "campaign-registration.campaign-approved", data=data)]

    [decoded] = decode_payload(payload).events

    assert decoded.status == "VERIFIED"


def test_schema_version_2_brand_failure_with_registration_failed_status() -> None:
    data = {
        "accountsid": "AC" + "a" * 32,
        "brandsid": "BN" + "b" * 32,
        "brandstatus": "registration_failed",
        "brandregistrationerrors": [
            {
                "registrationerrorcode": 30795,
                "registrationerrordescription": "name does not match EIN",
                "registrationerrorurl": "https://www.twilio.com/docs/api/errors/30795",
                "registrationerrorfields": ["business_name"],
            }
        ],
    }
    payload = [
        event(
            type=A2P_PREFIX + "brand-registration.brand-failure",
            dataschema="https://events-schemas.twilio.com/A2P.BrandRegistrationFailure/2",
            data=data,
        )
    ]

    [decoded] = decode_payload(payload).events

    assert (decoded.status, decoded.event_status, decoded.schema_version) == (
        "FAILED",
        "registration_failed",
        2,
    )
    assert decoded.errors[0]["fields"] == ["business_name"]
    assert decoded.notes == ()


def test_a_single_event_object_decodes_like_a_batch_of_one() -> None:
    single = json.dumps(event()).encode()
    batch = json.dumps([event()]).encode()

    assert decode_body(single).events == decode_body(batch).events


def test_a_batch_decodes_every_event_and_reports_the_malformed_ones() -> None:
    payload = [event(id="CE1"), {"type": "x"}, event(id="CE3", data="nope"), "text"]

    result = decode_payload(payload)

    assert [e.id for e in result.events] == ["CE1"]
    assert result.problems == [
        "event 2 of 4: no CloudEvent id (needed to record it once)",
        "event 3 of 4: event CE3: data is not a JSON object",
        "event 4 of 4: not a JSON object but str",
    ]


def test_an_a2p_event_without_its_resource_sid_is_malformed() -> None:
    payload = [event(data={"brandstatus": "registered"})]

    result = decode_payload(payload)

    assert result.events == []
    assert result.problems == ["event 1 of 1: brand event CE" + "1" * 32 + " has no brandsid"]


def test_an_empty_delivery_is_a_problem() -> None:
    assert decode_payload([]).problems == ["the delivery holds no events"]


def test_events_of_other_products_decode_without_a_status() -> None:
    payload = [event(type="com.twilio.messaging.message.delivered", data={"messagesid": "x"})]

    [decoded] = decode_payload(payload).events

    assert (decoded.kind, decoded.sid, decoded.status) == ("other", None, None)
    assert decoded.short_type == "com.twilio.messaging.message.delivered"


def test_a_sinks_test_event_decodes_as_such_with_its_test_id() -> None:
    payload = [event(type="com.twilio.eventstreams.test-sink", data={"test_id": "x" * 34})]

    [decoded] = decode_payload(payload).events

    assert (decoded.kind, decoded.status) == ("sink_test", None)
    assert decoded.event_status == "sink test event, test id " + "x" * 34


def test_unknown_a2p_types_imply_no_status_unless_the_payload_names_one() -> None:
    newer = event(
        type=A2P_PREFIX + "campaign-registration.campaign-paused",
        data={"messagingservicesid": "MG" + "1" * 32, "campaignregistrationstatus": "paused"},
    )
    expired = event(
        type=A2P_PREFIX + "campaign-registration.campaign-expired",
        data={"messagingservicesid": "MG" + "1" * 32, "campaignregistrationstatus": "expired"},
    )

    paused, ended = decode_payload([newer, expired]).events

    assert (paused.kind, paused.status, paused.event_status) == ("campaign", None, "paused")
    assert (ended.kind, ended.status) == ("campaign", "EXPIRED")


def test_a_missing_time_falls_back_to_the_payload_timestamp() -> None:
    data = {"phonenumbersid": "PN1", "externalstatus": "registered", "timestamp": 1710345070552}
    payload = [event(type=A2P_PREFIX + "number-registration.successful", time=None, data=data)]

    [decoded] = decode_payload(payload).events

    assert decoded.time == "2024-03-13T15:51:10.552Z"


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"not json", b"\xff\xfe\x00", b'[{"id": "CE1",'],
    ids=["empty", "blank", "text", "not-utf8", "truncated"],
)
def test_bodies_that_are_not_json_raise_a_payload_error(body: bytes) -> None:
    with pytest.raises(PayloadError):
        decode_body(body)


def test_repair_leaves_strings_alone() -> None:
    text = '{"a": "x; y, }", "b": [1, 2,], "c"; 3,}'

    assert repair(text) == '{"a": "x; y, }", "b": [1, 2], "c": 3}'
    assert parse_body(text) == {"a": "x; y, }", "b": [1, 2], "c": 3}


def test_repair_handles_escaped_quotes_inside_strings() -> None:
    text = r'{"a": "say \"hi\"; ok",}'

    assert parse_body(text) == {"a": 'say "hi"; ok'}


def test_a_body_nested_deeper_than_the_bound_is_refused_before_parsing() -> None:
    from a2pctl.events.payload import MAX_DEPTH, PayloadError, parse_body

    assert parse_body("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert parse_body('[{"data": {"text": "' + "[" * 1000 + '"}}]') is not None  # in a string
    with pytest.raises(PayloadError, match=f"deeper than {MAX_DEPTH}"):
        parse_body("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(PayloadError):
        decode_body(b'[{"data":' * 200_000)
