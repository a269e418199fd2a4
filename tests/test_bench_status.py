"""Benchmark of `status` over a fleet (`pytest -m slow tests/test_bench_status.py -s`
prints its figures): 1,000 registrations from the store, nothing pending: no request,
under 1 s; 50 brands pending with --refresh: one request per pending resource."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import responses
from cli_support import InProcess

from a2pctl.pacing import FakeClock
from a2pctl.state.store import Store, campaign_key

ACCOUNT = "AC" + "a" * 32
FLEET = 1000
PENDING = 50


def sid(prefix: str, n: int, kind: int) -> str:
    return f"{prefix}{kind:02x}{n:030x}"


def build(path: Path, clock: FakeClock, pending: int) -> list[str]:
    """A store of FLEET standard registrations, every resource settled except the brand of
    the first `pending` ones (IN_REVIEW). Returns the pending brands' SIDs."""
    store = Store.open(path, clock)
    waiting = []
    try:
        for n in range(FLEET):
            name = f"customer-{n:04d}"
            store.upsert_registration(name, ACCOUNT, "standard", None)

            def rec(
                s: str, kind: str, status: str | None, name: str = name, **detail: object
            ) -> None:
                store.record_resource(
                    s, kind=kind, status=status, detail=dict(detail), name=name, account=ACCOUNT
                )

            rec(sid("BU", n, 1), "customer_profile", "twilio-approved")
            rec(sid("BU", n, 2), "trust_product", "twilio-approved")
            brand = sid("BN", n, 3)
            brand_status = "IN_REVIEW" if n < pending else "APPROVED"
            rec(brand, "brand", brand_status, brand_type="STANDARD", identity_status="VERIFIED")
            waiting += [brand] if n < pending else []
            service = sid("MG", n, 4)
            rec(service, "messaging_service", None)
            rec(campaign_key(service), "campaign", "VERIFIED", messaging_service_sid=service)
            rec(sid("PN", n, 5), "phone_number", "REGISTERED",
                phone_number=f"+1415555{n:04d}", messaging_service_sid=service)  # fmt: skip
    finally:
        store.close()
    return waiting


def brand_answer(request: object) -> tuple[int, dict[str, str], str]:
    url = str(getattr(request, "url", ""))
    brand = url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    body = {"sid": brand, "account_sid": ACCOUNT, "status": "APPROVED",
            "identity_status": "VERIFIED", "brand_type": "STANDARD", "errors": []}  # fmt: skip
    return 200, {}, json.dumps(body)


@pytest.mark.slow
@pytest.mark.parametrize("pending", [0, PENDING])
def test_status_over_a_thousand_registrations(
    cli: InProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pending: int
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "not-a-real-token")
    db = tmp_path / "fleet.db"
    build(db, cli.clock, pending)
    args = ["status", "--json", "--state", str(db), "--rate", "1000"]
    args += ["--refresh"] if pending else []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(
            responses.GET, re.compile(r"https://messaging\.twilio\.com/v1/a2p/BrandRegistrations/"),
            callback=brand_answer,
        )  # fmt: skip
        started = time.perf_counter()
        done = cli(*args, cwd=tmp_path)
        elapsed = time.perf_counter() - started
        calls = len(mock.calls)
    doc = json.loads(done.stdout)
    print(
        f"\nstatus --json{' --refresh' if pending else ''}: {FLEET} registrations, "
        f"{pending} pending: {calls} requests, {elapsed:.2f} s, exit {done.returncode}, "
        f"summary {doc['summary']}"
    )
    assert done.returncode == 0, done.stderr
    assert doc["summary"] == {"failed": 0, "pending": 0, "complete": FLEET}
    assert calls <= pending  # 0 with nothing pending; at most one per pending resource
    assert calls == pending
    assert elapsed < (1.0 if not pending else 2.0)
