"""Every request the gateway can send, checked against Twilio's OpenAPI descriptions.

Each `Gateway` method runs through the real `twilio` library over `requests`,
answered by `responses` with the description's own example for the operation;
every request it sends must be one the description allows.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import tarfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from oas import (
    CLI_CORE,
    ENV_DIR,
    REPO,
    SHARED_DIR,
    SPEC_FILES,
    PinnedRelease,
    Specs,
    check_request,
    load_specs,
    locate_spec_dir,
)

from a2pctl.gateway import CAMPAIGN_COMPLIANCE_SID, Credentials, Gateway
from a2pctl.gateway.records import TwilioRecord
from a2pctl.gateway.twilio import TwilioGateway
from a2pctl.pacing import FakeClock, RateLimiter

TWILIO_HOSTS = re.compile(r"https://(trusthub|messaging|events|api)\.twilio\.com/.*")
RATE = 1000.0  # requests per second: pacing is not what these tests look at


def sid(prefix: str, n: int = 1) -> str:
    return f"{prefix}{n:032x}"


ACCOUNT = sid("AC", 0xA)
SUBACCOUNT = sid("AC", 0x5B)
BU, BU2, IT, RD, AD, PN, BN, MG, DG, DF = (
    sid("BU"),
    sid("BU", 2),
    sid("IT"),
    sid("RD"),
    sid("AD"),
    sid("PN"),
    sid("BN"),
    sid("MG"),
    sid("DG"),
    sid("DF"),
)
POLICY = "RNb0d9e8c5f4bc11b6e0ce5236d4e3dbd8"
CAMPAIGN = {
    "brand_registration_sid": BN,
    "description": "Order updates and pickup reminders for Jane Doe Pottery customers.",
    "message_flow": "Customers opt in at checkout on janedoepottery.com by ticking a box.",
    "message_samples": [
        "Jane Doe Pottery: your order #123 is ready for pickup. Reply STOP to opt out.",
        "Jane Doe Pottery: class starts at 6pm tomorrow. Reply HELP for help.",
    ],
    "us_app_to_person_usecase": "SOLE_PROPRIETOR",
    "has_embedded_links": False,
    "has_embedded_phone": False,
    "opt_in_keywords": ["START", "YES"],
    "opt_in_message": "Jane Doe Pottery: you are subscribed to order updates.",
    "opt_out_keywords": ["STOP"],
    "opt_out_message": "Jane Doe Pottery: you are unsubscribed and will get no more messages.",
    "help_keywords": ["HELP"],
    "help_message": "Jane Doe Pottery: call +14155550100 for help. Reply STOP to opt out.",
    "subscriber_opt_in": True,
    "age_gated": False,
    "direct_lending": False,
    "privacy_policy_url": "https://janedoepottery.com/privacy",
    "terms_and_conditions_url": "https://janedoepottery.com/terms",
}
CAMPAIGN_WITHOUT_OPTIONAL_URLS = {
    k: v for k, v in CAMPAIGN.items() if k not in ("privacy_policy_url", "terms_and_conditions_url")
}
ATTRIBUTES = {"first_name": "Jane", "last_name": "Doe", "email": "jane@janedoepottery.com"}

# (gateway method, positional args, keyword args, the operations it must send)
CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], list[str]]] = []
for kind, noun in (("customer_profile", "CustomerProfile"), ("trust_product", "TrustProduct")):
    CASES += [
        (
            "create_bundle",
            (kind,),
            {
                "friendly_name": "jane-doe-pottery",
                "email": "jane@janedoepottery.com",
                "policy_sid": POLICY,
                "status_callback": "https://isv.example/hooks/trusthub",
            },
            [f"Create{noun}"],
        ),
        ("fetch_bundle", (kind, BU), {}, [f"Fetch{noun}"]),
        (
            "list_bundles",
            (kind,),
            {"friendly_name": "jane-doe-pottery", "policy_sid": POLICY},
            [f"List{noun}"],
        ),
        ("update_bundle", (kind, BU), {"status": "pending-review"}, [f"Update{noun}"]),
        (
            "update_bundle",
            (kind, BU),
            {"email": "a@b.example", "friendly_name": "x", "status_callback": "https://a.example"},
            [f"Update{noun}"],
        ),
        ("assign", (kind, BU, IT), {}, [f"Create{noun}EntityAssignment"]),
        ("assign", (kind, BU, BU2), {}, [f"Create{noun}EntityAssignment"]),
        ("list_assignments", (kind, BU), {}, [f"List{noun}EntityAssignment"]),
        ("evaluate", (kind, BU, POLICY), {}, [f"Create{noun}Evaluation"]),
        ("list_evaluations", (kind, BU), {}, [f"List{noun}Evaluation"]),
    ]
CASES += [
    (
        "create_end_user",
        (),
        {
            "friendly_name": "jane",
            "type": "starter_customer_profile_information",
            "attributes": ATTRIBUTES,
        },
        ["CreateEndUser"],
    ),
    ("update_end_user", (IT,), {"attributes": ATTRIBUTES}, ["UpdateEndUser"]),
    ("list_end_users", (), {}, ["ListEndUser"]),
    (
        "create_supporting_document",
        (),
        {
            "friendly_name": "address",
            "type": "customer_profile_address",
            "attributes": {"address_sids": AD},
        },
        ["CreateSupportingDocument"],
    ),
    (
        "update_supporting_document",
        (RD,),
        {"attributes": {"address_sids": AD}},
        ["UpdateSupportingDocument"],
    ),
    ("list_supporting_documents", (), {}, ["ListSupportingDocument"]),
    (
        "create_address",
        (),
        {
            "customer_name": "Jane Doe",
            "street": "123 Main St",
            "street_secondary": "Apt B",
            "city": "Springfield",
            "region": "IL",
            "postal_code": "62701",
            "iso_country": "US",
            "friendly_name": "jane-doe-pottery",
        },
        ["CreateAddress"],
    ),
    ("update_address", (AD,), {"street": "124 Main St", "city": "Springfield"}, ["UpdateAddress"]),
    ("list_addresses", (), {"friendly_name": "jane-doe-pottery"}, ["ListAddress"]),
    ("find_incoming_numbers", (), {"phone_number": "+14155550123"}, ["ListIncomingPhoneNumber"]),
    ("fetch_incoming_number", (PN,), {}, ["FetchIncomingPhoneNumber"]),
    (
        "create_brand",
        (),
        {
            "customer_profile_bundle_sid": BU,
            "a2p_profile_bundle_sid": BU2,
            "brand_type": "SOLE_PROPRIETOR",
            "mock": True,
            "skip_automatic_sec_vet": True,
        },
        ["CreateBrandRegistrations"],
    ),
    ("delete_bundle", ("customer_profile", BU), {}, ["DeleteCustomerProfile"]),
    ("delete_bundle", ("trust_product", BU2), {}, ["DeleteTrustProduct"]),
    ("fetch_end_user", (IT,), {}, ["FetchEndUser"]),
    ("fetch_brand", (BN,), {}, ["FetchBrandRegistrations"]),
    ("list_brands", (), {}, ["ListBrandRegistrations"]),
    ("resubmit_brand", (BN,), {}, ["UpdateBrandRegistrations"]),
    ("send_brand_otp", (BN,), {}, ["CreateBrandRegistrationOtp"]),
    (
        "create_service",
        (),
        {
            "friendly_name": "Jane Doe Pottery A2P",
            "inbound_request_url": "https://isv.example/sms/inbound",
            "fallback_url": "https://isv.example/sms/fallback",
        },
        ["CreateService"],
    ),
    ("fetch_service", (MG,), {}, ["FetchService"]),
    ("list_services", (), {}, ["ListService"]),
    ("add_service_phone_number", (MG, PN), {}, ["CreatePhoneNumber"]),
    ("list_service_phone_numbers", (MG,), {}, ["ListPhoneNumber"]),
    ("remove_service_phone_number", (MG, PN), {}, ["DeletePhoneNumber"]),
    ("fetch_usecases", (MG, BN), {}, ["FetchUsAppToPersonUsecase"]),
    ("create_campaign", (MG,), CAMPAIGN_WITHOUT_OPTIONAL_URLS, ["CreateUsAppToPerson"]),
    ("create_campaign", (MG,), CAMPAIGN, ["CreateUsAppToPerson"]),
    (
        "update_campaign",
        (MG,),
        {
            "has_embedded_links": False,
            "has_embedded_phone": False,
            "message_samples": CAMPAIGN["message_samples"],
            "message_flow": CAMPAIGN["message_flow"],
            "description": CAMPAIGN["description"],
            "age_gated": False,
            "direct_lending": False,
            "privacy_policy_url": "https://janedoepottery.example/privacy",
        },
        ["UpdateUsAppToPerson"],
    ),
    ("fetch_campaign", (MG,), {}, ["FetchUsAppToPerson"]),
    ("list_campaigns", (MG,), {}, ["ListUsAppToPerson"]),
    ("delete_campaign", (MG,), {}, ["DeleteUsAppToPerson"]),
    (
        "create_sink",
        (),
        {
            "description": "a2pctl A2P events",
            "sink_configuration": {
                "destination": "https://isv.example/events",
                "method": "POST",
                "batch_events": False,
            },
            "sink_type": "webhook",
        },
        ["CreateSink"],
    ),
    ("list_sinks", (), {}, ["ListSink"]),
    ("fetch_sink", (DG,), {}, ["FetchSink"]),
    ("fetch_account", ("AC" + "5" * 32,), {}, ["FetchAccount"]),
    ("test_sink", (DG,), {}, ["CreateSinkTest"]),
    ("validate_sink", (DG,), {"test_id": "TE" + "0" * 32}, ["CreateSinkValidate"]),
    (
        "create_subscription",
        (),
        {
            "description": "a2pctl A2P events",
            "sink_sid": DG,
            "types": [
                {
                    "type": "com.twilio.messaging.compliance.brand-registration.brand-registered",
                    "schema_version": 1,
                },
                {"type": "com.twilio.messaging.compliance.campaign-registration.campaign-approved"},
            ],
        },
        ["CreateSubscription"],
    ),
    ("list_subscriptions", (), {"sink_sid": DG}, ["ListSubscription"]),
    ("list_subscriptions", (), {}, ["ListSubscription"]),
    ("list_subscribed_events", (DF,), {}, ["ListSubscribedEvent"]),
    (
        "add_subscribed_event",
        (DF,),
        {
            "type": "com.twilio.messaging.compliance.brand-registration.brand-failure",
            "schema_version": 1,
        },
        ["CreateSubscribedEvent"],
    ),
    ("list_event_types", (), {}, ["ListEventType"]),
]


@pytest.fixture(scope="module")
def specs() -> Specs:
    return load_specs()


@pytest.fixture
def twilio_api(specs: Specs) -> Iterator[responses.RequestsMock]:
    """Answers every request with the OpenAPI example of its operation."""

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        op = specs.find(request.method or "GET", request.url or "")
        status, example = op.example()
        if example is None:
            return status, {}, ""
        body = copy.deepcopy(example)
        # One page is enough here: the examples' paging links point at themselves.
        body.pop("next_page_uri", None)
        if isinstance(body.get("meta"), dict):
            body["meta"]["next_page_url"] = None
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in ("GET", "POST", "DELETE"):
            mock.add_callback(method, TWILIO_HOSTS, callback=answer)
        yield mock


def make_gateway(clock: FakeClock, account_sid: str | None = None) -> TwilioGateway:
    creds = Credentials(account_sid=ACCOUNT, username=ACCOUNT, password="auth-token-secret")
    return TwilioGateway(
        creds, account_sid, limiter=RateLimiter(clock, RATE), clock=clock, max_attempts=1
    )


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "operations"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_every_gateway_request_is_allowed_by_twilios_openapi_description(
    specs: Specs,
    twilio_api: responses.RequestsMock,
    clock: FakeClock,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    operations: list[str],
) -> None:
    result = getattr(make_gateway(clock), method)(*args, **kwargs)

    sent = [
        check_request(specs, call.request.method or "", call.request.url or "", call.request.body)
        for call in twilio_api.calls
    ]
    assert [op.operation_id for op in sent] == operations
    # Records come out typed, their detail (what the store keeps) as plain JSON data,
    # whatever the library made of them.
    records = result if isinstance(result, list) else [] if result is None else [result]
    for record in records:
        json.dumps(record.as_detail() if isinstance(record, TwilioRecord) else record)
        assert isinstance(record, TwilioRecord | dict)


# Methods for paths the descriptions list without an operation, each with its own test.
PATH_ONLY = {"resend_brand_2fa"}


def test_every_gateway_method_has_a_contract_case() -> None:
    protocol = {
        name
        for name, value in vars(Gateway).items()
        if callable(value) and not name.startswith("_")
    }
    assert protocol == {case[0] for case in CASES} | PATH_ONLY


TWO_FA_TEMPLATE = "/v1/a2p/BrandRegistrations/{BrandRegistrationSid}/2fa"
# Where the operation is described, since the OpenAPI path has none: Twilio's
# "A2P 10DLC - Brand 2FA Verification Resource" (a POST, no parameters) and the
# changelog of 2025-08-07 (errors 21736-21741).
TWO_FA_DOCS = "https://www.twilio.com/docs/messaging/api/brand-2fa-verify"


def test_the_2fa_resend_is_one_post_without_parameters_to_the_listed_path(
    specs: Specs, clock: FakeClock
) -> None:
    url = f"https://messaging.twilio.com/v1/a2p/BrandRegistrations/{BN}/2fa"
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, url, json={"account_sid": ACCOUNT}, status=201)
        result = make_gateway(clock).resend_brand_2fa(BN)
        assert len(mock.calls) == 1
        sent = mock.calls[0].request
    assert (sent.method, sent.url) == ("POST", url)
    assert sent.body in (None, "", b"")  # the documented request has no parameters
    assert result.as_detail() == {"account_sid": ACCOUNT}
    # The brand's path and SID pattern are in every description; the /2fa path itself only
    # in newer ones (e.g. not @twilio/cli-core 9.0.0), which list it without an operation:
    # there the docs page above is the contract, and the request is checked against it.
    parent = specs.find("GET", f"https://messaging.twilio.com/v1/a2p/BrandRegistrations/{BN}")
    assert re.fullmatch(parent.params[("path", "Sid")].schema["pattern"], BN)
    template = specs.listed_path(url)
    if template is not None:
        assert template == TWO_FA_TEMPLATE
        item = specs.paths[("messaging.twilio.com", template)]
        assert item["x-twilio"]["parent"] == "/a2p/BrandRegistrations/{Sid}"
        assert not set(item) & {"get", "post", "put", "delete"}  # listed, no operation


def test_subaccount_requests_to_api_2010_name_the_subaccount(
    specs: Specs, twilio_api: responses.RequestsMock, clock: FakeClock
) -> None:
    gateway = make_gateway(clock, SUBACCOUNT)

    gateway.list_addresses(friendly_name="jane-doe-pottery")
    gateway.fetch_incoming_number(PN)

    urls = [call.request.url or "" for call in twilio_api.calls]
    assert urls[0].endswith(f"/2010-04-01/Accounts/{SUBACCOUNT}.json")  # its auth token
    assert all(f"/2010-04-01/Accounts/{SUBACCOUNT}/" in url for url in urls[1:]), urls
    for call in twilio_api.calls:
        check_request(specs, call.request.method or "", call.request.url or "", call.request.body)


def test_the_campaign_is_fetched_and_deleted_by_its_fixed_compliance_sid(
    twilio_api: responses.RequestsMock, clock: FakeClock
) -> None:
    gateway = make_gateway(clock)

    gateway.fetch_campaign(MG)
    gateway.delete_campaign(MG)

    campaign = f"https://messaging.twilio.com/v1/Services/{MG}/Compliance/Usa2p"
    assert [(c.request.method, c.request.url) for c in twilio_api.calls] == [
        ("GET", f"{campaign}/{CAMPAIGN_COMPLIANCE_SID}"),
        ("DELETE", f"{campaign}/{CAMPAIGN_COMPLIANCE_SID}"),
    ]


def test_the_contract_checker_names_every_problem_of_a_bad_request(specs: Specs) -> None:
    with pytest.raises(AssertionError) as caught:
        check_request(
            specs,
            "POST",
            "https://trusthub.twilio.com/v1/CustomerProfiles/BU123",
            b"Status=approved&Colour=blue&Email=a&Email=b",
        )

    text = str(caught.value)
    assert "UpdateCustomerProfile" in text
    assert "path Sid='BU123' does not match ^BU[0-9a-fA-F]{32}$" in text
    assert "form Status='approved' is not one of" in text
    assert "form parameter 'Colour' is not declared" in text
    assert "form Email is sent 2 times but is not an array" in text


def test_the_contract_checker_requires_required_parameters(specs: Specs) -> None:
    with pytest.raises(AssertionError, match="required form parameter 'PolicySid' is missing"):
        check_request(
            specs,
            "POST",
            "https://trusthub.twilio.com/v1/TrustProducts",
            "FriendlyName=x&Email=a%40b.example",
        )


def test_the_contract_checker_prefers_a_literal_path_over_a_template(specs: Specs) -> None:
    usecases = f"https://messaging.twilio.com/v1/Services/{MG}/Compliance/Usa2p/Usecases"
    op = check_request(specs, "GET", f"{usecases}?BrandRegistrationSid={BN}", None)

    assert op.operation_id == "FetchUsAppToPersonUsecase"


def test_the_contract_checker_refuses_an_undescribed_endpoint(specs: Specs) -> None:
    with pytest.raises(AssertionError, match="no operation in the OpenAPI descriptions"):
        check_request(specs, "GET", "https://trusthub.twilio.com/v1/Nonexistent", None)


def test_a_description_missing_a_parameter_the_gateway_sends_fails_the_contract(
    specs: Specs, twilio_api: responses.RequestsMock, clock: FakeClock
) -> None:
    # A stale description (e.g. @twilio/cli-core 8.3.2, before PrivacyPolicyUrl) must turn
    # the contract red, never pass or skip it.
    stale = Specs(
        source=specs.source,
        operations=[
            replace(
                op,
                params={k: p for k, p in op.params.items() if k != ("form", "PrivacyPolicyUrl")},
            )
            for op in specs.operations
        ],
    )
    make_gateway(clock).create_campaign(MG, **CAMPAIGN)
    [call] = twilio_api.calls

    with pytest.raises(AssertionError, match="form parameter 'PrivacyPolicyUrl' is not declared"):
        check_request(stale, "POST", call.request.url or "", call.request.body)
    assert check_request(specs, "POST", call.request.url or "", call.request.body)


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/specs/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _release(tarball: bytes) -> PinnedRelease:
    return PinnedRelease(
        "@twilio/cli-core", "0.0.1", hashlib.sha256(tarball).hexdigest(), "package/specs"
    )


def test_the_pinned_release_is_downloaded_once_checked_and_kept_in_the_cache(
    tmp_path: Path,
) -> None:
    tarball = _tarball({name: b"{}" for name in SPEC_FILES})
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return tarball

    def locate() -> Path | str:
        return locate_spec_dir(
            env_dir=None,
            shared_dir=tmp_path / "none",
            release=_release(tarball),
            fetch=fetch,
            cache_dir=tmp_path / "cache",
        )

    assert locate() == tmp_path / "cache" == locate()
    assert fetched == ["https://registry.npmjs.org/@twilio/cli-core/-/cli-core-0.0.1.tgz"]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(SPEC_FILES)


def test_a_download_with_another_checksum_is_refused_and_nothing_kept(tmp_path: Path) -> None:
    good = _tarball({name: b"{}" for name in SPEC_FILES})
    served = _tarball({name: b"{}" for name in SPEC_FILES[:3]})

    reason = locate_spec_dir(
        env_dir=None,
        shared_dir=tmp_path / "none",
        release=_release(good),
        fetch=lambda url: served,
        cache_dir=tmp_path / "cache",
    )

    assert isinstance(reason, str) and "not the pinned" in reason
    assert not (tmp_path / "cache").exists()


def test_without_descriptions_or_registry_the_failure_says_what_to_provide(
    tmp_path: Path,
) -> None:
    def offline(url: str) -> bytes:
        raise OSError("Network is unreachable")

    reason = locate_spec_dir(
        env_dir=None,
        shared_dir=tmp_path / "none",
        release=CLI_CORE,
        fetch=offline,
        cache_dir=tmp_path / "cache",
    )

    assert isinstance(reason, str)
    assert ENV_DIR in reason and "Network is unreachable" in reason and "9.0.0" in reason


def test_the_pinned_release_is_cached_inside_the_clone() -> None:
    assert CLI_CORE.cache_dir.is_relative_to(REPO / ".cache")
    assert ".cache/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_an_explicit_descriptions_directory_that_lacks_them_is_an_error(tmp_path: Path) -> None:
    reason = locate_spec_dir(
        env_dir=str(tmp_path), shared_dir=SHARED_DIR, release=CLI_CORE, fetch=lambda url: b""
    )
    assert isinstance(reason, str) and ENV_DIR in reason
