"""The Console's number-registration CSV report, explained.

Twilio's Console (Phone Numbers → Manage → Active Numbers → "Request CSV
Report") lists each number of an account with its A2P registration status,
CampaignSID and MessagingServiceSID (number-registration troubleshooting
guide). `parse_report` reads that text — any column order, a UTF-8 BOM, blank
lines, the header spelt with or without spaces — and explains each number with
the catalogue's remediation. Pure: the CLI reads the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from a2pctl.errors import ExitCode, UsageError
from a2pctl.remediation import catalogue as rem
from a2pctl.remediation.catalogue import Remediation

# Header spellings, compared lower-case with everything but letters and digits removed.
_COLUMNS: dict[str, frozenset[str]] = {
    "phone_number": frozenset(
        {"phonenumber", "number", "phone", "e164", "tn", "did", "telephonenumber"}
    ),
    "status": frozenset(
        {
            "status",
            "a2pstatus",
            "registrationstatus",
            "a2pregistrationstatus",
            "numberstatus",
            "externalstatus",
            "externalphonenumberstatus",
            "10dlcstatus",
        }
    ),
    "campaign_sid": frozenset({"campaignsid", "campaign", "campaignid", "a2pcampaignsid"}),
    "messaging_service_sid": frozenset(
        {"messagingservicesid", "messagingservice", "servicesid", "mgsid"}
    ),
}
_REQUIRED = ("phone_number", "status")
MAX_REPORT_BYTES = 50_000_000  # ~100 bytes a number: half a million numbers
# The Console's own words for the statuses, by `_key` (the catalogue knows Twilio's names).
_CONSOLE_LABELS = {
    "pending": "PENDING_REGISTRATION",
    "inprogress": "PENDING_REGISTRATION",
    "inreview": "PENDING_REGISTRATION",
    "notregistered": "UNREGISTERED",
    "deregistered": "UNREGISTERED",
    "pendingderegistration": "PENDING_DEREGISTRATION",
    "deregistrationpending": "PENDING_DEREGISTRATION",
    "failed": "FAILURE",
    "registrationfailed": "FAILURE",
}
# The order groups are shown in: what needs action first.
STATUS_ORDER = (
    "FAILURE",
    "UNREGISTERED",
    "PENDING_DEREGISTRATION",
    "PENDING_REGISTRATION",
    "REGISTERED",
)


@dataclass(frozen=True)
class NumberRow:
    line: int
    phone_number: str
    status: str  # normalised: REGISTERED, PENDING_REGISTRATION, ...
    campaign_sid: str | None
    messaging_service_sid: str | None
    remediation: Remediation


@dataclass(frozen=True)
class RowProblem:
    """A line of the report that could not be explained (the others still are)."""

    line: int
    message: str


@dataclass(frozen=True)
class NumbersReport:
    source: str
    rows: tuple[NumberRow, ...]
    problems: tuple[RowProblem, ...] = ()

    def groups(self) -> list[tuple[str, list[NumberRow]]]:
        """Rows grouped by status, in STATUS_ORDER, then unknown statuses by name."""
        statuses = sorted(
            {r.status for r in self.rows},
            key=lambda s: (STATUS_ORDER.index(s) if s in STATUS_ORDER else len(STATUS_ORDER), s),
        )
        return [(s, [r for r in self.rows if r.status == s]) for s in statuses]

    @property
    def severity(self) -> rem.Severity:
        return rem.worst(r.remediation.severity for r in self.rows)

    @property
    def exit_code(self) -> ExitCode:
        """2 when a line is not understood (bad input first, as for files), else the worst."""
        if self.problems:
            return ExitCode.USAGE
        return {rem.FAILED: ExitCode.FAILED, rem.PENDING: ExitCode.PENDING}.get(
            self.severity, ExitCode.OK
        )


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _columns(header: list[str], source: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        for name, spellings in _COLUMNS.items():
            if _key(cell) in spellings and name not in found:
                found[name] = index
    for name in _REQUIRED:
        if name not in found:
            seen = ", ".join(h.strip() for h in header if h.strip()) or "nothing"
            raise UsageError(
                f"{source}: not a number registration report: no {name.replace('_', ' ')} "
                f"column (found: {seen})",
                hint="use the CSV downloaded from Console → Phone Numbers → Manage → Active "
                "Numbers → Request CSV Report (columns like PhoneNumber, Status, CampaignSid, "
                "MessagingServiceSid)",
            )
    return found


def _rows(text: str, source: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), skipinitialspace=True, strict=True)
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                yield reader.line_num, cells
    except csv.Error as exc:
        raise UsageError(
            f"{source}:{reader.line_num}: not readable as CSV: {exc}",
            hint="pass the report exactly as downloaded from the Console",
        ) from exc


def parse_report(text: str, *, source: str = "report") -> NumbersReport:
    """Every number of the report with its status explained, and the lines that could
    not be (`problems`). Raises UsageError for a file that is not such a report."""
    lines = iter(_rows(text, source))
    first = next(lines, None)
    if first is None:
        raise UsageError(
            f"{source}: the report is empty", hint="download it again from the Console"
        )
    columns = _columns(first[1], source)
    rows: list[NumberRow] = []
    problems: list[RowProblem] = []
    for line, cells in lines:
        cell = {name: (cells[i].strip() if i < len(cells) else "") for name, i in columns.items()}
        try:
            phone = _phone_number(cell["phone_number"])
            if not cell["status"]:
                raise ValueError("no status on this line")
        except ValueError as exc:
            problems.append(RowProblem(line, str(exc)))
            continue
        status = _CONSOLE_LABELS.get(_key(cell["status"])) or rem.number_status(cell["status"])
        campaign = cell.get("campaign_sid") or None
        service = cell.get("messaging_service_sid") or None
        rows.append(
            NumberRow(line, phone, status, campaign, service, explain(status, campaign, service))
        )
    return NumbersReport(source, tuple(rows), tuple(problems))


def _phone_number(text: str) -> str:
    """The number of a line in E.164; ValueError naming what is wrong with it."""
    from a2pctl.spec.rules import e164

    if not text:
        raise ValueError("no phone number on this line")
    digits = re.sub(r"[ ()-]", "", text)
    if digits.isdigit() and len(digits) in (10, 11):  # a US number written without +1
        text = ("+" if len(digits) == 11 else "+1") + digits
    try:
        return e164(text)
    except ValueError as exc:
        raise ValueError(f"not a phone number: {exc}") from None


def explain(status: str, campaign_sid: str | None, service_sid: str | None) -> Remediation:
    """The remediation of one report line. An UNREGISTERED number that the report places
    in a registered campaign's service is where the sole-proprietor one-number rule (or a
    recent addition) applies."""
    if status == "UNREGISTERED" and (campaign_sid or service_sid):
        return rem.UNREGISTERED_IN_REGISTERED_SERVICE
    return rem.for_number(status)
