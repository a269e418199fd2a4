"""The shape of a flow: an ordered tuple of frozen Steps, each doing one thing.

A Step names what it needs (earlier steps whose SIDs it uses), the request it
makes (its `action`, a small frozen description the executor interprets),
what it records (`records`: the resource kind whose SID it produces, if any),
what it waits on (`waits_on`: an outside review), and whether Twilio's
documented pause follows it. Flows are data: `sole_proprietor.py` and
`standard.py` only build these tuples from a customer file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from a2pctl.spec.customer import Customer

BundleKind = Literal["customer_profile", "trust_product"]

# Friendly names are deterministic, so a resource whose create answer was lost
# can be found again; 64 characters is the shortest limit (Addresses, Services).
FRIENDLY_NAME_MAX = 64


def fingerprint(value: Any) -> str:
    """A short, stable hash of what a step sent, to notice when the file changes it."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def friendly_name(registration: str, role: str) -> str:
    """`a2pctl:<registration>:<role>`, shortened with a hash when too long."""
    name = f"a2pctl:{registration}:{role}"
    if len(name) <= FRIENDLY_NAME_MAX:
        return name
    digest = hashlib.sha256(registration.encode()).hexdigest()[:8]
    keep = FRIENDLY_NAME_MAX - len(f"a2pctl::{role}") - len(digest) - 1
    return f"a2pctl:{registration[:keep]}-{digest}:{role}"


@dataclass(frozen=True)
class CreateBundle:
    """POST /v1/CustomerProfiles or /v1/TrustProducts."""

    kind: BundleKind
    policy_sid: str
    friendly_name: str
    email: str
    status_callback: str | None = None


@dataclass(frozen=True)
class CreateEndUser:
    """POST /v1/EndUsers (type + JSON attributes); updated in place when the file changes."""

    type: str
    friendly_name: str
    attributes: dict[str, Any]


@dataclass(frozen=True)
class CreateAddress:
    """POST /2010-04-01/Accounts/{AC}/Addresses.json; updated in place when the file changes."""

    friendly_name: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class CreateDocument:
    """POST /v1/SupportingDocuments of type customer_profile_address for an address step."""

    type: str
    friendly_name: str
    address_step: str


@dataclass(frozen=True)
class Assign:
    """POST /v1/{bundle}/EntityAssignments: put an object (by step, or a fixed SID) in a bundle."""

    kind: BundleKind
    bundle_step: str
    object_step: str | None = None
    object_sid: str | None = None


@dataclass(frozen=True)
class Evaluate:
    """POST /v1/{bundle}/Evaluations: stop with every failing requirement when noncompliant."""

    kind: BundleKind
    bundle_step: str
    policy_sid: str


@dataclass(frozen=True)
class Submit:
    """POST /v1/{bundle} Status=pending-review (never waits for approval, as documented)."""

    kind: BundleKind
    bundle_step: str


@dataclass(frozen=True)
class CheckSubmitted:
    """GET the bundle after the documented pause: stop on a fast rejection (what the
    pause is for) before anything is built on it, above all the fee-bearing brand."""

    kind: BundleKind
    bundle_step: str


@dataclass(frozen=True)
class CreateBrand:
    """POST /v1/a2p/BrandRegistrations — fee-bearing: looked up before every create (unless
    this process created both bundles it is built on: `create_once`'s `new_base`)."""

    profile_step: str
    trust_step: str
    brand_type: str
    mock: bool = False
    skip_automatic_sec_vet: bool | None = None


@dataclass(frozen=True)
class MessagingService:
    """POST /v1/Services, or reuse an existing service by SID."""

    friendly_name: str | None
    sid: str | None = None
    inbound_request_url: str | None = None
    fallback_url: str | None = None


@dataclass(frozen=True)
class BrandGate:
    """GET the brand until it is APPROVED and its identity is verified where required."""

    brand_step: str
    identity: tuple[str, ...] = ()  # identity statuses that open the gate; () = any


@dataclass(frozen=True)
class CheckUsecase:
    """GET .../Compliance/Usa2p/Usecases: the brand must offer the campaign's use case."""

    service_step: str
    brand_step: str
    usecase: str


@dataclass(frozen=True)
class CreateCampaign:
    """POST /v1/Services/{MG}/Compliance/Usa2p — fee-bearing: looked up before every create."""

    service_step: str
    brand_step: str
    params: dict[str, Any]


@dataclass(frozen=True)
class ResolveNumber:
    """Find the account's IncomingPhoneNumber (PN…) for an E.164 number or PN SID."""

    number: str


@dataclass(frozen=True)
class AttachNumber:
    """POST /v1/Services/{MG}/PhoneNumbers (already there, 21710, counts as done)."""

    service_step: str
    number_step: str


Action = (
    CreateBundle
    | CreateEndUser
    | CreateAddress
    | CreateDocument
    | Assign
    | Evaluate
    | Submit
    | CheckSubmitted
    | CreateBrand
    | MessagingService
    | BrandGate
    | CheckUsecase
    | CreateCampaign
    | ResolveNumber
    | AttachNumber
)


@dataclass(frozen=True)
class Step:
    name: str  # unique in the flow, stable across versions: it keys the state store
    title: str  # what a person reads in progress and plan output
    action: Action
    needs: tuple[str, ...] = ()
    records: str | None = None  # resource kind of the SID it produces (status/JSON "resources")
    waits_on: str | None = None  # an outside review this step waits for
    pause_after: bool = False  # Twilio's documented 30 s pause follows this step
    section: str | None = None  # the customer-file section its data comes from (error fields)


@dataclass(frozen=True)
class Flow:
    name: str  # sole_proprietor | standard | low_volume_standard
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)


FlowBuilder = Callable[["Customer"], Flow]
