"""`a2pctl status` for many registrations, from the store: what it asks Twilio (nothing
about settled resources; pending ones with --refresh), the 80-column table, filters,
formats, and --watch --json as JSON lines. In process on the test's fake clock."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cli_support import InProcess

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = [REPO / "examples" / f for f in ("sole-proprietor.yaml", "standard.yaml")]
EXAMPLES.append(REPO / "examples" / "low-volume-standard.yaml")
NAMES = {"jane-doe-pottery", "northwind-outfitters", "riverside-dental"}
SID = re.compile(r"\b(?:BU|BN|MG|PN|QE|AC)[0-9a-f]+")


@pytest.fixture
def fleet(cli: InProcess, tmp_path: Path) -> Path:
    """Three registrations in the sandbox, run until their campaigns are submitted."""
    done = cli("register", "--sandbox", "--wait", "--json", *map(str, EXAMPLES), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp_path


def requests_of(cli: InProcess, cwd: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = cli("status", "--sandbox", "--json", *args, cwd=cwd)
    assert done.returncode in (0, 1, 3), done.stdout + done.stderr
    doc = json.loads(done.stdout)
    return done.returncode, doc


def test_at_80_columns_no_line_is_longer_and_no_sid_is_split(
    cli: InProcess, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for args in ((), ("-v",), ("jane-doe-pottery",), ("--refresh",)):
        done = cli("status", "--sandbox", *args, cwd=fleet)
        assert done.returncode in (0, 3), done.stdout + done.stderr
        lines = done.stdout.splitlines()
        assert any(name in done.stdout for name in NAMES)
        too_long = [line for line in lines if len(line) > 80]
        assert not too_long, "\n".join(too_long)
        cut = [m.group(0) for m in SID.finditer(done.stdout) if len(m.group(0)) != 34]
        assert not cut, cut
        assert "…" not in "".join(m.group(0) for m in SID.finditer(done.stdout))


def test_status_from_the_store_asks_twilio_nothing_and_refresh_only_the_pending(
    cli: InProcess, fleet: Path
) -> None:
    from a2pctl.pacing import FakeClock

    assert isinstance(cli.clock, FakeClock)
    code, doc = requests_of(cli, fleet)
    assert code == 3  # campaigns in review
    items = doc["items"]
    assert isinstance(items, list)
    assert {i["registration"] for i in items} == NAMES
    assert all(i["updated_at"] for i in items if i["sid"])
    assert doc["summary"] == {"failed": 0, "pending": 3, "complete": 0}
    # The sandbox counts nothing for us: the store's resources untouched by a plain status
    # prove it asked nothing ("status" is the source of what status fetched).
    from a2pctl.state.store import Store

    store = Store.open(fleet / ".a2pctl" / "state.db", cli.clock)
    try:
        assert not [r for r in store.resources() if r.source == "status"]
    finally:
        store.close()
    requests_of(cli, fleet, "--refresh")
    store = Store.open(fleet / ".a2pctl" / "state.db", cli.clock)
    try:
        refreshed = {(r.name, r.kind) for r in store.resources() if r.source == "status"}
    finally:
        store.close()
    assert ("northwind-outfitters", "campaign") in refreshed  # pending: asked
    for settled in ("customer_profile", "trust_product", "brand"):  # approved: not asked
        assert ("northwind-outfitters", settled) not in refreshed


def test_filters_globs_and_formats(cli: InProcess, fleet: Path) -> None:
    _, doc = requests_of(cli, fleet, "jane-*")
    assert {i["registration"] for i in doc["items"]} == {"jane-doe-pottery"}
    _, doc = requests_of(cli, fleet, "--flow", "sole_proprietor")
    assert {i["registration"] for i in doc["items"]} == {"jane-doe-pottery"}
    code, doc = requests_of(cli, fleet, "--failed")
    assert doc["items"] == [] and code == 0
    _, doc = requests_of(cli, fleet, "--pending", "--account", "AC" + "0" * 32)
    assert doc["items"] == []
    _, doc = requests_of(cli, fleet, "nobody-*")
    assert doc["items"] == []
    done = cli("status", "--sandbox", "--format", "csv", cwd=fleet)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {r["registration"] for r in rows} == NAMES
    assert {"kind", "sid", "status", "severity", "updated_at", "next_action"} <= set(rows[0])
    table = cli("status", "--sandbox", cwd=fleet).stdout
    assert "3 pending." in table
    bad = cli("status", "--sandbox", "--format", "xml", cwd=fleet)
    assert bad.returncode == 2 and "unknown --format 'xml'" in bad.stderr
    clash = cli("status", "--sandbox", "--json", "--format", "csv", cwd=fleet)
    assert clash.returncode == 2 and "disagree" in clash.stderr


def test_watch_json_prints_one_document_per_refresh(cli: InProcess, fleet: Path) -> None:
    done = cli("status", "--sandbox", "--watch", "--json", "--interval", "30", cwd=fleet)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) >= 2  # pending at first, then complete
    docs = [json.loads(line) for line in lines]
    assert docs[0]["summary"]["pending"] >= 1
    assert docs[-1]["summary"] == {"failed": 0, "pending": 0, "complete": 3}
