"""`a2pctl status --format html [--output FILE]`: one self-contained page built from the
JSON status document (docs/contract.md §1). Its summary and SIDs are the JSON's, it is
well-formed (read back with `html.parser`), every value is escaped, and `--output`
writes it atomically, readable by its owner only. In process on the test's fake clock,
from a store seeded here: Twilio is asked nothing."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from cli_support import InProcess
from paths import REPO

from a2pctl.pacing import FakeClock
from a2pctl.remediation import catalogue as rem
from a2pctl.report import status_html
from a2pctl.state.store import Store
from a2pctl.status.items import Item, Row, StatusReport

ACCOUNT = "AC" + "a" * 32
TOKEN = "not-a-real-token-0123456789"
HOSTILE = "Acme <script>alert(\"x\")</script> & 'Sons' </td></table><b>"
VOID = {"meta", "br", "hr", "img", "link", "input", "wbr", "col", "source"}


def sid(prefix: str, n: int) -> str:
    return prefix + f"{n:x}" * 32


def seed(path: Path, clock: FakeClock) -> None:
    """Three registrations: one failed (its brand's errors quoting a hostile business name,
    under a hostile registration name), one pending, one complete."""
    store = Store.open(path, clock)
    try:
        for n, (name, flow) in enumerate(
            ((HOSTILE, "standard"), ("bravo-pending", "standard"), ("charlie-done", "standard")),
            1,
        ):
            store.upsert_registration(name, ACCOUNT, flow, f"{n}.yaml")

            def record(
                key: str, kind: str, status: str | None, detail: dict[str, Any], name: str = name
            ) -> None:
                store.record_resource(
                    key, kind=kind, status=status, detail=detail, name=name, account=ACCOUNT
                )

            approved = "twilio-approved"
            record(sid("BU", n), "customer_profile", approved, {"sid": sid("BU", n)})
            record(sid("BU", n + 3), "trust_product", approved, {"sid": sid("BU", n + 3)})
            brand: dict[str, Any] = {
                "sid": sid("BN", n),
                "brand_type": "STANDARD",
                "status": "APPROVED",
                "identity_status": "VERIFIED",
                "tcr_id": "BXXXXXX",
                "errors": [],
            }
            if n == 1:
                brand |= {
                    "status": "FAILED",
                    "identity_status": "UNVERIFIED",
                    "failure_reason": f"The business name {HOSTILE} does not match",
                    "errors": [
                        {
                            "error_code": 30794,
                            "description": f"Legal name {HOSTILE} does not match the EIN",
                            "fields": ["company_name", "<ein>"],
                        }
                    ],
                }
            record(sid("BN", n), "brand", brand["status"], brand)
            if n == 1:
                continue  # no service or campaign after a FAILED brand
            service = sid("MG", n)
            record(service, "messaging_service", None, {"sid": service})
            status = "IN_PROGRESS" if n == 2 else "VERIFIED"
            campaign = {
                "messaging_service_sid": service,
                "brand_registration_sid": sid("BN", n),
                "campaign_status": status,
                "campaign_id": "C" + "<&>" * n,
                "errors": [],
            }
            record("campaign:" + service, "campaign", status, campaign)
            number = {"phone_number": f"+1415555010{n}", "messaging_service_sid": service}
            record(sid("PN", n), "phone_number", "REGISTERED", number)
    finally:
        store.close()


@pytest.fixture
def seeded(tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    state = tmp_path / "state.db"
    seed(state, clock)
    clock.advance(3600)  # the states are an hour old when `status` reads them
    return state


class Page(HTMLParser):
    """The page read back: tags balanced (else `problems`), texts by element attributes."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[tuple[list[tuple[str, dict[str, str | None]]], str]] = []
        self.feed(text)
        self.close()
        self.problems += [f"<{tag}> never closed" for tag, _ in self.stack]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.texts.append((list(self.stack), data))

    def text_of(self, **attrs: str) -> list[str]:
        """The texts directly inside elements with these attributes (`class_="sid"`)."""
        want = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            data
            for stack, data in self.texts
            if stack and all(stack[-1][1].get(k) == v for k, v in want.items())
        ]

    @property
    def text(self) -> str:
        return "".join(data for _, data in self.texts)


def html_and_json(cli: InProcess, state: Path, *extra: str) -> tuple[str, dict[str, Any]]:
    page = cli("status", "--state", str(state), "--format", "html", *extra, cwd=state.parent)
    document = cli("status", "--state", str(state), "--json", *extra, cwd=state.parent)
    assert page.returncode == document.returncode == 1, page.stderr + document.stderr
    assert page.stderr == ""
    return page.stdout, json.loads(document.stdout)


def test_the_summary_and_every_sid_are_those_of_the_json_document(
    cli: InProcess, seeded: Path
) -> None:
    text, document = html_and_json(cli, seeded)
    page = Page(text)
    assert page.problems == []
    counts = {word: int(page.text_of(data_outcome=word)[0]) for word in document["summary"]}
    assert counts == document["summary"] == {"failed": 1, "pending": 1, "complete": 1}
    severities = {s: int(page.text_of(data_severity=s)[0]) for s in ("failed", "pending", "ok")}
    assert sum(severities.values()) == len(document["items"])
    assert severities["failed"] == sum(i["severity"] == "failed" for i in document["items"])
    sids = {i["sid"] for i in document["items"] if i["sid"]}
    assert sids and sids <= set(page.text_of(class_="sid"))  # each whole, in its own element
    assert document["checked_at"] in page.text_of(id="checked-at")
    sections = [
        a for tag, a in page.tags if tag == "section" and "registration" in (a["class"] or "")
    ]
    assert len(sections) == 3
    assert "1h ago" in page.text  # the age of the stored states
    filtered, doc = html_and_json(cli, seeded, "--failed")
    assert Page(filtered).text_of(data_outcome="total") == ["1"] == [str(doc["summary"]["failed"])]


def test_a_hostile_business_name_is_escaped_everywhere(cli: InProcess, seeded: Path) -> None:
    text, document = html_and_json(cli, seeded)
    assert "<script" not in text and "<b>" not in text and "</table><b>" not in text
    assert "Acme &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;Sons&#x27;" in text
    page = Page(text)
    assert page.problems == []
    assert HOSTILE in page.text  # what the reader sees is the text itself
    assert f"Legal name {HOSTILE} does not match the EIN" in page.text
    brand = next(i for i in document["items"] if i["kind"] == "brand" and i["severity"] == "failed")
    assert brand["registration"] == HOSTILE and brand["remediation"]["action"]
    assert [tag for tag, _ in page.tags if tag in ("script", "b", "iframe", "img")] == []
    assert "C&lt;&amp;&gt;" in text  # a campaign ID too


def test_the_page_is_well_formed_self_contained_and_holds_no_secret(
    cli: InProcess, seeded: Path
) -> None:
    text, _ = html_and_json(cli, seeded)
    assert text.startswith("<!DOCTYPE html>\n")
    page = Page(text)
    assert page.problems == []
    tags = [tag for tag, _ in page.tags]
    assert tags[0] == "html" and tags.count("title") == tags.count("body") == 1
    assert "style" in tags and not {"script", "link", "img", "iframe", "object"} & set(tags)
    links = [a.get("href") or a.get("src") for _, a in page.tags if a.get("href") or a.get("src")]
    assert links and all(str(link).startswith("#registration-") for link in links)
    assert "http://" not in text and "https://" not in text and "@import" not in text
    assert "url(" not in text
    csp = next(
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp is not None and "default-src 'none'" in csp
    assert TOKEN not in text


def test_output_writes_the_file_atomically_with_mode_0600(cli: InProcess, seeded: Path) -> None:
    target = seeded.parent / "report.html"
    target.write_text("an older report")
    target.chmod(0o644)
    done = cli("status", "--state", str(seeded), "--format", "html", "--output", str(target),
               cwd=seeded.parent)  # fmt: skip
    assert done.returncode == 1, done.stderr  # the exit code is still the status's
    assert done.stdout == "" and f"wrote {target}" in done.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    page = Page(target.read_text(encoding="utf-8"))
    assert page.problems == [] and "bravo-pending" in page.text
    assert sorted(p.name for p in seeded.parent.iterdir() if "report" in p.name) == ["report.html"]
    dash = cli("status", "--state", str(seeded), "--format", "html", "--output", "-",
               cwd=seeded.parent)  # fmt: skip
    assert dash.stdout.startswith("<!DOCTYPE html>") and not (seeded.parent / "-").exists()


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("out", "is a directory"),  # an existing directory: refused, never replaced
        ("missing/report.html", "missing is not a directory"),
        ("state.db/report.html", "state.db is not a directory"),  # below a file
    ],
)
def test_output_refuses_a_directory_and_an_unwritable_path(
    cli: InProcess, seeded: Path, where: str, message: str
) -> None:
    (seeded.parent / "out").mkdir()
    target = seeded.parent / where
    done = cli("status", "--state", str(seeded), "--format", "html", "--output", str(target),
               cwd=seeded.parent)  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
    assert (seeded.parent / "out").is_dir() and list((seeded.parent / "out").iterdir()) == []


def test_a_failed_write_is_a_usage_error_and_leaves_no_temporary_file(
    seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from a2pctl.cli import status as command
    from a2pctl.errors import UsageError

    def refuse(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(UsageError, match=r"cannot write .*Permission denied"):
        command.write_private(seeded.parent / "report.html", "<p>x</p>")
    assert sorted(p.name for p in seeded.parent.iterdir()) == ["state.db"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "html", "--watch"), "--format html does not go with --watch"),
        (("--format", "json", "--output", "r.html"), "--output writes the HTML report"),
        (("--output", "r.html"), "--output writes the HTML report"),
        (("--json", "--format", "html"), "disagree"),
    ],
)
def test_usage_errors(cli: InProcess, seeded: Path, args: tuple[str, ...], message: str) -> None:
    done = cli("status", "--state", str(seeded), *args, cwd=seeded.parent)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert not (seeded.parent / "r.html").exists()


def test_offline_stale_and_empty_reports(clock: FakeClock) -> None:
    remedy = rem.Remediation(rem.PENDING, "In review: `a2pctl status` <later>.", "Wait & see.")
    item = Item("brand", sid("BN", 7), "IN_REVIEW", remedy, "r", ACCOUNT, seen_at=0.0, stale=True)
    report = StatusReport((Row("r", ACCOUNT, "standard", (item,)),), 90061.0, "refused <x>")
    page = Page(status_html.status_page(report))
    assert page.problems == []
    assert page.text_of(id="offline") and "refused <x>" in page.text
    assert "1d ago stale" in page.text and page.text_of(data_outcome="stale") == ["1"]
    assert "In review: a2pctl status <later>." in page.text  # the command set as <code>
    assert page.text_of(data_outcome="pending") == ["1"]
    empty = Page(status_html.status_page(StatusReport((), 0.0)))
    assert empty.problems == [] and "No registrations" in empty.text
    assert empty.text_of(data_outcome="total") == ["0"]


def test_importing_the_cli_does_not_import_the_html_renderer() -> None:
    probe = "import sys, a2pctl.cli.app; print('a2pctl.report.status_html' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=True,
    )
    assert done.stdout.strip() == "False"
