"""The Standard and Low-Volume Standard flows for ISVs (docs/twilio/flows.md §3), as data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from a2pctl.flows.common import (
    SECONDARY_PROFILE_POLICY,
    STANDARD_TRUST_POLICY,
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

# Public for-profit brands must pass Authentication+ (brand contact 2FA e-mail)
# before campaigns: identity VERIFIED or VETTED_VERIFIED (docs/contract.md §3).
PUBLIC_IDENTITY = ("VERIFIED", "VETTED_VERIFIED")


def build(customer: Customer) -> Flow:
    business, reps, profile = (
        customer.business,
        customer.authorized_representatives,
        customer.messaging_profile,
    )
    assert business is not None and reps and profile is not None  # spec validation
    email = customer.isv.notification_email  # the ISV's own address, as documented
    assert email is not None
    name = customer.name
    steps = [
        bundle_step(
            "customer_profile",
            "Secondary customer profile",
            SECONDARY_PROFILE_POLICY,
            "secondary-profile",
            email,
            customer,
        ),
        Step(
            "business_end_user",
            "End user (customer_profile_business_information)",
            CreateEndUser(
                "customer_profile_business_information",
                friendly_name(name, "business-information"),
                present(business.model_dump()),
            ),
            section="business",
        ),
        assign_step("customer_profile", "customer_profile", "business_end_user", "business"),
    ]
    for index, rep in enumerate(reps, start=1):
        step = f"representative_{index}"
        steps += [
            Step(
                step,
                f"End user (authorized_representative_{index})",
                CreateEndUser(
                    f"authorized_representative_{index}",
                    friendly_name(name, f"representative-{index}"),
                    rep.model_dump(),
                ),
                section=f"authorized_representatives[{index - 1}]",
            ),
            assign_step("customer_profile", "customer_profile", step, f"representative {index}"),
        ]
    steps += [
        *address_steps(customer),
        primary_assign_step(customer),
        *review_steps("customer_profile", SECONDARY_PROFILE_POLICY, "secondary customer profile"),
        bundle_step(
            "trust_product",
            "A2P messaging profile (trust product)",
            STANDARD_TRUST_POLICY,
            "a2p-trust-product",
            email,
            customer,
        ),
        Step(
            "messaging_profile_end_user",
            "End user (us_a2p_messaging_profile_information)",
            CreateEndUser(
                "us_a2p_messaging_profile_information",
                friendly_name(name, "messaging-profile"),
                # Stock fields only for public companies: omitted otherwise
                # (docs/twilio/flows.md §3 step 2.2).
                present(profile.model_dump()),
            ),
            section="messaging_profile",
        ),
        assign_step(
            "trust_product", "trust_product", "messaging_profile_end_user", "messaging profile"
        ),
        assign_step("trust_product", "trust_product", "customer_profile", "secondary profile"),
        *review_steps("trust_product", STANDARD_TRUST_POLICY, "trust product"),
    ]
    low_volume = customer.flow == "low_volume_standard"
    # LVS always skips secondary vetting; standard sends the flag only when asked to
    # (a false value is "parameter left out", docs/contract.md §2).
    skip = True if low_volume or customer.brand.skip_automatic_sec_vet else None
    public = profile.company_type == "public"
    steps += brand_to_numbers(
        customer,
        brand_type="STANDARD",
        skip_automatic_sec_vet=skip,
        identity=PUBLIC_IDENTITY if public else (),
        check_usecase=True,
    )
    return Flow(customer.flow, tuple(steps))
