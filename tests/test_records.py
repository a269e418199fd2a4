"""Typed records parsed at the gateway boundary (a2pctl/gateway/records.py)."""

from __future__ import annotations

import json

from a2pctl.gateway.records import (
    Brand,
    Campaign,
    EndUser,
    EventType,
    RegistrationError,
    Sink,
    Usecases,
)

BN = "BN" + "1" * 32


def test_missing_keys_read_as_none_false_or_empty_like_get_did() -> None:
    brand = Brand.from_twilio({"sid": BN})

    assert brand.sid == BN
    assert (brand.status, brand.mock, brand.tcr_id, brand.date_created) == (None, None, None, None)
    assert brand.errors == ()
    assert Brand.from_twilio({}).sid == ""


def test_errors_arrive_parsed_in_one_shape_whatever_shape_twilio_sent() -> None:
    brand = Brand.from_twilio(
        {"sid": BN, "errors": [{"code": 30794, "message": "EIN mismatch"}, "odd"]}
    )

    assert brand.errors == (
        RegistrationError(30794, "EIN mismatch"),
        RegistrationError(None, "odd"),
    )


def test_the_detail_is_the_answer_itself_for_the_state_store() -> None:
    answer = {"sid": BN, "status": "APPROVED", "brand_feedback": ["TAX_ID"], "extra": {"a": 1}}

    brand = Brand.from_twilio(answer)

    assert brand.as_detail() == answer
    assert json.dumps(brand.as_detail())
    assert "raw" not in repr(brand)


def test_campaign_parameters_read_back_as_the_file_has_them() -> None:
    campaign = Campaign.from_twilio(
        {"message_samples": ["one", "two"], "age_gated": False, "opt_in_keywords": []}
    )

    assert campaign.message_samples == ("one", "two")
    assert campaign.sent("message_samples") == ["one", "two"]
    assert campaign.sent("age_gated") is False
    assert campaign.sent("opt_in_keywords") is None  # empty, as if left out
    assert campaign.sent("help_message") is None


def test_an_end_users_profile_attributes_come_from_an_object_or_its_json() -> None:
    attributes = {"company_type": "public", "brand_contact_email": "ceo@isv.example"}
    as_object = EndUser.from_twilio({"sid": "IT1", "attributes": attributes})
    as_text = EndUser.from_twilio({"sid": "IT1", "attributes": json.dumps(attributes)})
    broken = EndUser.from_twilio({"sid": "IT1", "attributes": "{not json"})

    for user in (as_object, as_text):
        assert user.has_attributes
        assert (user.company_type, user.brand_contact_email) == ("public", "ceo@isv.example")
    assert not broken.has_attributes and broken.company_type is None


def test_a_sinks_webhook_settings_come_from_its_configuration() -> None:
    config = {"destination": "https://isv.example/e", "method": "post", "batch_events": "true"}
    sink = Sink.from_twilio({"sid": "DG1", "sink_configuration": json.dumps(config)})

    assert (sink.destination, sink.method, sink.batch_events) == (
        "https://isv.example/e",
        "post",
        True,
    )
    assert Sink.from_twilio({"sid": "DG1"}).batch_events is None  # not said


def test_nested_and_numeric_fields() -> None:
    found = Usecases.from_twilio({"us_app_to_person_usecases": [{"code": "MIXED"}, "odd"]})

    assert [u.code for u in found.us_app_to_person_usecases] == ["MIXED"]
    assert EventType.from_twilio({"type": "x", "schema_version": "2"}).schema_version == 2
