"""The one Twilio gateway: the only module that imports `twilio`, the only place that retries.

`TwilioGateway` implements the `Gateway` protocol with the official library. Its
operations live in `a2pctl.gateway.operations` (no `twilio` there), over this
module's primitives; here the library client is built (for a subaccount, with the
auth token the main account reads) and its instances become typed records. All
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
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from a2pctl.errors import UsageError
from a2pctl.gateway import Credentials, GatewayError
from a2pctl.gateway.errors import (
    FailureKind,
    backoff_seconds,
    map_failure,
    retry_after_seconds,
    scrub,
    transport_failure,
)
from a2pctl.gateway.lifecycle import LifecycleOperations
from a2pctl.gateway.records import TwilioRecord, from_library
from a2pctl.pacing import Clock, RateLimiter

T = TypeVar("T")
R = TypeVar("R", bound=TwilioRecord)

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
        # The environment (proxies, NO_PROXY, CA bundle) is read once per host, not on
        # every request as `requests` does with `trust_env` (a scan of os.environ each).
        self.session.trust_env = False
        self._settings: dict[tuple[str, str], dict[str, Any]] = {}

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
            self.proxy = self._environment(url)["proxies"]
            response: Response = super().request(
                method, url, params, data, headers, auth, timeout, allow_redirects
            )
        else:
            response = self._send_in_process(method, url, params, data, headers, auth)
        if response.status_code >= 400:
            raise _ErrorAnswer(response.status_code, response.headers or {}, response.text)
        return response

    def _environment(self, url: str) -> dict[str, Any]:
        """What `requests` would take from the environment for this host, found once."""
        host = urlsplit(url)[:2]
        if host not in self._settings:
            found: dict[str, Any] = dict(
                requests.Session().merge_environment_settings(url, {}, None, None, None)
            )
            self.session.verify = found["verify"]  # REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE
            self._settings[host] = found
        return self._settings[host]

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


class TwilioGateway(LifecycleOperations):
    """The `Gateway` over the official library, for one (credentials, account): the
    operations of `Operations` and `LifecycleOperations` over this class's client,
    retry policy and records."""

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
        self._paced_as = self.account_sid  # whose rate limit the next request counts against
        self._clock = clock
        self._max_attempts = max_attempts
        self._max_backoff = max_backoff
        self._on_retry = on_retry
        self._rng = rng or random.Random()
        self._api_url = api_url
        self.http_client = _HttpClient(
            rewrite=_base_rewriter(api_url) if api_url else None,
            before_send=lambda: limiter.acquire(self._paced_as),
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
        if creds.username != creds.account_sid:  # a credentials problem: exit 2, not a failure
            raise UsageError(
                f"main-account API keys cannot act on subaccount {sub}",
                hint="use the main account's TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or an "
                "API key of the subaccount with TWILIO_ACCOUNT_SID set to the subaccount",
            )
        main = self._library_client(creds.username, creds.password, creds.account_sid)
        self._paced_as = creds.account_sid  # a request of the main account, at its rate
        try:
            account = self._call(
                f"GET /2010-04-01/Accounts/{sub}.json",
                lambda: main.api.v2010.accounts(sub).fetch(),
            )
        finally:
            self._paced_as = sub
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

    def _remember_secret(self, value: str) -> None:
        if value not in self._secrets:
            self._secrets.append(value)

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

    # --- the shapes of a call (the primitives of `Operations`) -----------------------
    # Each answer becomes its typed record (gateway/records.py) inside the retried call.
    def _create(
        self, kind: type[R], resource: str, target: Any, *, create: bool = True, **params: Any
    ) -> R:
        created = lambda: from_library(kind, target.create(**params))  # noqa: E731
        return self._call(resource, created, create=create)

    def _fetch(self, kind: type[R], resource: str, target: Any, **params: Any) -> R:
        return self._call(resource, lambda: from_library(kind, target.fetch(**params)))

    def _update(
        self, kind: type[R], resource: str, target: Any, *, create: bool = False, **params: Any
    ) -> R:
        updated = lambda: from_library(kind, target.update(**params))  # noqa: E731
        return self._call(resource, updated, create=create)

    def _list(self, kind: type[R], resource: str, target: Any, **filters: Any) -> list[R]:
        return self._call(
            resource,
            lambda: [from_library(kind, i) for i in target.list(page_size=PAGE_SIZE, **filters)],
        )


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
