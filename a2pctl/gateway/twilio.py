"""The one Twilio gateway: the only module that imports `twilio`, the only place that retries.

`TwilioGateway` implements the `Gateway` protocol with the official library. All
requests go through one HTTP client of ours, which
- sends them to `api_url` + the original path when one is given (the sandbox,
  a recording proxy), pagination links included;
- passes every attempt through the account's `RateLimiter`;
- either uses `requests` (with a timeout, and without the library's retries) or
  hands the encoded request to an in-process transport (the sandbox);
- turns every error answer into `_ErrorAnswer`, so that the status, the body and
  `Retry-After` reach the retry policy.
One tenacity policy (`_call`) retries what `a2pctl.gateway.errors` calls
retryable, sleeping on the injected clock.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from a2pctl.errors import UsageError
from a2pctl.gateway import CAMPAIGN_COMPLIANCE_SID, BundleKind, Credentials, GatewayError, Record
from a2pctl.gateway.errors import (
    FailureKind,
    backoff_seconds,
    map_failure,
    retry_after_seconds,
    scrub,
    transport_failure,
)
from a2pctl.pacing import Clock, RateLimiter

T = TypeVar("T")

# An in-process transport: (method, absolute URL, headers, form body) → (status, headers, text).
Transport = Callable[[str, str, Mapping[str, str], bytes], tuple[int, dict[str, str], str]]

BACKOFF_BASE_SECONDS = 1.0  # first retry waits up to 1 s, then 2, 4, 8... (capped)
PAGE_SIZE = 1000  # Twilio's maximum: fewest requests under a 1 request/second budget
# The library reads TWILIO_REGION / TWILIO_EDGE from `environment`, and an empty
# mapping makes it fall back to os.environ: a non-empty one without them keeps
# every request on the documented hosts.
_LIBRARY_ENVIRONMENT = {"A2PCTL": "1"}


class _ErrorAnswer(Exception):
    """Twilio answered with an error status (raised by our HTTP client, before the library)."""

    def __init__(self, status: int, headers: Mapping[str, str], text: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = {str(k).lower(): str(v) for k, v in headers.items()}
        self.text = text


class InProcessTransport:
    """A `Transport` over an in-process simulator (duck-typed: `handle(method, url, headers,
    body)` returning an object with `.status`, `.headers`, `.body`, `.drop`, `.delay`).

    `delay` is slept on `sleep` (the gateway binds its clock when none is given);
    `drop` raises the `requests` error of a connection lost after sending.
    """

    def __init__(self, simulator: object, sleep: Callable[[float], None] | None = None) -> None:
        self.simulator: Any = simulator
        self.sleep = sleep

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], str]:
        answer = self.simulator.handle(method, url, dict(headers), body)
        delay = float(getattr(answer, "delay", 0) or 0)
        if delay > 0 and self.sleep is not None:
            self.sleep(delay)
        if getattr(answer, "drop", False):
            raise requests.exceptions.ConnectionError("connection dropped after the request")
        text = answer.body
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        elif text is None:
            text = ""
        elif not isinstance(text, str):
            text = json.dumps(text)
        return int(answer.status), {str(k): str(v) for k, v in (answer.headers or {}).items()}, text


def _base_rewriter(api_url: str) -> Callable[[str], str]:
    """`https://trusthub.twilio.com/v1/EndUsers?x=1` → `<api_url>/v1/EndUsers?x=1`."""
    base = urlsplit(api_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise UsageError(
            f"--api-url must be an absolute http(s) URL, got {scrub(api_url)!r}",
            hint="for example http://127.0.0.1:8765 (A2PCTL_API_URL)",
            field="--api-url",
        )
    prefix = base.path.rstrip("/")

    def rewrite(url: str) -> str:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path.startswith(
            prefix + "/"
        ):
            return url  # already ours: a pagination link the simulator wrote
        return urlunsplit((base.scheme, base.netloc, prefix + parts.path, parts.query, ""))

    return rewrite


class _HttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    """The library's single choke point, made ours (see the module docstring)."""

    def __init__(
        self,
        *,
        rewrite: Callable[[str], str] | None,
        before_send: Callable[[], None],
        transport: Transport | None,
        timeout: float,
    ) -> None:
        # max_retries=None: the library mounts no retrying adapter (one retry layer only).
        super().__init__(timeout=timeout, max_retries=None)
        self._rewrite = rewrite
        self._before_send = before_send
        self._transport = transport

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if self._rewrite is not None:
            url = self._rewrite(url)
        self._before_send()
        if self._transport is None:
            response: Response = super().request(
                method, url, params, data, headers, auth, timeout, allow_redirects
            )
        else:
            response = self._send_in_process(method, url, params, data, headers, auth)
        if response.status_code >= 400:
            raise _ErrorAnswer(response.status_code, response.headers or {}, response.text)
        return response

    def _send_in_process(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None,
        data: dict[str, object] | None,
        headers: dict[str, str] | None,
        auth: tuple[str, str] | None,
    ) -> Response:
        assert self._transport is not None
        # Encoded exactly as requests would: repeated keys for lists, None left out.
        query = urlencode(_without_none(params), doseq=True)
        if query:
            url = f"{url}{'&' if urlsplit(url).query else '?'}{query}"
        body = urlencode(_without_none(data), doseq=True).encode("ascii")
        sent = dict(headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            sent["Authorization"] = f"Basic {token}"
        status, answer_headers, text = self._transport(method.upper(), url, sent, body)
        return Response(status, text, answer_headers)


def _without_none(values: Mapping[str, object] | None) -> list[tuple[str, object]]:
    return [(k, v) for k, v in (values or {}).items() if v is not None]


class TwilioGateway:
    """The `Gateway` over the official library, for one (credentials, account)."""

    def __init__(
        self,
        credentials: Credentials,
        account_sid: str | None = None,
        *,
        limiter: RateLimiter,
        clock: Clock,
        api_url: str | None = None,
        transport: object | None = None,
        timeout: float = 30.0,
        max_attempts: int = 6,
        max_backoff: float = 60.0,
        on_retry: Callable[[GatewayError, float], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if transport is not None and not callable(transport):
            raise TypeError("transport must be a Transport callable (e.g. InProcessTransport)")
        if isinstance(transport, InProcessTransport) and transport.sleep is None:
            transport = InProcessTransport(transport.simulator, clock.sleep)
        self.account_sid = account_sid or credentials.account_sid
        self._clock = clock
        self._max_attempts = max_attempts
        self._max_backoff = max_backoff
        self._on_retry = on_retry
        self._rng = rng or random.Random()
        self._api_url = api_url
        self.http_client = _HttpClient(
            rewrite=_base_rewriter(api_url) if api_url else None,
            before_send=lambda: limiter.acquire(self.account_sid),
            transport=transport,
            timeout=timeout,
        )
        self._credentials = credentials
        self._secrets = [credentials.password]
        self._built: Any = None

    @property
    def _client(self) -> Any:
        """The library client, built on first use (a subaccount costs one request)."""
        if self._built is None:
            self._built = self._build_client()
        return self._built

    def _library_client(self, username: str, password: str, account_sid: str) -> Any:
        return Client(
            username,
            password,
            account_sid=account_sid,
            http_client=self.http_client,
            environment=_LIBRARY_ENVIRONMENT,
        )

    def _build_client(self) -> Any:
        creds, sub = self._credentials, self.account_sid
        if sub == creds.account_sid:
            return self._library_client(creds.username, creds.password, sub)
        # Main-account credentials reach a subaccount only on the 2010 API; TrustHub,
        # Messaging and Events need the subaccount's own credentials. The main account
        # may read a subaccount's auth token, which is kept in memory only.
        if creds.username != creds.account_sid:
            raise GatewayError(
                f"main-account API keys cannot act on subaccount {sub}",
                resource=f"GET /2010-04-01/Accounts/{sub}.json",
                hint="use the main account's TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or an "
                "API key of the subaccount with TWILIO_ACCOUNT_SID set to the subaccount",
            )
        main = self._library_client(creds.username, creds.password, creds.account_sid)
        account = self._call(
            f"GET /2010-04-01/Accounts/{sub}.json",
            lambda: main.api.v2010.accounts(sub).fetch(),
        )
        token = str(account.auth_token or "")
        if not token:
            raise GatewayError(
                f"subaccount {sub} returned no auth token",
                resource=f"GET /2010-04-01/Accounts/{sub}.json",
                hint="check that the subaccount belongs to this main account and is active",
            )
        self._secrets.append(token)
        return self._library_client(sub, token, sub)

    def __repr__(self) -> str:
        return f"TwilioGateway(account_sid={self.account_sid!r})"

    # --- the retry policy ---------------------------------------------------------
    def _call(self, resource: str, action: Callable[[], T], *, create: bool = False) -> T:
        """Run one library call under the retry policy. `resource` is "METHOD /path";
        `create` marks a request that must not be repeated once it may have been performed."""
        method, _, path = resource.partition(" ")
        retry_after: list[float | None] = [None]  # of the latest failure, for the wait

        def attempt() -> T:
            try:
                return action()
            except (_ErrorAnswer, TwilioException, requests.RequestException) as exc:
                error, retry_after[0] = self._error(exc, method, path, create)
                raise error from exc

        def wait(state: RetryCallState) -> float:
            return backoff_seconds(
                state.attempt_number,
                rng=self._rng,
                base=BACKOFF_BASE_SECONDS,
                cap=self._max_backoff,
                retry_after=retry_after[0],
            )

        def before_sleep(state: RetryCallState) -> None:
            if self._on_retry is not None and state.outcome is not None:
                error = state.outcome.exception()
                if isinstance(error, GatewayError) and state.next_action is not None:
                    self._on_retry(error, state.next_action.sleep)

        retrying = Retrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=wait,
            retry=retry_if_exception(lambda e: isinstance(e, GatewayError) and e.retryable),
            sleep=self._clock.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(attempt)

    def _error(
        self, exc: Exception, method: str, path: str, create: bool
    ) -> tuple[GatewayError, float | None]:
        error, retry_after = library_failure(
            exc, method=method, path=path, create=create, now=self._clock.now()
        )
        if error.status is None and not error.ambiguous and self._api_url:
            error.hint = f"{error.hint} (requests go to {scrub(self._api_url)})"
        return self._without_secret(error), retry_after

    def _without_secret(self, error: GatewayError) -> GatewayError:
        """Belt and braces: an answer that echoes the secret must not print it."""
        for secret in self._secrets:
            if secret and secret in f"{error.message}{error.hint}":
                error.message = error.message.replace(secret, "***")
                error.args = (error.message,)
                error.hint = error.hint.replace(secret, "***") if error.hint else None
        return error

    # --- the shapes of a call ------------------------------------------------------
    def _create(self, resource: str, target: Any, **params: Any) -> Record:
        return self._call(resource, lambda: _record(target.create(**params)), create=True)

    def _fetch(self, resource: str, target: Any) -> Record:
        return self._call(resource, lambda: _record(target.fetch()))

    def _update(self, resource: str, target: Any, **params: Any) -> Record:
        return self._call(resource, lambda: _record(target.update(**params)))

    def _list(self, resource: str, target: Any, **filters: Any) -> list[Record]:
        return self._call(
            resource, lambda: [_record(i) for i in target.list(page_size=PAGE_SIZE, **filters)]
        )

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
    ) -> Record:
        bundles, path = self._bundles(kind)
        return self._create(
            f"POST {path}",
            bundles,
            friendly_name=friendly_name,
            email=email,
            policy_sid=policy_sid,
            status_callback=status_callback,
        )

    def fetch_bundle(self, kind: BundleKind, sid: str) -> Record:
        bundles, path = self._bundles(kind)
        return self._fetch(f"GET {path}/{sid}", bundles(sid))

    def list_bundles(
        self, kind: BundleKind, *, friendly_name: str | None = None, policy_sid: str | None = None
    ) -> list[Record]:
        bundles, path = self._bundles(kind)
        return self._list(
            f"GET {path}", bundles, friendly_name=friendly_name, policy_sid=policy_sid
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
    ) -> Record:
        bundles, path = self._bundles(kind)
        return self._update(
            f"POST {path}/{sid}",
            bundles(sid),
            status=status,
            email=email,
            friendly_name=friendly_name,
            status_callback=status_callback,
        )

    def assign(self, kind: BundleKind, bundle_sid: str, object_sid: str) -> Record:
        items, path = self._bundle_items(kind, bundle_sid, "entity_assignments")
        return self._create(f"POST {path}", items, object_sid=object_sid)

    def list_assignments(self, kind: BundleKind, bundle_sid: str) -> list[Record]:
        items, path = self._bundle_items(kind, bundle_sid, "entity_assignments")
        return self._list(f"GET {path}", items)

    def evaluate(self, kind: BundleKind, bundle_sid: str, policy_sid: str) -> Record:
        items, path = self._bundle_items(kind, bundle_sid, "evaluations")
        return self._create(f"POST {path}", items, policy_sid=policy_sid)

    def list_evaluations(self, kind: BundleKind, bundle_sid: str) -> list[Record]:
        items, path = self._bundle_items(kind, bundle_sid, "evaluations")
        return self._list(f"GET {path}", items)

    # --- TrustHub end users and supporting documents ----------------------------
    def create_end_user(
        self, *, friendly_name: str, type: str, attributes: dict[str, Any]
    ) -> Record:
        return self._create(
            "POST /v1/EndUsers",
            self._client.trusthub.v1.end_users,
            friendly_name=friendly_name,
            type=type,
            attributes=attributes,
        )

    def update_end_user(self, sid: str, *, attributes: dict[str, Any]) -> Record:
        target = self._client.trusthub.v1.end_users(sid)
        return self._update(f"POST /v1/EndUsers/{sid}", target, attributes=attributes)

    def list_end_users(self) -> list[Record]:
        return self._list("GET /v1/EndUsers", self._client.trusthub.v1.end_users)

    def create_supporting_document(
        self, *, friendly_name: str, type: str, attributes: dict[str, Any]
    ) -> Record:
        return self._create(
            "POST /v1/SupportingDocuments",
            self._client.trusthub.v1.supporting_documents,
            friendly_name=friendly_name,
            type=type,
            attributes=attributes,
        )

    def update_supporting_document(self, sid: str, *, attributes: dict[str, Any]) -> Record:
        target = self._client.trusthub.v1.supporting_documents(sid)
        return self._update(f"POST /v1/SupportingDocuments/{sid}", target, attributes=attributes)

    def list_supporting_documents(self) -> list[Record]:
        documents = self._client.trusthub.v1.supporting_documents
        return self._list("GET /v1/SupportingDocuments", documents)

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
    ) -> Record:
        return self._create(
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

    def update_address(self, sid: str, **fields: Any) -> Record:
        target = self._client.api.v2010.account.addresses(sid)
        return self._update(f"POST {self._account_path}/Addresses/{sid}.json", target, **fields)

    def list_addresses(self, *, friendly_name: str | None = None) -> list[Record]:
        addresses = self._client.api.v2010.account.addresses
        return self._list(
            f"GET {self._account_path}/Addresses.json", addresses, friendly_name=friendly_name
        )

    def find_incoming_numbers(self, *, phone_number: str) -> list[Record]:
        numbers = self._client.api.v2010.account.incoming_phone_numbers
        return self._list(
            f"GET {self._account_path}/IncomingPhoneNumbers.json",
            numbers,
            phone_number=phone_number,
        )

    def fetch_incoming_number(self, sid: str) -> Record:
        target = self._client.api.v2010.account.incoming_phone_numbers(sid)
        return self._fetch(f"GET {self._account_path}/IncomingPhoneNumbers/{sid}.json", target)

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
    ) -> Record:
        return self._create(
            "POST /v1/a2p/BrandRegistrations",
            self._client.messaging.v1.brand_registrations,
            customer_profile_bundle_sid=customer_profile_bundle_sid,
            a2p_profile_bundle_sid=a2p_profile_bundle_sid,
            brand_type=brand_type,
            mock=mock,
            skip_automatic_sec_vet=skip_automatic_sec_vet,
        )

    def fetch_brand(self, sid: str) -> Record:
        target = self._client.messaging.v1.brand_registrations(sid)
        return self._fetch(f"GET /v1/a2p/BrandRegistrations/{sid}", target)

    def list_brands(self) -> list[Record]:
        brands = self._client.messaging.v1.brand_registrations
        return self._list("GET /v1/a2p/BrandRegistrations", brands)

    def resubmit_brand(self, sid: str) -> Record:
        brand = self._client.messaging.v1.brand_registrations(sid)
        # A resubmission is reviewed (and may be charged) again: never repeated blindly.
        resource = f"POST /v1/a2p/BrandRegistrations/{sid}"
        return self._call(resource, lambda: _record(brand.update()), create=True)

    def send_brand_otp(self, sid: str) -> Record:
        # Each request texts a new code to the sole proprietor: never repeated blindly.
        otps = self._client.messaging.v1.brand_registrations(sid).brand_registration_otps
        return self._create(f"POST /v1/a2p/BrandRegistrations/{sid}/SmsOtp", otps)

    # --- Messaging: services, senders, campaigns ---------------------------------
    def create_service(
        self,
        *,
        friendly_name: str,
        inbound_request_url: str | None = None,
        fallback_url: str | None = None,
    ) -> Record:
        return self._create(
            "POST /v1/Services",
            self._client.messaging.v1.services,
            friendly_name=friendly_name,
            inbound_request_url=inbound_request_url,
            fallback_url=fallback_url,
        )

    def fetch_service(self, sid: str) -> Record:
        return self._fetch(f"GET /v1/Services/{sid}", self._client.messaging.v1.services(sid))

    def list_services(self) -> list[Record]:
        return self._list("GET /v1/Services", self._client.messaging.v1.services)

    def add_service_phone_number(self, service_sid: str, phone_number_sid: str) -> Record:
        numbers = self._client.messaging.v1.services(service_sid).phone_numbers
        resource = f"POST /v1/Services/{service_sid}/PhoneNumbers"
        return self._create(resource, numbers, phone_number_sid=phone_number_sid)

    def list_service_phone_numbers(self, service_sid: str) -> list[Record]:
        numbers = self._client.messaging.v1.services(service_sid).phone_numbers
        return self._list(f"GET /v1/Services/{service_sid}/PhoneNumbers", numbers)

    def fetch_usecases(self, service_sid: str, brand_registration_sid: str) -> list[Record]:
        usecases = self._client.messaging.v1.services(service_sid).us_app_to_person_usecases
        found = self._call(
            f"GET /v1/Services/{service_sid}/Compliance/Usa2p/Usecases",
            lambda: _record(usecases.fetch(brand_registration_sid=brand_registration_sid)),
        )
        return list(found.get("us_app_to_person_usecases") or [])

    def create_campaign(self, service_sid: str, **params: Any) -> Record:
        campaigns = self._client.messaging.v1.services(service_sid).us_app_to_person
        return self._create(
            f"POST /v1/Services/{service_sid}/Compliance/Usa2p", campaigns, **params
        )

    def fetch_campaign(self, service_sid: str) -> Record:
        campaigns = self._client.messaging.v1.services(service_sid).us_app_to_person
        resource = f"GET /v1/Services/{service_sid}/Compliance/Usa2p/{CAMPAIGN_COMPLIANCE_SID}"
        return self._fetch(resource, campaigns(CAMPAIGN_COMPLIANCE_SID))

    def list_campaigns(self, service_sid: str) -> list[Record]:
        campaigns = self._client.messaging.v1.services(service_sid).us_app_to_person
        return self._list(f"GET /v1/Services/{service_sid}/Compliance/Usa2p", campaigns)

    def delete_campaign(self, service_sid: str) -> None:
        campaign = self._client.messaging.v1.services(service_sid).us_app_to_person(
            CAMPAIGN_COMPLIANCE_SID
        )
        resource = f"DELETE /v1/Services/{service_sid}/Compliance/Usa2p/{CAMPAIGN_COMPLIANCE_SID}"
        self._call(resource, campaign.delete)

    # --- Event Streams -------------------------------------------------------------
    def create_sink(
        self, *, description: str, sink_configuration: dict[str, Any], sink_type: str
    ) -> Record:
        return self._create(
            "POST /v1/Sinks",
            self._client.events.v1.sinks,
            description=description,
            sink_configuration=sink_configuration,
            sink_type=sink_type,
        )

    def list_sinks(self) -> list[Record]:
        return self._list("GET /v1/Sinks", self._client.events.v1.sinks)

    def create_subscription(
        self, *, description: str, sink_sid: str, types: list[dict[str, Any]]
    ) -> Record:
        return self._create(
            "POST /v1/Subscriptions",
            self._client.events.v1.subscriptions,
            description=description,
            sink_sid=sink_sid,
            types=types,
        )

    def list_subscriptions(self, *, sink_sid: str | None = None) -> list[Record]:
        subscriptions = self._client.events.v1.subscriptions
        return self._list("GET /v1/Subscriptions", subscriptions, sink_sid=sink_sid)

    def list_subscribed_events(self, subscription_sid: str) -> list[Record]:
        events = self._client.events.v1.subscriptions(subscription_sid).subscribed_events
        return self._list(f"GET /v1/Subscriptions/{subscription_sid}/SubscribedEvents", events)

    def add_subscribed_event(
        self, subscription_sid: str, *, type: str, schema_version: int | None = None
    ) -> Record:
        events = self._client.events.v1.subscriptions(subscription_sid).subscribed_events
        resource = f"POST /v1/Subscriptions/{subscription_sid}/SubscribedEvents"
        return self._create(resource, events, type=type, schema_version=schema_version)

    def list_event_types(self) -> list[Record]:
        return self._list("GET /v1/Types", self._client.events.v1.event_types)


# --- records out ---------------------------------------------------------------------
def _record(instance: Any) -> Record:
    """A library instance as Twilio's snake_case JSON: public attributes, dates as ISO-8601."""
    return {k: _plain(v) for k, v in vars(instance).items() if not k.startswith("_")}


def _records(instances: Iterable[Any]) -> list[Record]:
    return [_record(i) for i in instances]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def library_failure(
    exc: Exception, *, method: str, path: str, create: bool, now: float
) -> tuple[GatewayError, float | None]:
    """Reduce anything the library, `requests` or our client raised to `map_failure`'s
    plain values; also return the seconds `Retry-After` asked for, if any."""
    kind: FailureKind = "http"
    status: int | None = None
    body: str | dict[str, Any] | None = None
    reason: str | None = None
    retry_after = None
    if isinstance(exc, _ErrorAnswer):
        status, body = exc.status, exc.text
        retry_after = retry_after_seconds(exc.headers.get("retry-after"), now)
    elif isinstance(exc, TwilioRestException):
        # msg is "Unable to <verb> record: <Twilio's message>"; code falls back to the status.
        text = str(exc.msg or "")
        status = exc.status
        body = {
            "code": exc.code if exc.code != exc.status else None,
            "message": text.split(": ", 1)[1] if ": " in text else None,
            "details": exc.details,
        }
    elif isinstance(exc, TwilioServiceException):
        status = exc.status
        body = {
            "type": exc.type,
            "title": exc.title,
            "code": exc.code,
            "detail": exc.detail,
            "errors": exc.errors,
        }
    elif isinstance(exc, TwilioException) and exc.args and hasattr(exc.args[-1], "status_code"):
        page = exc.args[-1]  # TwilioException("Unable to fetch page", response)
        status, body = page.status_code, page.text
    elif isinstance(exc, requests.RequestException):
        kind, reason = transport_failure(exc)
    else:
        kind, reason = "other", str(exc.args[0]) if exc.args else type(exc).__name__
    error = map_failure(
        method=method, path=path, kind=kind, status=status, body=body, reason=reason, create=create
    )
    return error, retry_after
