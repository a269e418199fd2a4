"""Which error, retryable or not, what hint: the gateway's error mapping, without a network."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.response import Response
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError

from a2pctl.errors import ExitCode
from a2pctl.gateway import GatewayError
from a2pctl.gateway.errors import (
    backoff_seconds,
    map_failure,
    retry_after_seconds,
    scrub,
    transport_failure,
)
from a2pctl.gateway.twilio import library_failure

BRANDS = "/v1/a2p/BrandRegistrations"
NOW = 1_767_225_600.0


def legacy(code: int, message: str, status: int, **extra: object) -> str:
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    return json.dumps(
        {"code": code, "message": message, "more_info": more_info, "status": status, **extra}
    )


def test_a_400_names_twilios_code_message_field_and_documentation() -> None:
    body = legacy(21211, "Invalid 'To' Phone Number", 400, details={"field": "PhoneNumber"})

    error = map_failure(method="POST", path=BRANDS, kind="http", status=400, body=body, create=True)

    assert error.message == (
        "POST /v1/a2p/BrandRegistrations: Invalid 'To' Phone Number "
        "(HTTP 400, Twilio error 21211, https://www.twilio.com/docs/errors/21211)"
    )
    assert (error.status, error.code, error.field) == (400, 21211, "PhoneNumber")
    assert error.resource == "POST /v1/a2p/BrandRegistrations"
    assert error.more_info == "https://www.twilio.com/docs/errors/21211"
    assert not error.retryable
    assert not error.ambiguous
    assert error.exit_code == ExitCode.FAILED
    assert error.as_dict() == {
        "code": 21211,
        "message": error.message,
        "field": "PhoneNumber",
        "status": 400,
        "resource": "POST /v1/a2p/BrandRegistrations",
    }


def test_an_rfc9457_problem_names_its_title_detail_and_pointer_field() -> None:
    body = {
        "type": "https://www.twilio.com/docs/errors/70002",
        "title": "Invalid request",
        "status": 400,
        "code": 70002,
        "detail": "The request has invalid parameters",
        "errors": [{"detail": "must not be empty", "pointer": "#/FriendlyName"}],
    }

    error = map_failure(method="POST", path="/v1/Services", kind="http", status=400, body=body)

    assert error.message == (
        "POST /v1/Services: Invalid request: The request has invalid parameters: "
        "FriendlyName: must not be empty "
        "(HTTP 400, Twilio error 70002, https://www.twilio.com/docs/errors/70002)"
    )
    assert (error.code, error.field, error.retryable) == (70002, "FriendlyName", False)


@pytest.mark.parametrize(
    ("code", "status", "hint_part"),
    [
        (20003, 401, "TWILIO_AUTH_TOKEN"),
        (20404, 404, "check the SID"),
        (20429, 429, "lower --rate"),
    ],
)
def test_common_twilio_codes_come_with_what_to_do(code: int, status: int, hint_part: str) -> None:
    error = map_failure(
        method="GET", path=BRANDS, kind="http", status=status, body=legacy(code, "x", status)
    )

    assert error.hint is not None
    assert hint_part in error.hint


def test_a_bare_401_without_a_twilio_body_still_points_at_the_credentials() -> None:
    error = map_failure(method="GET", path=BRANDS, kind="http", status=401, body="")

    assert error.message == "GET /v1/a2p/BrandRegistrations: Unauthorized (HTTP 401)"
    assert error.hint is not None and "TWILIO_ACCOUNT_SID" in error.hint
    assert error.code is None


def test_an_html_502_from_a_proxy_is_retryable_with_the_status_phrase() -> None:
    error = map_failure(
        method="GET", path=BRANDS, kind="http", status=502, body="<html>Bad gateway</html>"
    )

    assert error.message == "GET /v1/a2p/BrandRegistrations: Bad Gateway (HTTP 502)"
    assert error.retryable
    assert error.hint is not None and "re-run later" in error.hint


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_mean_not_performed_so_even_a_create_is_retried(status: int) -> None:
    error = map_failure(method="POST", path=BRANDS, kind="http", status=status, create=True)

    assert error.retryable
    assert not error.ambiguous


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_error_on_a_create_is_ambiguous_and_not_retried(status: int) -> None:
    error = map_failure(method="POST", path=BRANDS, kind="http", status=status, create=True)

    assert error.ambiguous
    assert not error.retryable
    assert error.hint is not None and "looks the resource up" in error.hint


def test_a_server_error_on_a_read_is_retried() -> None:
    error = map_failure(method="GET", path=BRANDS, kind="http", status=500)

    assert error.retryable
    assert not error.ambiguous


def test_other_4xx_are_never_retried() -> None:
    for status in (400, 401, 403, 404, 409, 422):
        error = map_failure(method="GET", path=BRANDS, kind="http", status=status)
        assert not error.retryable, status


def test_a_failure_to_connect_is_retryable_even_for_a_create() -> None:
    error = map_failure(
        method="POST", path=BRANDS, kind="connect", reason="Connection refused", create=True
    )

    assert error.message == "POST /v1/a2p/BrandRegistrations: could not connect to Twilio " + (
        "(Connection refused)"
    )
    assert error.retryable
    assert not error.ambiguous
    assert error.status is None


@pytest.mark.parametrize("kind", ["dropped", "timeout"])
def test_a_create_whose_answer_was_lost_is_ambiguous(kind: str) -> None:
    error = map_failure(method="POST", path=BRANDS, kind=kind, create=True)  # type: ignore[arg-type]

    assert error.ambiguous
    assert not error.retryable
    assert "the request may have been performed" in error.message


@pytest.mark.parametrize("kind", ["dropped", "timeout"])
def test_a_read_whose_answer_was_lost_is_retried(kind: str) -> None:
    error = map_failure(method="GET", path=BRANDS, kind=kind)  # type: ignore[arg-type]

    assert error.retryable
    assert not error.ambiguous


def test_tls_and_other_failures_are_not_retried() -> None:
    assert not map_failure(method="GET", path=BRANDS, kind="tls").retryable
    assert not map_failure(method="GET", path=BRANDS, kind="other").retryable


def test_credentials_in_urls_never_reach_a_message() -> None:
    error = map_failure(
        method="GET",
        path=BRANDS,
        kind="connect",
        reason="cannot reach http://ACxx:s3cr3t-token@127.0.0.1:8765/v1",
    )

    assert "s3cr3t-token" not in str(error)
    assert "http://127.0.0.1:8765/v1" in str(error)
    assert scrub("see https://user:pw@example.com/x") == "see https://example.com/x"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    later = format_datetime(datetime.fromtimestamp(NOW + 90, tz=UTC), usegmt=True)

    assert retry_after_seconds("7", NOW) == 7.0
    assert retry_after_seconds(later, NOW) == pytest.approx(90.0)
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds(None, NOW) is None


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    rng = random.Random(7)
    waits = [backoff_seconds(n, rng=rng, base=1.0, cap=10.0) for n in range(1, 200)]

    assert all(0.0 <= w <= 1.0 for w in waits[:1])
    assert all(0.0 <= w <= 2.0 for w in waits[1:2])
    assert all(0.0 <= w <= 10.0 for w in waits)
    assert max(waits[10:]) > 5.0  # the cap, not the first ceilings, bounds later waits
    assert len(set(waits)) == len(waits)  # jittered


def test_backoff_waits_at_least_what_retry_after_asks() -> None:
    rng = random.Random(1)

    assert backoff_seconds(1, rng=rng, base=1.0, cap=60.0, retry_after=30.0) == 30.0


def test_backoff_is_deterministic_for_a_seeded_random() -> None:
    first = [backoff_seconds(n, rng=random.Random(3), base=1.0, cap=60.0) for n in (1, 2, 3)]
    again = [backoff_seconds(n, rng=random.Random(3), base=1.0, cap=60.0) for n in (1, 2, 3)]

    assert first == again


REFUSED = "Failed to establish a new connection: [Errno 111] Connection refused"


def _refused() -> requests.exceptions.ConnectionError:
    """What requests raises when nothing listens (urllib3 wraps its pool and connection)."""
    cause = NewConnectionError(None, REFUSED)  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/v1/EndUsers", cause))  # type: ignore[arg-type]


def test_requests_exceptions_say_whether_the_request_was_sent() -> None:
    unresolved = NameResolutionError("trusthub.twilio.com", None, OSError("no such host"))  # type: ignore[arg-type]
    dns = requests.exceptions.ConnectionError(MaxRetryError(None, "/v1", unresolved))  # type: ignore[arg-type]
    aborted = requests.exceptions.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    )

    assert transport_failure(_refused()) == ("connect", "Connection refused")
    assert transport_failure(dns)[0] == "connect"
    assert transport_failure(requests.exceptions.ConnectTimeout("timed out"))[0] == "connect"
    assert transport_failure(aborted)[0] == "dropped"
    assert transport_failure(requests.exceptions.ConnectionError("dropped"))[0] == "dropped"
    assert transport_failure(requests.exceptions.ReadTimeout("read timed out"))[0] == "timeout"
    assert transport_failure(requests.exceptions.SSLError("bad certificate"))[0] == "tls"
    assert transport_failure(requests.exceptions.ChunkedEncodingError("cut"))[0] == "dropped"
    assert transport_failure(requests.exceptions.InvalidURL("no host"))[0] == "other"


def test_the_librarys_rest_exception_maps_to_code_message_and_field() -> None:
    exc = TwilioRestException(
        400,
        "/EndUsers",
        "Unable to create record: Attributes is not valid JSON",
        22215,
        "POST",
        {"field": "Attributes"},
    )

    error, retry_after = library_failure(
        exc, method="POST", path="/v1/EndUsers", create=True, now=NOW
    )

    assert error.message.startswith("POST /v1/EndUsers: Attributes is not valid JSON (HTTP 400")
    assert (error.code, error.field, error.retryable, retry_after) == (
        22215,
        "Attributes",
        False,
        None,
    )


def test_the_librarys_rest_exception_without_a_twilio_code_keeps_only_the_status() -> None:
    # The library falls back to the HTTP status as `code` when Twilio sent none.
    exc = TwilioRestException(503, "/EndUsers", "Unable to fetch record", 503, "GET")

    error, _ = library_failure(exc, method="GET", path="/v1/EndUsers", create=False, now=NOW)

    assert error.code is None
    assert error.message == "GET /v1/EndUsers: Service Unavailable (HTTP 503)"
    assert error.retryable


def test_the_librarys_service_exception_maps_like_a_problem_document() -> None:
    exc = TwilioServiceException(
        "https://www.twilio.com/docs/errors/20404",
        "Not Found",
        404,
        20404,
        detail="The requested resource was not found",
        errors=[{"detail": "unknown", "pointer": "/Sid"}],
        method="GET",
        uri="/Sinks/DG1",
    )

    error, _ = library_failure(exc, method="GET", path="/v1/Sinks/DG1", create=False, now=NOW)

    assert (error.status, error.code, error.field) == (404, 20404, "Sid")
    assert "Not Found: The requested resource was not found" in error.message
    assert error.hint is not None and "check the SID" in error.hint


def test_the_librarys_page_exception_is_read_from_its_response() -> None:
    response = Response(401, legacy(20003, "Authenticate", 401))
    exc = TwilioException("Unable to fetch page", response)

    error, _ = library_failure(exc, method="GET", path="/v1/EndUsers", create=False, now=NOW)

    assert (error.status, error.code) == (401, 20003)
    assert "GET /v1/EndUsers: Authenticate" in error.message


def test_any_other_library_exception_is_reported_and_not_retried() -> None:
    exc = TwilioException("Page Records can not be deserialized")

    error, _ = library_failure(exc, method="GET", path="/v1/EndUsers", create=False, now=NOW)

    assert error.message == (
        "GET /v1/EndUsers: request failed (Page Records can not be deserialized)"
    )
    assert not error.retryable
    assert isinstance(error, GatewayError)


def test_a_refused_connection_from_requests_maps_to_a_retryable_error() -> None:
    error, _ = library_failure(_refused(), method="POST", path=BRANDS, create=True, now=NOW)

    assert error.retryable
    assert not error.ambiguous
    assert "Connection refused" in error.message
