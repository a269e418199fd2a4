"""The operations of taking a customer off, and the Authentication+ 2FA resend.

`LifecycleOperations` adds to `Operations` (same primitives, no `twilio` here):
removing a number from a messaging service, deleting a bundle, reading an end
user, `POST /v1/a2p/BrandRegistrations/{BN}/2fa`, an account (a subaccount's auth token,
for checking the signatures of its webhooks), and Event Streams: sinks (with their test
and validation, `POST /v1/Sinks/{DG}/Test`, `…/Validate`), subscriptions and types. The
library has no method for the 2FA resend (twilio-python 9.13; the OpenAPI description
lists the path with no operation), so it goes through the library's generic request — the
same client, limiter and retry policy as every other request.
"""

from __future__ import annotations

import json
from typing import Any

from a2pctl.gateway import BundleKind
from a2pctl.gateway import records as rec
from a2pctl.gateway.operations import Operations

TWO_FA_PATH = "/a2p/BrandRegistrations/{sid}/2fa"  # under messaging.twilio.com/v1


class LifecycleOperations(Operations):
    def remove_service_phone_number(self, service_sid: str, phone_number_sid: str) -> None:
        number = self._client.messaging.v1.services(service_sid).phone_numbers(phone_number_sid)
        resource = f"DELETE /v1/Services/{service_sid}/PhoneNumbers/{phone_number_sid}"
        self._call(resource, number.delete)

    def delete_bundle(self, kind: BundleKind, sid: str) -> None:
        bundles, path = self._bundles(kind)
        self._call(f"DELETE {path}/{sid}", bundles(sid).delete)

    def fetch_end_user(self, sid: str) -> rec.EndUser:
        target = self._client.trusthub.v1.end_users(sid)
        return self._fetch(rec.EndUser, f"GET /v1/EndUsers/{sid}", target)

    def resend_brand_2fa(self, sid: str) -> rec.Answer:
        """Start a new Authentication+ 2FA e-mail to the brand contact. Each request
        sends an e-mail: never repeated once it may have been performed."""
        uri = TWO_FA_PATH.format(sid=sid)
        messaging = self._client.messaging.v1

        def send() -> dict[str, Any]:
            response = messaging.request("POST", uri)
            return _json_record(response.text)

        return rec.Answer.from_twilio(self._call(f"POST /v1{uri}", send, create=True))

    def fetch_account(self, sid: str) -> rec.Account:
        """Read with the gateway's own client: a subaccount's token comes from its parent.
        Its `auth_token` is remembered as a secret, kept out of every error message."""
        resource = f"GET /2010-04-01/Accounts/{sid}.json"
        record = self._fetch(rec.Account, resource, self._client.api.v2010.accounts(sid))
        token = record.auth_token
        if token:
            self._remember_secret(token)
        return record

    def _remember_secret(self, value: str) -> None:
        """The concrete gateway scrubs it from errors (`TwilioGateway`)."""

    # --- Event Streams -------------------------------------------------------------
    def fetch_sink(self, sid: str) -> rec.Sink:
        return self._fetch(rec.Sink, f"GET /v1/Sinks/{sid}", self._client.events.v1.sinks(sid))

    def test_sink(self, sid: str) -> rec.Answer:
        """Ask Twilio for a test event. Harmless to repeat (the newest test id is the
        one that validates), so it is retried like a read."""
        target = self._client.events.v1.sinks(sid).sink_test
        return self._create(rec.Answer, f"POST /v1/Sinks/{sid}/Test", target, create=False)

    def validate_sink(self, sid: str, *, test_id: str) -> rec.Answer:
        target = self._client.events.v1.sinks(sid).sink_validate
        resource = f"POST /v1/Sinks/{sid}/Validate"
        return self._create(rec.Answer, resource, target, create=False, test_id=test_id)

    def create_sink(
        self, *, description: str, sink_configuration: dict[str, Any], sink_type: str
    ) -> rec.Sink:
        return self._create(
            rec.Sink,
            "POST /v1/Sinks",
            self._client.events.v1.sinks,
            description=description,
            sink_configuration=sink_configuration,
            sink_type=sink_type,
        )

    def list_sinks(self) -> list[rec.Sink]:
        return self._list(rec.Sink, "GET /v1/Sinks", self._client.events.v1.sinks)

    def create_subscription(
        self, *, description: str, sink_sid: str, types: list[dict[str, Any]]
    ) -> rec.Subscription:
        return self._create(
            rec.Subscription,
            "POST /v1/Subscriptions",
            self._client.events.v1.subscriptions,
            description=description,
            sink_sid=sink_sid,
            types=types,
        )

    def list_subscriptions(self, *, sink_sid: str | None = None) -> list[rec.Subscription]:
        subscriptions = self._client.events.v1.subscriptions
        return self._list(
            rec.Subscription, "GET /v1/Subscriptions", subscriptions, sink_sid=sink_sid
        )

    def list_subscribed_events(self, subscription_sid: str) -> list[rec.EventType]:
        events = self._client.events.v1.subscriptions(subscription_sid).subscribed_events
        return self._list(
            rec.EventType, f"GET /v1/Subscriptions/{subscription_sid}/SubscribedEvents", events
        )

    def add_subscribed_event(
        self, subscription_sid: str, *, type: str, schema_version: int | None = None
    ) -> rec.EventType:
        events = self._client.events.v1.subscriptions(subscription_sid).subscribed_events
        resource = f"POST /v1/Subscriptions/{subscription_sid}/SubscribedEvents"
        return self._create(
            rec.EventType, resource, events, type=type, schema_version=schema_version
        )

    def list_event_types(self) -> list[rec.EventType]:
        return self._list(rec.EventType, "GET /v1/Types", self._client.events.v1.event_types)


def _json_record(text: str | None) -> dict[str, Any]:
    """The answer's JSON object; Twilio documents no body for this one, so any other
    answer (empty, not JSON) is an empty record."""
    try:
        value: Any = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
