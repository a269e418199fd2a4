"""The HTTP session is configured once: the environment (proxies, NO_PROXY, the CA bundle)
is read once per host, not scanned again on every request as `requests` does with
`trust_env`; what it says is still obeyed."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
import responses

from a2pctl.gateway import Credentials
from a2pctl.gateway.twilio import TwilioGateway
from a2pctl.pacing import FakeClock, RateLimiter

ACCOUNT = "AC" + "a" * 32
PROXY = "http://proxy.example:3128"


def page(key: str) -> str:
    return json.dumps({key: [], "meta": {"key": key, "next_page_url": None}})


def test_the_environment_is_read_once_per_host_and_still_obeyed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("NO_PROXY", "messaging.twilio.com")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    scans: list[str] = []
    real = requests.sessions.get_environ_proxies

    def counted(url: str, no_proxy: str | None = None) -> dict[str, str]:
        scans.append(url)
        return real(url, no_proxy=no_proxy)

    monkeypatch.setattr(requests.sessions, "get_environ_proxies", counted)
    clock = FakeClock()
    gateway = TwilioGateway(
        Credentials(ACCOUNT, ACCOUNT, "token"),
        limiter=RateLimiter(clock, 1000.0),
        clock=clock,
    )
    with responses.RequestsMock() as mock:
        trusthub = re.compile(r"https://trusthub\.twilio\.com/.*")
        messaging = re.compile(r"https://messaging\.twilio\.com/.*")
        mock.add(responses.GET, trusthub, body=page("results"))
        mock.add(responses.GET, messaging, body=page("data"))
        for _ in range(3):
            gateway.list_end_users()
            gateway.list_brands()
        sent = [(call.request.url or "", call.request.req_kwargs) for call in mock.calls]  # type: ignore[attr-defined]

    assert len(sent) == 6
    assert len(scans) == 2  # one per host, not one per request
    for url, kwargs in sent:
        expected = None if "messaging" in url else PROXY  # NO_PROXY names messaging
        assert kwargs["proxies"].get("https") == expected, url
        assert kwargs["verify"] == str(bundle)
