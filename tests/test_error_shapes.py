"""Brand and campaign errors in any of Twilio's shapes (the REST resources', the generic
`{code, message}`, Event Streams' `registrationerror*`) are read once, at the boundary,
and shown with their code, description and fields by `register`, `status` and `--json`;
an entry of unknown shape keeps its raw text, never "Error None"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from engine_support import STANDARD, Patched, make_world

from a2pctl.gateway.records import RegistrationError, registration_errors
from a2pctl.report import status as report_status
from a2pctl.status import items

DESCRIPTION = "The legal name does not match the EIN."
SHAPES: dict[str, dict[str, Any]] = {
    "rest": {
        "error_code": 30795,
        "description": DESCRIPTION,
        "fields": ["business_name"],
        "url": "https://www.twilio.com/docs/api/errors/30795",
    },
    "generic": {
        "code": 30795,
        "message": DESCRIPTION,
        "fields": ["business_name"],
        "more_info": "https://www.twilio.com/docs/api/errors/30795",
    },
    "events": {
        "registrationerrorcode": 30795,
        "registrationerrordescription": DESCRIPTION,
        "registrationerrorfields": ["business_name"],
        "registrationerrorurl": "https://www.twilio.com/docs/api/errors/30795",
    },
}
EXPECTED = RegistrationError(
    30795, DESCRIPTION, ("business_name",), "https://www.twilio.com/docs/api/errors/30795"
)


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_becomes_one_registration_error(shape: str) -> None:
    assert registration_errors([SHAPES[shape]]) == [EXPECTED]


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ({"unexpected": "shape"}, '{"unexpected": "shape"}'),
        ("a bare string", "a bare string"),
        ({"error_code": 30795}, "error 30795"),
        ({"code": None, "message": None}, '{"code": null, "message": null}'),
    ],
)
def test_an_entry_of_unknown_shape_keeps_its_raw_text(raw: Any, text: str) -> None:
    [error] = registration_errors([raw])
    assert error.description == text
    assert "None" not in error.description


def test_no_errors_value_is_no_errors() -> None:
    assert registration_errors(None) == [] == registration_errors("FAILED")


@pytest.mark.parametrize("shape", SHAPES)
def test_register_and_its_json_show_code_description_and_field_for_each_shape(
    tmp_path: Path, shape: str
) -> None:
    world = make_world(tmp_path, "brand-fails")
    world.recorder.simulator = Patched(  # type: ignore[assignment]
        world.simulator,
        lambda method, url: "/v1/a2p/BrandRegistrations/BN" in url,
        {"errors": [SHAPES[shape]]},
    )
    [outcome] = world.register(STANDARD)
    assert outcome.outcome == "failed"
    [detail] = [e for e in outcome.errors if e.get("code") == 30795]
    assert detail["message"] == DESCRIPTION
    assert detail["field"] == "business.business_name"


@pytest.mark.parametrize("shape", SHAPES)
def test_status_shows_code_description_and_fields_for_each_shape(shape: str) -> None:
    brand: dict[str, Any] = {
        "sid": "BN" + "0" * 32,
        "status": "FAILED",
        "brand_type": "STANDARD",
        "tcr_id": "BXXXXXX",
        "errors": [SHAPES[shape]],
    }
    item = items.brand_item(brand["sid"], brand, "northwind-outfitters", "AC" + "0" * 32)
    [problem] = item.errors
    assert (problem.code, problem.description) == (30795, DESCRIPTION)
    assert problem.field == "business.business_name"
    assert problem.twilio_fields == ("business_name",)
    row = items.Row("northwind-outfitters", "AC" + "0" * 32, "standard", (item,))
    [doc] = report_status.status_document(items.StatusReport((row,), 0.0))["items"]
    assert doc["errors"] == [
        {
            "code": 30795,
            "description": DESCRIPTION,
            "field": "business.business_name",
            "twilio_fields": ["business_name"],
        }
    ]
