"""The results of `a2pctl status`: typed items, rows and the report, and how a
Twilio record (fetched, or last known in the store) becomes an item with its
remediation. Pure: no I/O; `status/live.py` fetches, `report/status.py` draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from a2pctl.errors import ExitCode
from a2pctl.gateway import CAMPAIGN_COMPLIANCE_SID, GatewayError
from a2pctl.gateway.records import normalised
from a2pctl.remediation import catalogue as rem
from a2pctl.remediation.catalogue import Remediation
from a2pctl.state.store import ResourceRecord

_AUTH_STATUSES = frozenset({401, 403})  # wrong credentials: stop, do not report per item

NUMBER_ATTACHED = Remediation(
    rem.OK,
    "In the messaging service of a VERIFIED campaign; Twilio registers it with the carriers "
    "automatically. Its carrier status is not known yet (no Event Streams number event).",
    "To confirm: `a2pctl events serve`, or `a2pctl numbers report` on the Console's CSV.",
)
NOT_IN_SERVICE = Remediation(
    rem.PENDING,
    "Not in the messaging service's sender pool.",
    "Re-run `a2pctl register FILE` to add it.",
    "phone_numbers",
)


@dataclass(frozen=True)
class Problem:
    """One error of a resource: Twilio's code and words, and where to fix it."""

    code: int | None
    description: str
    field: str | None = None  # the customer-file path
    twilio_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """One resource's status, as refreshed (or last known), with its remediation."""

    # customer_profile | trust_product | brand | messaging_service | campaign | phone_number
    kind: str
    sid: str | None  # None: not created yet
    status: str | None
    remediation: Remediation
    registration: str | None = None
    account: str | None = None
    identity_status: str | None = None
    failure_reason: str | None = None
    errors: tuple[Problem, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)  # brand_type, tcr_id, campaign_id, ...
    seen_at: float | None = None  # when this state was last seen (fetched, polled or an event)
    stale: bool = False  # Twilio could not be asked: the last known state, maybe outdated

    @property
    def severity(self) -> rem.Severity:
        return self.remediation.severity


@dataclass(frozen=True)
class Row:
    """One registration (or one reference the store does not know)."""

    name: str | None
    account: str | None
    flow: str | None
    items: tuple[Item, ...]

    @property
    def severity(self) -> rem.Severity:
        return rem.worst(i.severity for i in self.items)

    def of(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    @property
    def next_step(self) -> Item | None:
        """The first of the most serious items: what to deal with next (None when all is ok)."""
        worst = self.severity
        if worst == rem.OK:
            return None
        candidates = [i for i in self.items if i.severity == worst]
        actionable = [
            i for i in candidates if not (i.remediation.action or "").startswith(rem.NOTHING_TO_DO)
        ]
        return (actionable or candidates)[0]

    @property
    def next_action(self) -> str | None:
        step = self.next_step
        return step.remediation.action if step else None


@dataclass(frozen=True)
class StatusReport:
    rows: tuple[Row, ...]
    checked_at: float
    offline: str | None = None  # why Twilio could not be asked (said once), else None
    requests: int = 0  # resources asked about on Twilio during this check

    @property
    def items(self) -> list[Item]:
        return [i for row in self.rows for i in row.items]

    @property
    def severity(self) -> rem.Severity:
        return rem.worst(row.severity for row in self.rows)

    @property
    def pending(self) -> bool:
        """Whether some registration still waits on a review. A registration with a failure
        waits on the user instead: what it has not created yet (the campaign of a FAILED
        brand) or cannot register (the numbers of a FAILED campaign) stays pending forever,
        so `status --watch` must not keep refreshing it."""
        return any(row.severity == rem.PENDING for row in self.rows)

    @property
    def exit_code(self) -> ExitCode:
        return {rem.FAILED: ExitCode.FAILED, rem.PENDING: ExitCode.PENDING}.get(
            self.severity, ExitCode.OK
        )


def stored_detail(record: ResourceRecord, status_key: str = "status") -> dict[str, Any]:
    """A stored resource's detail with its last known status, as a fetch would give it."""
    return {**record.detail, status_key: record.status}


CAMPAIGN_GONE = Remediation(
    rem.FAILED,
    "The campaign recorded for this service no longer exists (deleted, or removed 30 days "
    "after a suspension; deleting the messaging service deletes it too).",
    "Re-run `a2pctl register FILE` to create it again.",
)


def bundle_item(
    kind: str, sid: str, detail: Mapping[str, Any], name: str | None, account: str | None
) -> Item:
    evaluation = detail.get("evaluation") if isinstance(detail.get("evaluation"), Mapping) else None
    reason = detail.get("failure_reason")
    remedy = rem.for_bundle(detail.get("status"), evaluation, failure_reason=reason)
    problems: list[Problem] = []
    if evaluation and str(evaluation.get("status")).lower() == "noncompliant":
        problems += [
            Problem(None, text, path) for path, text in rem.evaluation_problems(evaluation)
        ]
    for error in detail.get("errors") or []:
        if isinstance(error, Mapping):
            problems.append(_problem(error, "evaluation"))
    extra = {"evaluation": evaluation.get("status") if evaluation else None}
    return Item(
        kind,
        sid,
        detail.get("status"),
        remedy,
        name,
        account,
        failure_reason=reason,
        errors=tuple(problems),
        extra=extra,
    )


def brand_item(sid: str, detail: Mapping[str, Any], name: str | None, account: str | None) -> Item:
    brand_type = str(detail.get("brand_type") or rem.STANDARD).upper()
    errors = tuple(_problem(e, "brand", brand_type) for e in normalised(detail.get("errors")))
    extra = {
        "brand_type": detail.get("brand_type"),
        "tcr_id": detail.get("tcr_id"),
        "brand_feedback": detail.get("brand_feedback"),
        "mock": detail.get("mock"),
    }
    return Item(
        "brand",
        sid,
        detail.get("status"),
        rem.for_brand(detail),
        name,
        account,
        identity_status=detail.get("identity_status"),
        failure_reason=detail.get("failure_reason"),
        errors=errors,
        extra=extra,
    )


def campaign_item(detail: Mapping[str, Any], name: str | None, account: str | None) -> Item:
    errors = tuple(_problem(e, "campaign") for e in normalised(detail.get("errors")))
    extra = {
        "messaging_service_sid": detail.get("messaging_service_sid"),
        "campaign_id": detail.get("campaign_id"),
        "us_app_to_person_usecase": detail.get("us_app_to_person_usecase"),
        "brand_registration_sid": detail.get("brand_registration_sid"),
    }
    sid = detail.get("sid") or CAMPAIGN_COMPLIANCE_SID
    status = detail.get("campaign_status")
    return Item(
        "campaign", sid, status, rem.for_campaign(detail), name, account, errors=errors, extra=extra
    )


def _problem(error: Mapping[str, Any], kind: str, object_type: str | None = None) -> Problem:
    """One entry of `errors`, already in the one shape (gateway/records.py)."""
    code = error.get("error_code")
    fields = tuple(str(f) for f in error.get("fields") or [])
    entry = rem.from_error(error, kind, object_type=object_type)
    description = str(error.get("description") or entry.explanation)
    return Problem(code if isinstance(code, int) else None, description, entry.field, fields)


def number_item(
    sid: str,
    record: ResourceRecord | None,
    remedy: Remediation,
    name: str | None,
    account: str | None,
    extra: Mapping[str, Any] | None = None,
) -> Item:
    detail = record.detail if record else {}
    status = rem.number_status(record.status if record else None) or None
    facts = {
        "phone_number": detail.get("phone_number"),
        "messaging_service_sid": detail.get("messaging_service_sid"),
        **(extra or {}),
    }
    reason = detail.get("failure_reason")
    return Item(
        "phone_number", sid, status, remedy, name, account, failure_reason=reason, extra=facts
    )


def missing(kind: str, name: str | None, account: str | None) -> Item:
    return Item(kind, None, None, rem.NOT_CREATED, name, account)


def unreachable(
    kind: str,
    sid: str,
    record: ResourceRecord | None,
    err: GatewayError,
    name: str | None,
    account: str | None,
) -> Item:
    if err.status in _AUTH_STATUSES:
        raise err  # wrong credentials concern every resource: one clear error, not a table
    last = record.status if record else None
    if err.status == 404:
        remedy = Remediation(
            rem.FAILED,
            f"{sid} was not found in the account ({err.message}).",
            err.hint or "Check the SID and the account it belongs to.",
        )
    else:
        remedy = Remediation(
            rem.FAILED,
            f"Could not refresh from Twilio: {err.message}. "
            f"Last known status: {last or 'unknown'}.",
            err.hint or "Re-run `a2pctl status` later (add -v for details).",
        )
    return Item(kind, sid, last, remedy, name, account)
