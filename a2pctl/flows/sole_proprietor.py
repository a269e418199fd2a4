"""The Sole Proprietor flow for ISVs (docs/twilio/flows.md §2), as data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from a2pctl.flows.common import (
    SOLE_PROPRIETOR_TRUST_POLICY,
    STARTER_PROFILE_POLICY,
    address_steps,
    assign_step,
    brand_to_numbers,
    bundle_step,
    present,
    primary_assign_step,
    review_steps,
)
from a2pctl.flows.model import CreateEndUser, Flow, Step, friendly_name

if TYPE_CHECKING:
    from a2pctl.spec.customer import Customer


def build(customer: Customer) -> Flow:
    contact, sole = customer.contact, customer.sole_proprietor
    assert contact is not None and sole is not None  # guaranteed by spec validation
    name = customer.name
    steps = [
        # Step 1 — Starter customer profile; Email is the customer's own
        # (docs/twilio/flows.md §2 step 1.2).
        bundle_step(
            "customer_profile",
            "Starter customer profile",
            STARTER_PROFILE_POLICY,
            "starter-profile",
            contact.email,
            customer,
        ),
        Step(
            "profile_end_user",
            "End user (starter_customer_profile_information)",
            CreateEndUser(
                "starter_customer_profile_information",
                friendly_name(name, "starter-end-user"),
                {
                    "first_name": contact.first_name,
                    "last_name": contact.last_name,
                    "email": contact.email,
                    "phone_number": contact.phone_number,
                },
            ),
            section="contact",
        ),
        *address_steps(customer)[:2],
        assign_step("customer_profile", "customer_profile", "profile_end_user", "end user"),
        address_steps(customer)[2],
        primary_assign_step(customer),
        *review_steps("customer_profile", STARTER_PROFILE_POLICY, "starter customer profile"),
        # Step 2 — Sole Proprietor trust bundle (policy RN670…), also the customer's e-mail.
        bundle_step(
            "trust_product",
            "Sole Proprietor trust bundle",
            SOLE_PROPRIETOR_TRUST_POLICY,
            "sole-proprietor-bundle",
            contact.email,
            customer,
        ),
        Step(
            "trust_end_user",
            "End user (sole_proprietor_information)",
            CreateEndUser(
                "sole_proprietor_information",
                friendly_name(name, "sole-proprietor-end-user"),
                present(
                    {
                        "brand_name": sole.brand_name,
                        "mobile_phone_number": sole.mobile_phone_number,
                        "vertical": sole.vertical,
                    }
                ),
            ),
            section="sole_proprietor",
        ),
        assign_step("trust_product", "trust_product", "trust_end_user", "end user"),
        assign_step("trust_product", "trust_product", "customer_profile", "starter profile"),
        *review_steps("trust_product", SOLE_PROPRIETOR_TRUST_POLICY, "trust bundle"),
        # Steps 3–6 — brand (then the OTP: APPROVED + VERIFIED), service, campaign, number.
        *brand_to_numbers(
            customer,
            brand_type="SOLE_PROPRIETOR",
            skip_automatic_sec_vet=None,
            identity=("VERIFIED",),
            check_usecase=False,
        ),
    ]
    return Flow("sole_proprietor", tuple(steps))
