"""The Gateway protocol's operations, written once over a few primitives.

`Operations` is a mixin with one method per operation of `a2pctl.gateway.Gateway`:
each names its request ("METHOD /path", for errors and the retry policy), picks the
library's resource (`self._client.trusthub.v1.end_users`...) and passes it, with
the parameters, to a primitive of the concrete gateway:

- `_create(kind, resource, target, **params)`: `target.create(**params)` as a `kind`
  record (gateway/records.py), never repeated
  once it may have been performed (`create=False` for one that is harmless to
  repeat, such as an evaluation: retried like a read);
- `_fetch(kind, resource, target, **params)`, `_update(kind, resource, target, ...)`: the
  same for `fetch` and `update` (`create=True` for an update that must not be
  repeated blindly either);
- `_list(kind, resource, target, **filters)`: every page of `target.list(**filters)`;
- `_call(resource, action, *, create=False)`: any other call, under the retry policy;
- `_client`, the library client, and `account_sid`, the account acted on.

This module never imports `twilio`: `a2pctl.gateway.twilio.TwilioGateway` provides
the primitives (and turns the library's instances into typed records).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, TypeVar

from a2pctl.gateway import CAMPAIGN_COMPLIANCE_SID, BundleKind
from a2pctl.gateway import records as rec

T = TypeVar("T")
R = TypeVar("R", bound=rec.TwilioRecord)


class Operations(ABC):
    """The `Gateway` operations over the primitives listed in the module docstring."""

    account_sid: str

    # --- the primitives the concrete gateway provides ------------------------------
    @property
    @abstractmethod
    def _client(self) -> Any:
        """The library client."""

    @abstractmethod
    def _call(self, resource: str, action: Callable[[], T], *, create: bool = False) -> T:
        """Run `action` under the retry policy; `create`: never repeat it blindly."""

    @abstractmethod
    def _create(
        self, kind: type[R], resource: str, target: Any, *, create: bool = True, **params: Any
    ) -> R: ...

    @abstractmethod
    def _fetch(self, kind: type[R], resource: str, target: Any, **params: Any) -> R: ...

    @abstractmethod
    def _update(
        self, kind: type[R], resource: str, target: Any, *, create: bool = False, **params: Any
    ) -> R: ...

    @abstractmethod
    def _list(self, kind: type[R], resource: str, target: Any, **filters: Any) -> list[R]: ...

    # --- TrustHub bundles: customer profiles and trust products -------------------
    def _bundles(self, kind: BundleKind) -> tuple[Any, str]:
        v1 = self._client.trusthub.v1
        if kind == "customer_profile":
            return v1.customer_profiles, "/v1/CustomerProfiles"
        if kind == "trust_product":
            return v1.trust_products, "/v1/TrustProducts"
        raise ValueError(f"unknown bundle kind {kind!r}")

    def _bundle_items(self, kind: BundleKind, bundle_sid: str, items: str) -> tuple[Any, str]:
        """A bundle's EntityAssignments or Evaluations list, and its path."""
        bundles, path = self._bundles(kind)
        attribute = "customer_profiles" if kind == "customer_profile" else "trust_products"
        target = getattr(bundles(bundle_sid), f"{attribute}_{items}")
        segment = "EntityAssignments" if items == "entity_assignments" else "Evaluations"
        return target, f"{path}/{bundle_sid}/{segment}"

    def create_bundle(
        self,
        kind: BundleKind,
        *,
        friendly_name: str,
        email: str,
        policy_sid: str,
        status_callback: str | None = None,
    ) -> rec.Bundle:
        bundles, path = self._bundles(kind)
        return self._create(
            rec.Bundle,
            f"POST {path}",
            bundles,
            friendly_name=friendly_name,
            email=email,
            policy_sid=policy_sid,
            status_callback=status_callback,
        )

    def fetch_bundle(self, kind: BundleKind, sid: str) -> rec.Bundle:
        bundles, path = self._bundles(kind)
        return self._fetch(rec.Bundle, f"GET {path}/{sid}", bundles(sid))

    def list_bundles(
        self, kind: BundleKind, *, friendly_name: str | None = None, policy_sid: str | None = None
    ) -> list[rec.Bundle]:
        bundles, path = self._bundles(kind)
        return self._list(
            rec.Bundle, f"GET {path}", bundles, friendly_name=friendly_name, policy_sid=policy_sid
        )

    def update_bundle(
        self,
        kind: BundleKind,
        sid: str,
        *,
        status: str | None = None,
        email: str | None = None,
        friendly_name: str | None = None,
        status_callback: str | None = None,
    ) -> rec.Bundle:
        bundles, path = self._bundles(kind)
        # A submission (a status change) is not repeated blindly after a lost answer:
        # Twilio refuses a second one, so the caller looks at the bundle first.
        return self._update(
            rec.Bundle,
            f"POST {path}/{sid}",
            bundles(sid),
            create=status is not None,
            status=status,
            email=email,
            friendly_name=friendly_name,
            status_callback=status_callback,
        )

    def assign(self, kind: BundleKind, bundle_sid: str, object_sid: str) -> rec.Assignment:
        items, path = self._bundle_items(kind, bundle_sid, "entity_assignments")
        return self._create(rec.Assignment, f"POST {path}", items, object_sid=object_sid)

    def list_assignments(self, kind: BundleKind, bundle_sid: str) -> list[rec.Assignment]:
        items, path = self._bundle_items(kind, bundle_sid, "entity_assignments")
        return self._list(rec.Assignment, f"GET {path}", items)

    def evaluate(self, kind: BundleKind, bundle_sid: str, policy_sid: str) -> rec.Evaluation:
        items, path = self._bundle_items(kind, bundle_sid, "evaluations")
        # An evaluation only reports on the bundle: repeating it is harmless, so a 5xx
        # or a dropped connection is retried (docs/contract.md §3) instead of ending the run.
        return self._create(
            rec.Evaluation, f"POST {path}", items, create=False, policy_sid=policy_sid
        )

    def list_evaluations(self, kind: BundleKind, bundle_sid: str) -> list[rec.Evaluation]:
        items, path = self._bundle_items(kind, bundle_sid, "evaluations")
        return self._list(rec.Evaluation, f"GET {path}", items)

    # --- TrustHub end users and supporting documents ----------------------------
    def create_end_user(
        self, *, friendly_name: str, type: str, attributes: dict[str, Any]
    ) -> rec.EndUser:
        return self._create(
            rec.EndUser,
            "POST /v1/EndUsers",
            self._client.trusthub.v1.end_users,
            friendly_name=friendly_name,
            type=type,
            attributes=attributes,
        )

    def update_end_user(self, sid: str, *, attributes: dict[str, Any]) -> rec.EndUser:
        target = self._client.trusthub.v1.end_users(sid)
        return self._update(rec.EndUser, f"POST /v1/EndUsers/{sid}", target, attributes=attributes)

    def list_end_users(self) -> list[rec.EndUser]:
        return self._list(rec.EndUser, "GET /v1/EndUsers", self._client.trusthub.v1.end_users)

    def create_supporting_document(
        self, *, friendly_name: str, type: str, attributes: dict[str, Any]
    ) -> rec.Document:
        return self._create(
            rec.Document,
            "POST /v1/SupportingDocuments",
            self._client.trusthub.v1.supporting_documents,
            friendly_name=friendly_name,
            type=type,
            attributes=attributes,
        )

    def update_supporting_document(self, sid: str, *, attributes: dict[str, Any]) -> rec.Document:
        target = self._client.trusthub.v1.supporting_documents(sid)
        return self._update(
            rec.Document, f"POST /v1/SupportingDocuments/{sid}", target, attributes=attributes
        )

    def list_supporting_documents(self) -> list[rec.Document]:
        documents = self._client.trusthub.v1.supporting_documents
        return self._list(rec.Document, "GET /v1/SupportingDocuments", documents)

    # --- API 2010 (paths name the account: a subaccount where one is given) -------
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
    ) -> rec.Address:
        return self._create(
            rec.Address,
            f"POST {self._account_path}/Addresses.json",
            self._client.api.v2010.account.addresses,
            customer_name=customer_name,
            street=street,
            city=city,
            region=region,
            postal_code=postal_code,
            iso_country=iso_country,
            friendly_name=friendly_name,
            street_secondary=street_secondary,
        )

    def update_address(self, sid: str, **fields: Any) -> rec.Address:
        target = self._client.api.v2010.account.addresses(sid)
        return self._update(
            rec.Address, f"POST {self._account_path}/Addresses/{sid}.json", target, **fields
        )

    def list_addresses(self, *, friendly_name: str | None = None) -> list[rec.Address]:
        addresses = self._client.api.v2010.account.addresses
        return self._list(
            rec.Address,
            f"GET {self._account_path}/Addresses.json",
            addresses,
            friendly_name=friendly_name,
        )

    def find_incoming_numbers(self, *, phone_number: str) -> list[rec.PhoneNumber]:
        numbers = self._client.api.v2010.account.incoming_phone_numbers
        return self._list(
            rec.PhoneNumber,
            f"GET {self._account_path}/IncomingPhoneNumbers.json",
            numbers,
            phone_number=phone_number,
        )

    def fetch_incoming_number(self, sid: str) -> rec.PhoneNumber:
        target = self._client.api.v2010.account.incoming_phone_numbers(sid)
        return self._fetch(
            rec.PhoneNumber, f"GET {self._account_path}/IncomingPhoneNumbers/{sid}.json", target
        )

    @property
    def _account_path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}"

    # --- Messaging: brands -------------------------------------------------------
    def create_brand(
        self,
        *,
        customer_profile_bundle_sid: str,
        a2p_profile_bundle_sid: str,
        brand_type: str | None = None,
        mock: bool | None = None,
        skip_automatic_sec_vet: bool | None = None,
    ) -> rec.Brand:
        return self._create(
            rec.Brand,
            "POST /v1/a2p/BrandRegistrations",
            self._client.messaging.v1.brand_registrations,
            customer_profile_bundle_sid=customer_profile_bundle_sid,
            a2p_profile_bundle_sid=a2p_profile_bundle_sid,
            brand_type=brand_type,
            mock=mock,
            skip_automatic_sec_vet=skip_automatic_sec_vet,
        )

    def fetch_brand(self, sid: str) -> rec.Brand:
        target = self._client.messaging.v1.brand_registrations(sid)
        return self._fetch(rec.Brand, f"GET /v1/a2p/BrandRegistrations/{sid}", target)

    def list_brands(self) -> list[rec.Brand]:
        brands = self._client.messaging.v1.brand_registrations
        return self._list(rec.Brand, "GET /v1/a2p/BrandRegistrations", brands)

    def resubmit_brand(self, sid: str) -> rec.Brand:
        brand = self._client.messaging.v1.brand_registrations(sid)
        # A resubmission is reviewed (and may be charged) again: never repeated blindly.
        resource = f"POST /v1/a2p/BrandRegistrations/{sid}"
        return self._update(rec.Brand, resource, brand, create=True)

    def send_brand_otp(self, sid: str) -> rec.Answer:
        # Each request texts a new code to the sole proprietor: never repeated blindly.
        otps = self._client.messaging.v1.brand_registrations(sid).brand_registration_otps
        return self._create(rec.Answer, f"POST /v1/a2p/BrandRegistrations/{sid}/SmsOtp", otps)

    # --- Messaging: services, senders, campaigns ---------------------------------
    def create_service(
        self,
        *,
        friendly_name: str,
        inbound_request_url: str | None = None,
        fallback_url: str | None = None,
    ) -> rec.Service:
        return self._create(
            rec.Service,
            "POST /v1/Services",
            self._client.messaging.v1.services,
            friendly_name=friendly_name,
            inbound_request_url=inbound_request_url,
            fallback_url=fallback_url,
        )

    def fetch_service(self, sid: str) -> rec.Service:
        return self._fetch(
            rec.Service, f"GET /v1/Services/{sid}", self._client.messaging.v1.services(sid)
        )

    def list_services(self) -> list[rec.Service]:
        return self._list(rec.Service, "GET /v1/Services", self._client.messaging.v1.services)

    def add_service_phone_number(self, service_sid: str, phone_number_sid: str) -> rec.PhoneNumber:
        numbers = self._client.messaging.v1.services(service_sid).phone_numbers
        resource = f"POST /v1/Services/{service_sid}/PhoneNumbers"
        return self._create(rec.PhoneNumber, resource, numbers, phone_number_sid=phone_number_sid)

    def list_service_phone_numbers(self, service_sid: str) -> list[rec.PhoneNumber]:
        numbers = self._client.messaging.v1.services(service_sid).phone_numbers
        return self._list(rec.PhoneNumber, f"GET /v1/Services/{service_sid}/PhoneNumbers", numbers)

    def fetch_usecases(self, service_sid: str, brand_registration_sid: str) -> list[rec.Usecase]:
        usecases = self._client.messaging.v1.services(service_sid).us_app_to_person_usecases
        found = self._fetch(
            rec.Usecases,
            f"GET /v1/Services/{service_sid}/Compliance/Usa2p/Usecases",
            usecases,
            brand_registration_sid=brand_registration_sid,
        )
        return list(found.us_app_to_person_usecases)

    def create_campaign(self, service_sid: str, **params: Any) -> rec.Campaign:
        campaigns = self._client.messaging.v1.services(service_sid).us_app_to_person
        return self._create(
            rec.Campaign, f"POST /v1/Services/{service_sid}/Compliance/Usa2p", campaigns, **params
        )

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
    ) -> rec.Campaign:
        campaign = self._client.messaging.v1.services(service_sid).us_app_to_person(
            CAMPAIGN_COMPLIANCE_SID
        )
        optional = {
            "privacy_policy_url": privacy_policy_url,
            "terms_and_conditions_url": terms_and_conditions_url,
        }
        return self._update(
            rec.Campaign,
            f"POST /v1/Services/{service_sid}/Compliance/Usa2p/{CAMPAIGN_COMPLIANCE_SID}",
            campaign,
            create=True,  # a resubmission may be charged: never repeated blindly
            has_embedded_links=has_embedded_links,
            has_embedded_phone=has_embedded_phone,
            message_samples=message_samples,
            message_flow=message_flow,
            description=description,
            age_gated=age_gated,
            direct_lending=direct_lending,
            **{k: v for k, v in optional.items() if v is not None},
        )

    def fetch_campaign(self, service_sid: str) -> rec.Campaign:
        campaigns = self._client.messaging.v1.services(service_sid).us_app_to_person
        resource = f"GET /v1/Services/{service_sid}/Compliance/Usa2p/{CAMPAIGN_COMPLIANCE_SID}"
        return self._fetch(rec.Campaign, resource, campaigns(CAMPAIGN_COMPLIANCE_SID))

    def list_campaigns(self, service_sid: str) -> list[rec.Campaign]:
        campaigns = self._client.messaging.v1.services(service_sid).us_app_to_person
        return self._list(
            rec.Campaign, f"GET /v1/Services/{service_sid}/Compliance/Usa2p", campaigns
        )

    def delete_campaign(self, service_sid: str) -> None:
        campaign = self._client.messaging.v1.services(service_sid).us_app_to_person(
            CAMPAIGN_COMPLIANCE_SID
        )
        resource = f"DELETE /v1/Services/{service_sid}/Compliance/Usa2p/{CAMPAIGN_COMPLIANCE_SID}"
        self._call(resource, campaign.delete)
