"""The Gateway protocol: one method per Twilio operation the flows need.

Keyword arguments in, named as the `twilio` library names them (snake_case); typed,
frozen records out (`a2pctl.gateway.records`: `Brand`, `Campaign`, `Bundle`...), parsed
at this boundary with Twilio's snake_case field names, each keeping the answer as a
plain record for the state store (`as_detail`). Every failure is a
`GatewayError`. The only implementation that talks to Twilio is
`a2pctl.gateway.twilio.TwilioGateway`; importing this package never imports
`twilio`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from a2pctl.errors import A2pError, ExitCode
from a2pctl.gateway.records import (
    Account,
    Address,
    Answer,
    Assignment,
    Brand,
    Bundle,
    Campaign,
    Document,
    EndUser,
    Evaluation,
    EventType,
    PhoneNumber,
    Service,
    Sink,
    Subscription,
    Usecase,
)

BundleKind = Literal["customer_profile", "trust_product"]


class GatewayError(A2pError):
    """A Twilio request that failed (after retries, where retryable).

    `status` is the HTTP status (None for a connection error), `code` Twilio's
    error code, `resource` what was being acted on (e.g. "POST /v1/EndUsers"),
    `field` the parameter concerned where Twilio names one, `retryable`
    whether retrying could help (429, 5xx, connection errors), and
    `ambiguous` whether the request may have been performed although no
    answer arrived (connection dropped after sending a create).
    """

    exit_code = ExitCode.FAILED

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        resource: str | None = None,
        field: str | None = None,
        retryable: bool = False,
        ambiguous: bool = False,
        more_info: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, field=field, code=code)
        self.status = status
        self.resource = resource
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.more_info = more_info

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "status": self.status,
            "resource": self.resource,
        }


@dataclass(frozen=True)
class Credentials:
    """How to authenticate: an account SID with its auth token, or an API key
    with its secret (and the account SID). `repr` never shows the secret."""

    account_sid: str
    username: str  # the account SID, or the API key SID (SK...)
    password: str  # auth token or API key secret: never printed, logged or stored

    def __repr__(self) -> str:
        return f"Credentials(account_sid={self.account_sid!r}, username={self.username!r})"


class Gateway(Protocol):
    """The operations of both flows, status, OTP and Event Streams.

    `account_sid` is the account every request acts on (a subaccount where the
    customer file names one); all requests of one account share one limiter.
    """

    account_sid: str

    # --- TrustHub bundles: customer profiles and trust products -------------
    def create_bundle(
        self,
        kind: BundleKind,
        *,
        friendly_name: str,
        email: str,
        policy_sid: str,
        status_callback: str | None = None,
    ) -> Bundle: ...
    def fetch_bundle(self, kind: BundleKind, sid: str) -> Bundle: ...
    def list_bundles(
        self, kind: BundleKind, *, friendly_name: str | None = None, policy_sid: str | None = None
    ) -> list[Bundle]: ...
    def update_bundle(
        self,
        kind: BundleKind,
        sid: str,
        *,
        status: str | None = None,
        email: str | None = None,
        friendly_name: str | None = None,
        status_callback: str | None = None,
    ) -> Bundle: ...
    def assign(self, kind: BundleKind, bundle_sid: str, object_sid: str) -> Assignment: ...
    def list_assignments(self, kind: BundleKind, bundle_sid: str) -> list[Assignment]: ...
    def evaluate(self, kind: BundleKind, bundle_sid: str, policy_sid: str) -> Evaluation: ...
    def delete_bundle(self, kind: BundleKind, sid: str) -> None: ...
    def list_evaluations(self, kind: BundleKind, bundle_sid: str) -> list[Evaluation]: ...

    # --- TrustHub end users and supporting documents ------------------------
    def create_end_user(
        self, *, friendly_name: str, type: str, attributes: dict[str, Any]
    ) -> EndUser: ...
    def update_end_user(self, sid: str, *, attributes: dict[str, Any]) -> EndUser: ...
    def fetch_end_user(self, sid: str) -> EndUser: ...
    def list_end_users(self) -> list[EndUser]: ...
    def create_supporting_document(
        self, *, friendly_name: str, type: str, attributes: dict[str, Any]
    ) -> Document: ...
    def update_supporting_document(self, sid: str, *, attributes: dict[str, Any]) -> Document: ...
    def list_supporting_documents(self) -> list[Document]: ...

    # --- API 2010: addresses and the account's phone numbers ----------------
    def create_address(
        self,
        *,
        customer_name: str,
        street: str,
        city: str,
        region: str,
        postal_code: str,
        iso_country: str,
        friendly_name: str | None = None,
        street_secondary: str | None = None,
    ) -> Address: ...
    def update_address(self, sid: str, **fields: Any) -> Address: ...
    def list_addresses(self, *, friendly_name: str | None = None) -> list[Address]: ...
    def find_incoming_numbers(self, *, phone_number: str) -> list[PhoneNumber]: ...
    def fetch_account(self, sid: str) -> Account:
        """GET /2010-04-01/Accounts/{sid}.json; for a subaccount of the credentials'
        account the answer carries its `auth_token`: a secret, never to be shown."""
        ...

    def fetch_incoming_number(self, sid: str) -> PhoneNumber: ...

    # --- Messaging: brands ----------------------------------------------------
    def create_brand(
        self,
        *,
        customer_profile_bundle_sid: str,
        a2p_profile_bundle_sid: str,
        brand_type: str | None = None,
        mock: bool | None = None,
        skip_automatic_sec_vet: bool | None = None,
    ) -> Brand: ...
    def fetch_brand(self, sid: str) -> Brand: ...
    def list_brands(self) -> list[Brand]: ...
    def resubmit_brand(self, sid: str) -> Brand: ...
    def send_brand_otp(self, sid: str) -> Answer: ...
    def resend_brand_2fa(self, sid: str) -> Answer:
        """POST /v1/a2p/BrandRegistrations/{sid}/2fa: a new Authentication+ e-mail."""
        ...

    # --- Messaging: services, senders, campaigns ------------------------------
    def create_service(
        self,
        *,
        friendly_name: str,
        inbound_request_url: str | None = None,
        fallback_url: str | None = None,
    ) -> Service: ...
    def fetch_service(self, sid: str) -> Service: ...
    def list_services(self) -> list[Service]: ...
    def add_service_phone_number(self, service_sid: str, phone_number_sid: str) -> PhoneNumber: ...
    def remove_service_phone_number(self, service_sid: str, phone_number_sid: str) -> None: ...
    def list_service_phone_numbers(self, service_sid: str) -> list[PhoneNumber]: ...
    def fetch_usecases(self, service_sid: str, brand_registration_sid: str) -> list[Usecase]: ...
    def create_campaign(self, service_sid: str, **params: Any) -> Campaign:
        """`params` as the library's `us_app_to_person.create` takes them."""
        ...

    def update_campaign(
        self,
        service_sid: str,
        *,
        has_embedded_links: bool,
        has_embedded_phone: bool,
        message_samples: list[str],
        message_flow: str,
        description: str,
        age_gated: bool,
        direct_lending: bool,
        privacy_policy_url: str | None = None,
        terms_and_conditions_url: str | None = None,
    ) -> Campaign:
        """Edit a FAILED campaign in place (the use case cannot change this way)."""
        ...

    def fetch_campaign(self, service_sid: str) -> Campaign: ...
    def list_campaigns(self, service_sid: str) -> list[Campaign]: ...
    def delete_campaign(self, service_sid: str) -> None: ...

    # --- Event Streams ---------------------------------------------------------
    def create_sink(
        self, *, description: str, sink_configuration: dict[str, Any], sink_type: str
    ) -> Sink: ...
    def list_sinks(self) -> list[Sink]: ...
    def fetch_sink(self, sid: str) -> Sink: ...
    def test_sink(self, sid: str) -> Answer:
        """POST /v1/Sinks/{sid}/Test: Twilio delivers a test event carrying a test id."""
        ...

    def validate_sink(self, sid: str, *, test_id: str) -> Answer:
        """POST /v1/Sinks/{sid}/Validate with `TestId`: the sink turns active."""
        ...

    def create_subscription(
        self, *, description: str, sink_sid: str, types: list[dict[str, Any]]
    ) -> Subscription: ...
    def list_subscriptions(self, *, sink_sid: str | None = None) -> list[Subscription]: ...
    def list_subscribed_events(self, subscription_sid: str) -> list[EventType]: ...
    def add_subscribed_event(
        self, subscription_sid: str, *, type: str, schema_version: int | None = None
    ) -> EventType: ...
    def list_event_types(self) -> list[EventType]: ...


# The fixed identifier of a messaging service's US A2P campaign ("compliance
# type" SID), used as {Sid} to fetch or delete it (docs/twilio/flows.md §1.4).
CAMPAIGN_COMPLIANCE_SID = "QE2c6890da8086d771620e9b13fadeba0b"
