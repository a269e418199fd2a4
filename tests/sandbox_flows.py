"""Drive the sandbox simulator the way the `twilio` library talks to Twilio:
form bodies with PascalCase keys, repeated keys for lists, JSON strings for
objects, HTTP Basic auth. Also the building blocks of both registration
flows, so tests can start from the state they need.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from a2pctl.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Simulator

TRUSTHUB = "https://trusthub.twilio.com/v1"
MESSAGING = "https://messaging.twilio.com/v1"
EVENTS = "https://events.twilio.com/v1"
CAMPAIGN = "QE2c6890da8086d771620e9b13fadeba0b"
STARTER_POLICY = "RN806dd6cd175f314e1f96a9727ee271f4"
SP_TRUST_POLICY = "RN670d5d2e282a6130ae063b234b6019c8"
SECONDARY_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
STANDARD_TRUST_POLICY = "RNb0d4771c2c98518d916a3d4cd70a8f8b"
ISV_PRIMARY_PROFILE = "BU" + "0" * 31 + "1"
EVENT_PREFIX = "com.twilio.messaging.compliance."
A2P_EVENTS = [
    EVENT_PREFIX + suffix
    for suffix in (
        "brand-registration.brand-failure",
        "brand-registration.brand-unverified",
        "brand-registration.brand-registered",
        "campaign-registration.campaign-submitted",
        "campaign-registration.campaign-failure",
        "campaign-registration.campaign-approved",
        "number-registration.pending",
        "number-registration.successful",
        "number-registration.failed",
        "number-deregistration.pending",
        "number-deregistration.successful",
        "number-deregistration.failed",
    )
]


def api2010(account: str = SANDBOX_ACCOUNT_SID) -> str:
    return f"https://api.twilio.com/2010-04-01/Accounts/{account}"


def form(params: dict[str, Any]) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for key, value in params.items():
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, dict):
                one = json.dumps(one)
            elif isinstance(one, bool):
                one = "true" if one else "false"
            items.append((key, str(one)))
    return items


@dataclass
class Answer:
    method: str
    path: str
    status: int
    body: Any
    headers: dict[str, str]
    drop: bool = False


@dataclass
class Api:
    sim: Simulator
    account: str = SANDBOX_ACCOUNT_SID
    token: str = SANDBOX_AUTH_TOKEN
    log: list[Answer] = field(default_factory=list)

    def call(
        self, method: str, url: str, params: dict[str, Any] | None = None, **headers: str
    ) -> Answer:
        encoded = urlencode(form(params or {}))
        body = b""
        if method == "POST":
            body = encoded.encode()
        elif encoded:
            url = f"{url}{'&' if '?' in url else '?'}{encoded}"
        auth = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        sent = {"Authorization": f"Basic {auth}", **headers}
        response = self.sim.handle(method, url, sent, body)
        parsed = json.loads(response.body) if response.body else None
        answer = Answer(
            method, urlsplit(url).path, response.status, parsed, response.headers, response.drop
        )
        self.log.append(answer)
        return answer

    def ok(self, method: str, url: str, params: dict[str, Any] | None = None, **h: str) -> Any:
        answer = self.call(method, url, params, **h)
        assert 200 <= answer.status < 300, (method, url, answer.status, answer.body)
        return answer.body

    def error(self, method: str, url: str, params: dict[str, Any] | None = None) -> Answer:
        answer = self.call(method, url, params)
        assert answer.status >= 400, (method, url, answer.status, answer.body)
        return answer


# --- building blocks -------------------------------------------------------------------


@dataclass
class Bundles:
    profile: str
    trust: str
    end_users: dict[str, str]
    address: str
    document: str


def address(api: Api, **overrides: str) -> str:
    params = {
        "CustomerName": "Jane Doe",
        "Street": "123 Main St",
        "City": "Springfield",
        "Region": "IL",
        "PostalCode": "62701",
        "IsoCountry": "US",
        "FriendlyName": "jane-doe-pottery",
        **overrides,
    }
    return str(api.ok("POST", f"{api2010(api.account)}/Addresses.json", params)["sid"])


def end_user(api: Api, kind: str, attributes: dict[str, str]) -> str:
    body = api.ok(
        "POST",
        f"{TRUSTHUB}/EndUsers",
        {"FriendlyName": f"test {kind}", "Type": kind, "Attributes": attributes},
    )
    return str(body["sid"])


def assign(api: Api, collection: str, bundle: str, object_sid: str) -> None:
    api.ok("POST", f"{TRUSTHUB}/{collection}/{bundle}/EntityAssignments", {"ObjectSid": object_sid})


def evaluate(api: Api, collection: str, bundle: str, policy: str) -> Any:
    return api.ok("POST", f"{TRUSTHUB}/{collection}/{bundle}/Evaluations", {"PolicySid": policy})


def submit(api: Api, collection: str, bundle: str) -> Any:
    return api.ok("POST", f"{TRUSTHUB}/{collection}/{bundle}", {"Status": "pending-review"})


def bundle(api: Api, collection: str, policy: str, email: str = "jane@example.com") -> str:
    params = {
        "FriendlyName": f"test {collection}",
        "Email": email,
        "PolicySid": policy,
        "StatusCallback": "https://isv.example/trusthub",
    }
    return str(api.ok("POST", f"{TRUSTHUB}/{collection}", params)["sid"])


def profile_with_address(api: Api, policy: str, users: dict[str, dict[str, str]]) -> Bundles:
    profile = bundle(api, "CustomerProfiles", policy)
    ids = {kind: end_user(api, kind, attributes) for kind, attributes in users.items()}
    ad = address(api)
    doc = api.ok(
        "POST",
        f"{TRUSTHUB}/SupportingDocuments",
        {"FriendlyName": "address", "Type": "customer_profile_address",
         "Attributes": {"address_sids": ad}},
    )["sid"]  # fmt: skip
    for sid in [*ids.values(), doc, ISV_PRIMARY_PROFILE]:
        assign(api, "CustomerProfiles", profile, sid)
    return Bundles(profile, "", ids, ad, doc)


STARTER_INFO = {
    "first_name": "Jane",
    "last_name": "Doe",
    "email": "jane@janedoepottery.com",
    "phone_number": "+14155550100",
}
SOLE_PROPRIETOR_INFO = {"brand_name": "Jane Doe Pottery", "mobile_phone_number": "+14155550101"}
BUSINESS_INFO = {
    "business_name": "Acme, Inc.",
    "business_type": "Partnership",
    "business_industry": "EDUCATION",
    "business_registration_identifier": "EIN",
    "business_registration_number": "123456789",
    "business_regions_of_operation": "USA_AND_CANADA",
    "business_identity": "direct_customer",
    "website_url": "https://www.acme.example",
}
REPRESENTATIVE = {
    "first_name": "Ada",
    "last_name": "Ng",
    "email": "ada@acme.example",
    "phone_number": "+14155550111",
    "business_title": "CEO",
    "job_position": "CEO",
}


def sole_proprietor_bundles(api: Api, *, submit_trust: bool = True) -> Bundles:
    """Starter profile and sole-proprietor trust bundle, evaluated and submitted."""
    made = profile_with_address(
        api, STARTER_POLICY, {"starter_customer_profile_information": STARTER_INFO}
    )
    assert evaluate(api, "CustomerProfiles", made.profile, STARTER_POLICY)["status"] == "compliant"
    submit(api, "CustomerProfiles", made.profile)
    made.trust = bundle(api, "TrustProducts", SP_TRUST_POLICY)
    sp = end_user(api, "sole_proprietor_information", SOLE_PROPRIETOR_INFO)
    made.end_users["sole_proprietor_information"] = sp
    assign(api, "TrustProducts", made.trust, sp)
    assign(api, "TrustProducts", made.trust, made.profile)
    assert evaluate(api, "TrustProducts", made.trust, SP_TRUST_POLICY)["status"] == "compliant"
    if submit_trust:
        submit(api, "TrustProducts", made.trust)
    return made


def standard_bundles(api: Api, *, company_type: str = "private") -> Bundles:
    """Secondary profile and A2P trust product, evaluated and submitted."""
    made = profile_with_address(
        api,
        SECONDARY_POLICY,
        {
            "customer_profile_business_information": BUSINESS_INFO,
            "authorized_representative_1": REPRESENTATIVE,
        },
    )
    assert evaluate(api, "CustomerProfiles", made.profile, SECONDARY_POLICY)["status"] == (
        "compliant"
    )
    submit(api, "CustomerProfiles", made.profile)
    made.trust = bundle(api, "TrustProducts", STANDARD_TRUST_POLICY, "compliance@isv.example")
    messaging: dict[str, str] = {"company_type": company_type}
    if company_type == "public":
        messaging.update(stock_exchange="NYSE", stock_ticker="ACME")
    info = end_user(api, "us_a2p_messaging_profile_information", messaging)
    made.end_users["us_a2p_messaging_profile_information"] = info
    assign(api, "TrustProducts", made.trust, info)
    assign(api, "TrustProducts", made.trust, made.profile)
    assert evaluate(api, "TrustProducts", made.trust, STANDARD_TRUST_POLICY)["status"] == (
        "compliant"
    )
    submit(api, "TrustProducts", made.trust)
    return made


def brand(api: Api, made: Bundles, *, sole: bool, **extra: Any) -> Any:
    params: dict[str, Any] = {
        "CustomerProfileBundleSid": made.profile,
        "A2PProfileBundleSid": made.trust,
        **extra,
    }
    if sole:
        params["BrandType"] = "SOLE_PROPRIETOR"
    return api.ok("POST", f"{MESSAGING}/a2p/BrandRegistrations", params)


def fetch_brand(api: Api, sid: str) -> Any:
    return api.ok("GET", f"{MESSAGING}/a2p/BrandRegistrations/{sid}")


def service(api: Api, name: str = "Jane Doe Pottery A2P") -> str:
    body = api.ok(
        "POST",
        f"{MESSAGING}/Services",
        {"FriendlyName": name, "InboundRequestUrl": "https://isv.example/sms"},
    )
    return str(body["sid"])


def campaign_params(brand_sid: str, *, sole: bool) -> dict[str, Any]:
    return {
        "BrandRegistrationSid": brand_sid,
        "Description": "Jane Doe Pottery sends order updates to customers who opted in.",
        "MessageFlow": "Customers opt in by ticking a box at checkout on janedoepottery.com.",
        "MessageSamples": [
            "Jane Doe Pottery: your order [order] has shipped.",
            "Jane Doe Pottery: your class starts tomorrow at 10am. Reply STOP to opt out.",
        ],
        "UsAppToPersonUsecase": "SOLE_PROPRIETOR" if sole else "MIXED",
        "HasEmbeddedLinks": False,
        "HasEmbeddedPhone": False,
        "OptInKeywords": ["START", "YES"],
        "OptInMessage": "Jane Doe Pottery: you are subscribed. Reply HELP for help, STOP to end.",
        "PrivacyPolicyUrl": "https://janedoepottery.com/privacy",
        "TermsAndConditionsUrl": "https://janedoepottery.com/terms",
    }


def campaign_url(service_sid: str, sid: str = CAMPAIGN) -> str:
    return f"{MESSAGING}/Services/{service_sid}/Compliance/Usa2p/{sid}"


def create_campaign(api: Api, service_sid: str, brand_sid: str, *, sole: bool) -> Any:
    return api.ok(
        "POST",
        f"{MESSAGING}/Services/{service_sid}/Compliance/Usa2p",
        campaign_params(brand_sid, sole=sole),
    )


def own_number(api: Api, number: str = "+14155550123") -> str:
    body = api.ok(
        "GET", f"{api2010(api.account)}/IncomingPhoneNumbers.json", {"PhoneNumber": number}
    )
    return str(body["incoming_phone_numbers"][0]["sid"])


def subscribe(
    api: Api,
    destination: str = "https://isv.example/a2p-events",
    *,
    batch: bool = False,
    schema_version: int = 2,
) -> tuple[str, str]:
    sink = api.ok(
        "POST",
        f"{EVENTS}/Sinks",
        {
            "Description": "a2p events",
            "SinkType": "webhook",
            "SinkConfiguration": {
                "destination": destination,
                "method": "POST",
                "batch_events": batch,
            },
        },
    )["sid"]
    activate_sink(api, sink)
    sub = api.ok(
        "POST",
        f"{EVENTS}/Subscriptions",
        {
            "Description": "a2p",
            "SinkSid": sink,
            "Types": [{"type": t, "schema_version": schema_version} for t in A2P_EVENTS],
        },
    )["sid"]
    return str(sink), str(sub)


def sink_test_id(api: Api, sink: str) -> str | None:
    """The test id the simulator sent with the sink's last test event (from its state)."""
    tables = json.loads(api.sim.dump())["tables"]
    value = tables["sinks"][sink].get("_test_id")
    return None if value is None else str(value)


def activate_sink(api: Api, sink: str) -> None:
    """Test the sink, then validate it with the test id the test event carried."""
    api.ok("POST", f"{EVENTS}/Sinks/{sink}/Test")
    test_id = sink_test_id(api, sink)
    assert test_id is not None
    api.ok("POST", f"{EVENTS}/Sinks/{sink}/Validate", {"TestId": test_id})
