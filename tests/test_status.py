"""`a2pctl status`: live refresh through the gateway, the store written back, every
status explained in the table and the JSON document, and the exit codes."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
from rich.console import Console

from a2pctl.errors import ExitCode, UsageError
from a2pctl.gateway import CAMPAIGN_COMPLIANCE_SID, Gateway, GatewayError
from a2pctl.gateway.records import Brand, Bundle, Campaign, Evaluation, PhoneNumber, Service
from a2pctl.pacing import FakeClock
from a2pctl.remediation import catalogue as rem
from a2pctl.remediation import codes
from a2pctl.report import status as report_status
from a2pctl.state.store import Store
from a2pctl.status.items import CAMPAIGN_GONE, Item, Row, brand_item, bundle_item, campaign_item
from a2pctl.status.live import StatusReport, check, watch

ACCOUNT = "AC" + "a" * 32
PROFILE = "BU" + "1" * 32
TRUST = "BU" + "2" * 32
BRAND = "BN" + "3" * 32
SERVICE = "MG" + "4" * 32
NUMBER = "PN" + "5" * 32
NUMBER_2 = "PN" + "6" * 32
E164 = "+14155550123"
E164_2 = "+14155550124"


def missing(what: str) -> GatewayError:
    return GatewayError(f"The requested resource {what} was not found", status=404, code=20404)


class FakeGateway:
    """Twilio in memory: records shaped like the OpenAPI examples; 404 for the unknown."""

    def __init__(self, account_sid: str = ACCOUNT) -> None:
        self.account_sid = account_sid
        self.bundles: dict[str, dict[str, Any]] = {}
        self.evaluations: dict[str, list[dict[str, Any]]] = {}
        self.brands: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.members: dict[str, list[dict[str, Any]]] = {}
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.incoming: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        self.broken: GatewayError | None = None  # raised by every call when set

    def _call(self, name: str, sid: str) -> None:
        self.calls.append((name, sid))
        if self.broken is not None:
            raise self.broken

    def fetch_bundle(self, kind: str, sid: str) -> Bundle:
        self._call("fetch_bundle", sid)
        if sid not in self.bundles:
            raise missing(sid)
        return Bundle.from_twilio(self.bundles[sid])

    def list_evaluations(self, kind: str, bundle_sid: str) -> list[Evaluation]:
        self._call("list_evaluations", bundle_sid)
        return Evaluation.parse_all(self.evaluations.get(bundle_sid, []))

    def fetch_brand(self, sid: str) -> Brand:
        self._call("fetch_brand", sid)
        if sid not in self.brands:
            raise missing(sid)
        return Brand.from_twilio(self.brands[sid])

    def fetch_service(self, sid: str) -> Service:
        self._call("fetch_service", sid)
        if sid not in self.services:
            raise missing(sid)
        return Service.from_twilio(self.services[sid])

    def list_service_phone_numbers(self, service_sid: str) -> list[PhoneNumber]:
        self._call("list_service_phone_numbers", service_sid)
        return PhoneNumber.parse_all(self.members.get(service_sid, []))

    def fetch_campaign(self, service_sid: str) -> Campaign:
        self._call("fetch_campaign", service_sid)
        if service_sid not in self.campaigns:
            raise missing(CAMPAIGN_COMPLIANCE_SID)
        return Campaign.from_twilio(self.campaigns[service_sid])

    def find_incoming_numbers(self, *, phone_number: str) -> list[PhoneNumber]:
        self._call("find_incoming_numbers", phone_number)
        found = [n for n in self.incoming.values() if n["phone_number"] == phone_number]
        return PhoneNumber.parse_all(found)

    def fetch_incoming_number(self, sid: str) -> PhoneNumber:
        self._call("fetch_incoming_number", sid)
        if sid not in self.incoming:
            raise missing(sid)
        return PhoneNumber.from_twilio(self.incoming[sid])


def brand_record(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "sid": BRAND,
        "account_sid": ACCOUNT,
        "customer_profile_bundle_sid": PROFILE,
        "a2p_profile_bundle_sid": TRUST,
        "brand_type": "SOLE_PROPRIETOR",
        "status": "APPROVED",
        "identity_status": "VERIFIED",
        "tcr_id": "BXXXXXX",
        "failure_reason": None,
        "errors": [],
        "brand_feedback": None,
        "mock": False,
    }
    record.update(fields)
    return record


def campaign_record(**fields: Any) -> dict[str, Any]:
    record = {
        "sid": CAMPAIGN_COMPLIANCE_SID,
        "account_sid": ACCOUNT,
        "brand_registration_sid": BRAND,
        "messaging_service_sid": SERVICE,
        "us_app_to_person_usecase": "SOLE_PROPRIETOR",
        "campaign_status": "VERIFIED",
        "campaign_id": "CABC123",
        "errors": [],
        "mock": False,
    }
    record.update(fields)
    return record


@pytest.fixture
def twilio() -> FakeGateway:
    """A complete, healthy sole-proprietor registration as Twilio sees it."""
    gw = FakeGateway()
    gw.bundles[PROFILE] = {"sid": PROFILE, "status": "twilio-approved"}
    gw.bundles[TRUST] = {"sid": TRUST, "status": "twilio-approved"}
    gw.evaluations[PROFILE] = [{"sid": "EL1", "status": "compliant", "results": []}]
    gw.brands[BRAND] = brand_record()
    gw.services[SERVICE] = {"sid": SERVICE, "friendly_name": "Jane A2P"}
    gw.members[SERVICE] = [{"sid": NUMBER, "phone_number": E164}]
    gw.campaigns[SERVICE] = campaign_record()
    gw.incoming[NUMBER] = {"sid": NUMBER, "phone_number": E164}
    return gw


@pytest.fixture
def registered(store: Store) -> Store:
    """The store after `register` ran the whole sole-proprietor flow for jane-doe-pottery."""
    return seed(store)


def seed(store: Store, *, campaign: bool = True) -> Store:
    store.upsert_registration("jane-doe-pottery", ACCOUNT, "sole_proprietor", "jane.yaml")

    def record(sid: str, kind: str, status: str | None, detail: dict[str, Any]) -> None:
        store.record_resource(
            sid, kind=kind, status=status, detail=detail, name="jane-doe-pottery", account=ACCOUNT
        )

    record(PROFILE, "customer_profile", "in-review", {"sid": PROFILE, "status": "in-review"})
    record(TRUST, "trust_product", "in-review", {"sid": TRUST, "status": "in-review"})
    record(BRAND, "brand", "APPROVED", brand_record(identity_status="UNVERIFIED"))
    record(SERVICE, "messaging_service", None, {"sid": SERVICE})
    if campaign:
        record(
            "campaign:" + SERVICE, "campaign", "PENDING", campaign_record(campaign_status="PENDING")
        )
    record(
        NUMBER,
        "phone_number",
        "REGISTERED",
        {"phone_number": E164, "messaging_service_sid": SERVICE},
    )
    return store


def run(store: Store, gw: FakeGateway, clock: FakeClock, *refs: str) -> StatusReport:
    return check(
        list(refs), store=store, make_gateway=lambda account: cast(Gateway, gw), clock=clock
    )


def rendered(result: StatusReport) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=250, no_color=True, soft_wrap=True, highlight=False)
    report_status.render_status(result, console)
    return buffer.getvalue()


def documented(result: StatusReport) -> list[dict[str, Any]]:
    doc = report_status.status_document(result)
    assert list(doc) == ["items", "summary", "checked_at", "offline"]
    items: list[dict[str, Any]] = json.loads(json.dumps(doc))["items"]
    return items


def by_kind(items: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(i for i in items if i["kind"] == kind)


# --- whole registrations --------------------------------------------------------------------


def test_a_complete_registration_is_ok_and_exits_0(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    result = run(registered, twilio, clock)
    assert [row.name for row in result.rows] == ["jane-doe-pottery"]
    assert {i.kind for i in result.items} == {
        "customer_profile",
        "trust_product",
        "brand",
        "messaging_service",
        "campaign",
        "phone_number",
    }
    assert all(i.severity == rem.OK for i in result.items)
    assert result.exit_code == ExitCode.OK
    assert "1 complete" in rendered(result)


def test_refreshed_statuses_are_written_back_to_the_store(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    run(registered, twilio, clock)
    brand = registered.find_resource(BRAND)
    assert brand is not None
    assert (brand.status, brand.source) == ("APPROVED", "status")
    assert brand.detail["identity_status"] == "VERIFIED"
    campaign = registered.find_resource("campaign:" + SERVICE)
    assert campaign is not None
    assert (campaign.status, campaign.source) == ("VERIFIED", "status")
    assert campaign.detail["messaging_service_sid"] == SERVICE
    profile = registered.find_resource(PROFILE)
    assert profile is not None
    assert profile.status == "twilio-approved"
    assert profile.detail["evaluation"]["status"] == "compliant"
    number = registered.find_resource(NUMBER)
    assert number is not None
    assert number.source == "register"  # numbers have no REST status: left as recorded


def test_an_unanswered_otp_is_pending_with_otp_resend_as_next_action(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    seed(store, campaign=False)  # no campaign before verification
    twilio.brands[BRAND] = brand_record(identity_status="UNVERIFIED", tcr_id=None)
    del twilio.campaigns[SERVICE]
    result = run(store, twilio, clock)
    assert result.exit_code == ExitCode.PENDING
    row = result.rows[0]
    assert row.severity == rem.PENDING
    assert "a2pctl otp resend" in (row.next_action or "")
    text = rendered(result)
    assert "APPROVED / UNVERIFIED" in text
    assert "+1 (915) 278-2000" in text
    brand = by_kind(documented(result), "brand")
    assert brand["identity_status"] == "UNVERIFIED"
    assert brand["remediation"]["severity"] == "pending"


def test_campaign_errors_name_the_customer_file_fields_and_exit_1(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    twilio.campaigns[SERVICE] = campaign_record(
        campaign_status="FAILED",
        errors=[
            {
                "error_code": 30893,
                "fields": ["SAMPLE MESSAGE_1"],
                "url": "https://www.twilio.com/docs/api/errors/30893",
                "description": "Invalid sample message content",
            },
            {
                "error_code": 30886,
                "fields": ["USE_CASE DESCRIPTION"],
                "url": "https://www.twilio.com/docs/api/errors/30886",
                "description": "Invalid campaign description",
            },
        ],
    )
    result = run(registered, twilio, clock)
    assert result.exit_code == ExitCode.FAILED
    campaign = by_kind(documented(result), "campaign")
    assert campaign["status"] == "FAILED"
    assert campaign["campaign_id"] == "CABC123"
    assert [(e["code"], e["field"]) for e in campaign["errors"]] == [
        (30893, "campaign.message_samples[0]"),
        (30886, "campaign.description"),
    ]
    assert campaign["remediation"]["field"] == "campaign.message_samples[0]"
    text = rendered(result)
    assert "error 30893: Invalid sample message content → campaign.message_samples[0]" in text
    assert "error 30886: Invalid campaign description → campaign.description" in text
    assert codes.FIX_CAMPAIGN.replace("FILE", "jane.yaml") in text  # this registration's file
    assert "campaign.message_samples[0]: Fix the customer file" in text  # the table's next action


def test_a_failed_brand_with_a_tcr_id_says_fix_and_resubmit(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    twilio.brands[BRAND] = brand_record(
        brand_type="STANDARD",
        status="FAILED",
        identity_status="UNVERIFIED",
        errors=[
            {
                "error_code": 30796,
                "description": "Stock symbol does not match",
                "fields": ["stock_ticker", "stock_exchange"],
            }
        ],
        brand_feedback=["STOCK_SYMBOL"],
    )
    result = run(registered, twilio, clock)
    assert result.exit_code == ExitCode.FAILED
    brand = by_kind(documented(result), "brand")
    assert brand["tcr_id"] == "BXXXXXX"
    assert brand["brand_feedback"] == ["STOCK_SYMBOL"]
    assert brand["errors"][0]["twilio_fields"] == ["stock_ticker", "stock_exchange"]
    assert brand["remediation"]["field"] == "messaging_profile.stock_ticker"
    assert "can be resubmitted" in brand["remediation"]["action"]
    assert "can be resubmitted" in rendered(result)


def test_a_noncompliant_profile_lists_every_failing_field(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    twilio.bundles[PROFILE] = {"sid": PROFILE, "status": "draft"}
    twilio.evaluations[PROFILE] = [
        {"sid": "EL0", "status": "compliant", "date_created": "2026-01-01T00:00:00Z"},
        {
            "sid": "EL1",
            "status": "noncompliant",
            "date_created": "2026-01-01T00:05:00Z",
            "results": [
                {
                    "object_type": "starter_customer_profile_information",
                    "passed": False,
                    "invalid": [
                        {
                            "object_field": "phone_number",
                            "failure_reason": "Phone number is invalid.",
                            "error_code": 22218,
                        }
                    ],
                }
            ],
        },
    ]
    result = run(registered, twilio, clock)
    assert result.exit_code == ExitCode.FAILED
    profile = by_kind(documented(result), "customer_profile")
    assert profile["evaluation"] == "noncompliant"
    assert profile["errors"] == [
        {
            "code": None,
            "description": "Phone number is invalid. (error 22218)",
            "field": "contact.phone_number",
            "twilio_fields": [],
        }
    ]
    assert "Phone number is invalid. (error 22218) → contact.phone_number" in rendered(result)


def test_a_registration_that_stopped_early_shows_what_is_not_created_yet(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    store.upsert_registration("acme", ACCOUNT, "standard", "acme.yaml")
    store.record_resource(
        PROFILE, kind="customer_profile", status="in-review", name="acme", account=ACCOUNT
    )
    result = run(store, twilio, clock, "acme")
    items = documented(result)
    assert [(i["kind"], i["sid"]) for i in items] == [
        ("customer_profile", PROFILE),
        ("trust_product", None),
        ("brand", None),
        ("messaging_service", None),
        ("campaign", None),
        ("phone_number", None),
    ]
    assert by_kind(items, "brand")["remediation"]["explanation"] == "Not created yet."
    assert result.exit_code == ExitCode.PENDING
    # The profile only waits; what the user can do is finish the registration.
    # The catalogue's FILE placeholder is filled in with the registration's own file.
    assert result.rows[0].next_action == "Run `a2pctl register acme.yaml`."
    assert "not created" in rendered(result)


def test_no_campaign_on_the_service_yet_is_pending(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    seed(store, campaign=False)
    del twilio.campaigns[SERVICE]
    result = run(store, twilio, clock, SERVICE)
    campaign = next(i for i in result.items if i.kind == "campaign")
    assert (campaign.sid, campaign.remediation) == (None, rem.NO_CAMPAIGN)
    assert campaign.extra["messaging_service_sid"] == SERVICE
    assert result.exit_code == ExitCode.PENDING


def test_a_recorded_campaign_that_no_longer_exists_fails(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    del twilio.campaigns[SERVICE]
    result = run(registered, twilio, clock)
    campaign = next(i for i in result.items if i.kind == "campaign")
    assert campaign.remediation == replace(
        CAMPAIGN_GONE, action=(CAMPAIGN_GONE.action or "").replace("FILE", "jane.yaml")
    )
    assert result.exit_code == ExitCode.FAILED


# --- numbers ------------------------------------------------------------------------------


def test_number_statuses_come_from_what_events_recorded(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    registered.record_resource(
        NUMBER,
        kind="phone_number",
        status="PENDING_REGISTRATION",
        detail={"phone_number": E164, "messaging_service_sid": SERVICE},
        name="jane-doe-pottery",
        account=ACCOUNT,
        source="event",
    )
    result = run(registered, twilio, clock)
    number = by_kind(documented(result), "phone_number")
    assert number["status"] == "PENDING_REGISTRATION"
    assert number["phone_number"] == E164
    assert "Several days is normal" in number["remediation"]["explanation"]
    assert result.exit_code == ExitCode.PENDING


@pytest.mark.parametrize("written", ["+1 415 555 0123", "+1 (415) 555-0123", E164])
def test_a_number_is_found_however_it_is_spaced(
    registered: Store, twilio: FakeGateway, clock: FakeClock, written: str
) -> None:
    registered.record_resource(
        NUMBER,
        kind="phone_number",
        status="REGISTERED",
        detail={"phone_number": E164, "messaging_service_sid": SERVICE},
        name="jane-doe-pottery",
        account=ACCOUNT,
        source="event",
    )
    result = check(
        [written], store=registered, make_gateway=lambda account: cast(Gateway, twilio), clock=clock
    )
    number = by_kind(documented(result), "phone_number")
    assert (number["registration"], number["status"]) == ("jane-doe-pottery", "REGISTERED")


def test_a_number_with_letters_is_refused_not_looked_up(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    with pytest.raises(UsageError, match="may hold only digits"):
        check(
            ["+1 514 CALL NOW"],
            store=registered,
            make_gateway=lambda a: cast(Gateway, twilio),
            clock=clock,
        )


def test_a_failed_number_shows_the_event_failure_reason(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    reason = "https://www.twilio.com/docs/api/errors/30126"
    registered.record_resource(
        NUMBER,
        kind="phone_number",
        status="FAILURE",
        detail={"phone_number": E164, "failure_reason": reason},
        name="jane-doe-pottery",
        account=ACCOUNT,
        source="event",
    )
    result = run(registered, twilio, clock)
    assert by_kind(documented(result), "phone_number")["failure_reason"] == reason
    assert f"reason: {reason}" in rendered(result)
    assert result.exit_code == ExitCode.FAILED


def test_a_number_with_no_known_status_in_a_verified_campaign_is_not_pending(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    registered.record_resource(
        NUMBER, kind="phone_number", status=None, detail={"phone_number": E164},
        name="jane-doe-pottery", account=ACCOUNT,
    )  # fmt: skip
    result = run(registered, twilio, clock)
    number = next(i for i in result.items if i.kind == "phone_number")
    assert (number.status, number.severity) == (None, rem.OK)
    assert result.exit_code == ExitCode.OK


def test_a_sole_proprietor_service_with_two_numbers_fails_with_the_one_number_rule(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    twilio.members[SERVICE].append({"sid": NUMBER_2, "phone_number": E164_2})
    result = run(registered, twilio, clock)
    numbers = {i.sid: i for i in result.items if i.kind == "phone_number"}
    assert numbers[NUMBER].severity == rem.OK  # the registered one
    assert numbers[NUMBER_2].remediation == rem.SOLE_PROPRIETOR_EXTRA_NUMBERS
    assert result.exit_code == ExitCode.FAILED
    assert "remove all numbers" in rendered(result)


def test_a_recorded_number_missing_from_the_service_is_pending(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    twilio.members[SERVICE] = []
    result = run(registered, twilio, clock)
    number = next(i for i in result.items if i.kind == "phone_number")
    assert number.sid == NUMBER
    assert number.severity == rem.PENDING
    assert "sender pool" in number.remediation.explanation


# --- references ------------------------------------------------------------------------------


def test_a_brand_sid_not_in_the_store_is_fetched_live_with_no_registration(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    result = run(store, twilio, clock, BRAND)
    items = documented(result)
    assert items == [
        {
            "registration": None,
            "account": None,
            "kind": "brand",
            "sid": BRAND,
            "status": "APPROVED",
            "severity": "ok",
            "updated_at": "2026-01-01 00:00:00 UTC",
            "stale": False,
            "identity_status": "VERIFIED",
            "failure_reason": None,
            "brand_type": "SOLE_PROPRIETOR",
            "tcr_id": "BXXXXXX",
            "brand_feedback": None,
            "mock": False,
            "errors": [],
            "remediation": None,
        }
    ]
    assert store.find_resource(BRAND) is None  # unknown resources are not recorded


def test_a_service_sid_shows_its_campaign_and_numbers(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    result = run(registered, twilio, clock, SERVICE)
    assert [(i.kind, i.registration) for i in result.items] == [
        ("messaging_service", "jane-doe-pottery"),
        ("campaign", "jane-doe-pottery"),
        ("phone_number", "jane-doe-pottery"),
    ]


def test_a_known_number_by_e164_shows_its_last_known_status_without_a_request(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    result = run(registered, twilio, clock, E164)
    assert [(i.sid, i.status) for i in result.items] == [(NUMBER, "REGISTERED")]
    assert twilio.calls == []


@pytest.mark.parametrize("ref", [E164_2, NUMBER_2])
def test_an_unknown_number_is_looked_up_live_with_an_unknown_status(
    store: Store, twilio: FakeGateway, clock: FakeClock, ref: str
) -> None:
    twilio.incoming[NUMBER_2] = {"sid": NUMBER_2, "phone_number": E164_2}
    result = run(store, twilio, clock, ref)
    [item] = result.items
    assert (item.sid, item.status, item.remediation) == (NUMBER_2, None, rem.NUMBER_UNKNOWN)


def test_a_number_the_account_does_not_own_fails(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    result = run(store, twilio, clock, "+14155559999")
    assert result.exit_code == ExitCode.FAILED
    assert "not a number of this account" in result.items[0].remediation.explanation


def test_two_references_into_one_registration_make_one_row(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    result = run(registered, twilio, clock, BRAND, SERVICE, BRAND)
    assert len(result.rows) == 1
    assert [i.kind for i in result.rows[0].items].count("brand") == 1


def test_an_unknown_registration_name_is_a_usage_error(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    with pytest.raises(UsageError, match="no registration named 'nobody'"):
        run(store, twilio, clock, "nobody")


def test_an_empty_store_reports_nothing_and_exits_0(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    result = run(store, twilio, clock)
    assert result.rows == ()
    assert result.exit_code == ExitCode.OK
    assert "No registrations" in rendered(result)


# --- errors from Twilio ---------------------------------------------------------------------


def test_an_unreachable_api_is_said_once_and_the_last_known_states_are_shown_stale(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    twilio.broken = GatewayError("connection refused", status=None, retryable=True)
    result = run(registered, twilio, clock)
    assert len(twilio.calls) == 1  # asked once, then nothing more: no retry storm
    assert result.offline is not None and "connection refused" in result.offline
    brand = next(i for i in result.items if i.kind == "brand")
    assert brand.status == "APPROVED" and brand.stale
    assert brand.seen_at is not None
    assert all(i.stale for i in result.items if i.sid is not None)
    assert not any("re-run `a2pctl register" in (i.remediation.action or "") for i in result.items)
    assert result.exit_code != ExitCode.FAILED
    text = rendered(result)
    assert text.count("connection refused") == 1
    stored = registered.find_resource(BRAND)
    assert stored is not None and stored.source == "register"  # nothing overwritten


def test_wrong_credentials_stop_the_whole_check(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    twilio.broken = GatewayError("Authenticate", status=401, code=20003)
    with pytest.raises(GatewayError, match="Authenticate"):
        run(registered, twilio, clock)


def test_a_brand_sid_that_does_not_exist_fails_with_a_hint(
    store: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    other = "BN" + "9" * 32
    result = run(store, twilio, clock, other)
    assert "was not found" in result.items[0].remediation.explanation
    assert result.exit_code == ExitCode.FAILED


# --- watch ------------------------------------------------------------------------------------


def test_watch_refreshes_on_the_interval_until_nothing_is_pending(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    twilio.campaigns[SERVICE] = campaign_record(campaign_status="IN_PROGRESS")
    seen: list[StatusReport] = []

    def on_report(result: StatusReport) -> None:
        seen.append(result)
        if len(seen) == 3:  # TCR approves while we watch
            twilio.campaigns[SERVICE] = campaign_record(campaign_status="VERIFIED")

    final = watch(
        lambda: run(registered, twilio, clock), clock=clock, interval=60.0, on_report=on_report
    )
    assert len(seen) == 4
    assert clock.sleeps == [60.0, 60.0, 60.0]
    assert final.exit_code == ExitCode.OK


def test_watch_stops_at_a_failure_when_nothing_else_is_pending(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    twilio.campaigns[SERVICE] = campaign_record(campaign_status="FAILED")
    final = watch(
        lambda: run(registered, twilio, clock), clock=clock, interval=5.0, on_report=lambda r: None
    )
    assert clock.sleeps == []
    assert final.exit_code == ExitCode.FAILED


# --- every status, in the table and the JSON document -------------------------------------------


def one_item_report(item: Item) -> StatusReport:
    return StatusReport(rows=(Row("jane", ACCOUNT, "sole_proprietor", (item,)),), checked_at=0.0)


def assert_explained(item: Item) -> None:
    result = one_item_report(item)
    [doc] = documented(result)
    assert doc["kind"] == item.kind
    assert doc["status"] == item.status
    text = rendered(result)
    if item.severity == rem.OK:
        assert doc["remediation"] is None
        assert result.exit_code == ExitCode.OK
    else:
        assert doc["remediation"]["explanation"] == item.remediation.explanation
        assert item.remediation.explanation in text
        assert item.remediation.action and item.remediation.action in text
        expected = ExitCode.FAILED if item.severity == rem.FAILED else ExitCode.PENDING
        assert result.exit_code == expected
    assert (item.status or "not created") in text


BUNDLE_STATUSES = ["draft", "pending-review", "in-review", "twilio-approved", "twilio-rejected"]
BRAND_STATES = [
    ("PENDING", None), ("IN_REVIEW", None), ("APPROVED", "UNVERIFIED"), ("APPROVED", "VERIFIED"),
    ("APPROVED", "VETTED_VERIFIED"), ("APPROVED", "SELF_DECLARED"), ("FAILED", None),
    ("SUSPENDED", None), ("DELETION_PENDING", None), ("DELETION_FAILED", None),
]  # fmt: skip
CAMPAIGN_STATUSES = ["PENDING", "IN_PROGRESS", "VERIFIED", "FAILED", "SUSPENDED"]
NUMBER_STATUSES = [
    "UNREGISTERED", "PENDING_REGISTRATION", "REGISTERED", "PENDING_DEREGISTRATION", "FAILURE",
]  # fmt: skip


@pytest.mark.parametrize("status", BUNDLE_STATUSES)
@pytest.mark.parametrize("kind", ["customer_profile", "trust_product"])
def test_every_bundle_status_is_explained_in_table_and_json(kind: str, status: str) -> None:
    assert_explained(bundle_item(kind, PROFILE, {"status": status}, "jane", ACCOUNT))


@pytest.mark.parametrize(("status", "identity"), BRAND_STATES)
@pytest.mark.parametrize("brand_type", ["SOLE_PROPRIETOR", "STANDARD"])
def test_every_brand_status_is_explained_in_table_and_json(
    brand_type: str, status: str, identity: str | None
) -> None:
    detail = brand_record(brand_type=brand_type, status=status, identity_status=identity)
    assert_explained(brand_item(BRAND, detail, "jane", ACCOUNT))


@pytest.mark.parametrize("status", CAMPAIGN_STATUSES)
def test_every_campaign_status_is_explained_in_table_and_json(status: str) -> None:
    assert_explained(campaign_item(campaign_record(campaign_status=status), "jane", ACCOUNT))


@pytest.mark.parametrize("status", NUMBER_STATUSES)
def test_every_number_status_is_explained_in_table_and_json(status: str) -> None:
    item = Item("phone_number", NUMBER, status, rem.for_number(status), "jane", ACCOUNT)
    assert_explained(item)


BRAND_ERROR_CODES = sorted(c for c in codes.CODES if 30700 <= c < 30800 or 21724 <= c <= 21741)
CAMPAIGN_ERROR_CODES = sorted(
    c for c in codes.CODES if 30800 <= c < 31000 or 21710 <= c <= 21732 or c == 30126
)


@pytest.mark.parametrize("code", BRAND_ERROR_CODES)
def test_every_brand_failure_code_is_explained_in_table_and_json(code: int) -> None:
    error = {"error_code": code, "description": f"Twilio says {code}", "fields": []}
    detail = brand_record(status="FAILED", errors=[error])
    item = brand_item(BRAND, detail, "jane", ACCOUNT)
    assert item.remediation.explanation == codes.CODES[code][0]
    assert_explained(item)
    assert f"error {code}: Twilio says {code}" in rendered(one_item_report(item))


@pytest.mark.parametrize("code", CAMPAIGN_ERROR_CODES)
def test_every_campaign_failure_code_is_explained_in_table_and_json(code: int) -> None:
    error = {"error_code": code, "description": f"Twilio says {code}", "fields": []}
    item = campaign_item(campaign_record(campaign_status="FAILED", errors=[error]), "j", ACCOUNT)
    assert item.remediation.explanation == codes.CODES[code][0]
    assert_explained(item)


@pytest.mark.parametrize("reason", [r[0] for r in codes.SP_FAILURE_REASONS])
def test_every_sole_proprietor_failure_reason_is_explained_in_table_and_json(reason: str) -> None:
    detail = brand_record(status="FAILED", failure_reason=reason.capitalize(), tcr_id=None)
    item = brand_item(BRAND, detail, "jane", ACCOUNT)
    assert_explained(item)
    assert f"reason: {reason.capitalize()}" in rendered(one_item_report(item))


def test_twilio_text_with_brackets_is_printed_literally() -> None:
    reason = "[address_sids] - Invalid Street. Address suggestion -> Street: 1 Jersey St."
    item = bundle_item(
        "customer_profile",
        PROFILE,
        {"status": "twilio-rejected", "failure_reason": reason},
        "jane",
        ACCOUNT,
    )
    text = rendered(one_item_report(item))
    assert reason in text
    assert "address.street" in text


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_status_on_an_empty_store_prints_an_empty_document_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from a2pctl.cli.app import app

    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "not-a-real-token")
    Store.open(tmp_path / "s.db", FakeClock()).close()
    result = CliRunner().invoke(app, ["status", "--json", "--state", str(tmp_path / "s.db")])
    assert result.exit_code == ExitCode.OK
    doc = json.loads(result.stdout)
    assert doc["items"] == [] and doc["offline"] is None
    assert doc["summary"] == {"failed": 0, "pending": 0, "complete": 0}
    assert "not-a-real-token" not in result.output


def test_cli_status_of_an_unknown_name_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from a2pctl.cli.app import main

    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "not-a-real-token")
    with pytest.raises(SystemExit) as exit_info:
        main(["status", "--state", str(tmp_path / "s.db"), "nobody"])
    assert exit_info.value.code == ExitCode.USAGE
    assert "no registration named 'nobody'" in capsys.readouterr().err


# --- from the store: what is asked -----------------------------------------------------------


def test_from_the_store_nothing_is_asked_and_refresh_asks_once_per_pending_resource(
    registered: Store, twilio: FakeGateway, clock: FakeClock
) -> None:
    def ask(refresh: str) -> StatusReport:
        twilio.calls.clear()
        return check(
            [],
            store=registered,
            make_gateway=lambda a: cast(Gateway, twilio),
            clock=clock,
            refresh=refresh,
        )

    stored = ask("none")
    assert twilio.calls == []
    assert stored.requests == 0
    assert all(i.seen_at is not None and not i.stale for i in stored.items if i.sid)
    assert stored.exit_code == ExitCode.PENDING
    ask("pending")
    asked = [sid for _, sid in twilio.calls]
    assert len(asked) == len(set(asked))  # at most one request per pending resource
    assert NUMBER not in asked  # REGISTERED: settled
    assert ("fetch_service", SERVICE) not in twilio.calls
    assert BRAND in asked  # APPROVED but not verified: pending
    ask("all")
    assert ("fetch_service", SERVICE) in twilio.calls
