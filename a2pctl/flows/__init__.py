"""The two documented ISV flows as data: pick one for a customer file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from a2pctl.flows.model import Flow

if TYPE_CHECKING:
    from a2pctl.spec.customer import Customer


def build_flow(customer: Customer) -> Flow:
    """The ordered steps that register this customer (docs/twilio/flows.md §2 and §3)."""
    if customer.flow == "sole_proprietor":
        from a2pctl.flows.sole_proprietor import build
    else:
        from a2pctl.flows.standard import build
    return build(customer)
