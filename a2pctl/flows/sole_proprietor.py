"""The Sole Proprietor flow for ISVs (flows.md §2), as data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from a2pctl.flows.common import (
    SOLE_PROPRIETOR_TRUST_POLICY,
    STARTER_PROFILE_POLICY,
    address_steps,
    assign_step,
    brand_to_numbers,
    present,
    primary_assign_step,
)
from a2pctl.flows.model import (
    CreateBundle,
    CreateEndUser,
    Evaluate,
    Flow,
    Step,
    Submit,
    friendly_name,
)

if TYPE_CHECKING:
    from a2pctl.spec import Customer


def build(customer: Customer) -> Flow:
    contact, sole = customer.contact, customer.sole_proprietor
    assert contact is not None and sole is not None  # guaranteed by spec validation
    name = customer.name
    steps = [
        # Step 1 — Starter customer profile; Email is the customer's own (flows.md §2 1.2).
        Step(
            "customer_profile",
            "Starter customer profile",
            CreateBundle(
                "customer_profile",
                STARTER_PROFILE_POLICY,
                friendly_name(name, "starter-profile"),
                email=contact.email,
                status_callback=customer.isv.status_callback,
            ),
            records="customer_profile",
            section="contact",
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
        Step(
            "customer_profile.evaluation",
            "Evaluate the starter customer profile",
            Evaluate("customer_profile", "customer_profile", STARTER_PROFILE_POLICY),
            needs=("customer_profile",),
        ),
        Step(
            "customer_profile.submit",
            "Submit the starter customer profile",
            Submit("customer_profile", "customer_profile"),
            needs=("customer_profile",),
            pause_after=True,
        ),
        # Step 2 — Sole Proprietor trust bundle (policy RN670…).
        Step(
            "trust_product",
            "Sole Proprietor trust bundle",
            CreateBundle(
                "trust_product",
                SOLE_PROPRIETOR_TRUST_POLICY,
                friendly_name(name, "sole-proprietor-bundle"),
                email=contact.email,
                status_callback=customer.isv.status_callback,
            ),
            records="trust_product",
            section="contact",
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
        Step(
            "trust_product.evaluation",
            "Evaluate the trust bundle",
            Evaluate("trust_product", "trust_product", SOLE_PROPRIETOR_TRUST_POLICY),
            needs=("trust_product",),
        ),
        Step(
            "trust_product.submit",
            "Submit the trust bundle",
            Submit("trust_product", "trust_product"),
            needs=("trust_product",),
            pause_after=True,
        ),
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
