"""What the store gives back: registrations, steps, last known resources, events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Registration:
    name: str
    account: str
    flow: str
    file: str | None
    created_at: float
    updated_at: float
    outcome: str | None = None  # the last run's outcome (complete, submitted, pending, …)
    outcome_at: float | None = None


@dataclass(frozen=True)
class StepRecord:
    step: str
    status: str  # started | done | failed
    sid: str | None
    data: dict[str, Any] = field(default_factory=dict)
    started_at: float | None = None
    finished_at: float | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class ResourceRecord:
    sid: str
    # customer_profile | trust_product | brand | messaging_service | campaign | phone_number
    kind: str
    name: str | None
    account: str | None
    status: str | None
    detail: dict[str, Any]
    source: str | None  # register | status | event
    updated_at: float


@dataclass(frozen=True)
class EventRecord:
    id: str
    type: str
    time: str | None
    received_at: float
    name: str | None
    account: str | None
    sid: str | None
    data: dict[str, Any]


def campaign_key(service_sid: str) -> str:
    """A campaign's key among resources: its Usa2p SID is the same fixed QE… for every
    messaging service, and a service holds one campaign."""
    return f"campaign:{service_sid}"
