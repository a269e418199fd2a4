"""Steps both flows share: the address document and everything from the brand on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from a2pctl.flows.model import (
    Assign,
    AttachNumber,
    BrandGate,
    BundleKind,
    CheckSubmitted,
    CheckUsecase,
    CreateAddress,
    CreateBrand,
    CreateBundle,
    CreateCampaign,
    CreateDocument,
    Evaluate,
    MessagingService,
    ResolveNumber,
    Step,
    Submit,
    friendly_name,
)

if TYPE_CHECKING:
    from a2pctl.spec.customer import Customer

# Fixed policy SIDs (docs/twilio/flows.md §1.4; the same for every account).
STARTER_PROFILE_POLICY = "RN806dd6cd175f314e1f96a9727ee271f4"
SOLE_PROPRIETOR_TRUST_POLICY = "RN670d5d2e282a6130ae063b234b6019c8"
SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
STANDARD_TRUST_POLICY = "RNb0d4771c2c98518d916a3d4cd70a8f8b"
ADDRESS_DOCUMENT_TYPE = "customer_profile_address"

# Campaign fields of the customer file, sent as the Usa2p parameters of the same name.
CAMPAIGN_FIELDS = (
    "description",
    "message_flow",
    "message_samples",
    "us_app_to_person_usecase",
    "has_embedded_links",
    "has_embedded_phone",
    "opt_in_message",
    "opt_out_message",
    "help_message",
    "opt_in_keywords",
    "opt_out_keywords",
    "help_keywords",
    "subscriber_opt_in",
    "age_gated",
    "direct_lending",
    "privacy_policy_url",
    "terms_and_conditions_url",
)


def present(values: dict[str, Any]) -> dict[str, Any]:
    """Leave unset (None) values out: Twilio treats a missing parameter as 'not given'."""
    return {key: value for key, value in values.items() if value is not None}


def address_steps(customer: Customer, profile: str = "customer_profile") -> list[Step]:
    a = customer.address
    return [
        Step(
            "address",
            "Address",
            CreateAddress(
                friendly_name=friendly_name(customer.name, "address"),
                fields=present(
                    {
                        "customer_name": a.customer_name,
                        "street": a.street,
                        "street_secondary": a.street_secondary,
                        "city": a.city,
                        "region": a.region,
                        "postal_code": a.postal_code,
                        "iso_country": a.iso_country,
                    }
                ),
            ),
            section="address",
        ),
        Step(
            "address_document",
            "Supporting document (customer_profile_address)",
            CreateDocument(
                ADDRESS_DOCUMENT_TYPE,
                friendly_name(customer.name, "address-document"),
                address_step="address",
            ),
            needs=("address",),
            section="address",
        ),
        assign_step("customer_profile", profile, "address_document", "address document"),
    ]


def assign_step(kind: BundleKind, bundle: str, obj: str, what: str) -> Step:
    return Step(
        f"{bundle}.assign.{obj}",
        f"Assign the {what} to the {kind.replace('_', ' ')}",
        Assign(kind, bundle_step=bundle, object_step=obj),
        needs=(bundle, obj),
    )


def bundle_step(
    kind: BundleKind, title: str, policy_sid: str, role: str, email: str, customer: Customer
) -> Step:
    """Create the customer profile or trust product bundle (`records` its BU SID).

    Its `Email` is the sole proprietor's own (contact.email) or the ISV's
    (isv.notification_email), as each flow documents.
    """
    return Step(
        kind,
        title,
        CreateBundle(
            kind,
            policy_sid,
            friendly_name(customer.name, role),
            email=email,
            status_callback=customer.isv.status_callback,
        ),
        records=kind,
        section="contact" if customer.flow == "sole_proprietor" else "isv",
    )


def review_steps(kind: BundleKind, policy_sid: str, what: str) -> list[Step]:
    """Evaluate the bundle against its policy, submit it, pause as documented, and
    look at it again: a fast rejection stops the flow there."""
    return [
        Step(
            f"{kind}.evaluation",
            f"Evaluate the {what}",
            Evaluate(kind, kind, policy_sid),
            needs=(kind,),
        ),
        Step(
            f"{kind}.submit",
            f"Submit the {what}",
            Submit(kind, kind),
            needs=(kind,),
            pause_after=True,
        ),
        Step(
            f"{kind}.check",
            f"Check the {what} after the pause",
            CheckSubmitted(kind, kind),
            needs=(kind,),
        ),
    ]


def primary_assign_step(customer: Customer) -> Step:
    return Step(
        "customer_profile.assign.primary",
        "Assign the ISV's primary customer profile",
        Assign(
            "customer_profile",
            bundle_step="customer_profile",
            object_sid=customer.isv.primary_customer_profile_sid,
        ),
        needs=("customer_profile",),
        section="isv",
    )


def brand_to_numbers(
    customer: Customer,
    *,
    brand_type: str,
    skip_automatic_sec_vet: bool | None,
    identity: tuple[str, ...],
    check_usecase: bool,
) -> list[Step]:
    """Brand, messaging service, the approval gate, campaign and numbers."""
    service = customer.messaging_service
    campaign = customer.campaign
    steps = [
        Step(
            "brand",
            "Brand registration",
            CreateBrand(
                profile_step="customer_profile",
                trust_step="trust_product",
                brand_type=brand_type,
                mock=customer.brand.mock,
                skip_automatic_sec_vet=skip_automatic_sec_vet,
            ),
            needs=("customer_profile", "trust_product"),
            records="brand",
            pause_after=True,
            section="brand",
        ),
        Step(
            "messaging_service",
            "Messaging service" if service.sid is None else "Messaging service (reused)",
            MessagingService(
                friendly_name=service.friendly_name,
                sid=service.sid,
                inbound_request_url=service.inbound_request_url,
                fallback_url=service.fallback_url,
            ),
            records="messaging_service",
            section="messaging_service",
        ),
        Step(
            "brand_approval",
            "Brand approval" + (" and identity verification" if identity else ""),
            BrandGate("brand", identity=identity),
            needs=("brand",),
            waits_on="brand review",
        ),
    ]
    if check_usecase:
        steps.append(
            Step(
                "usecase",
                f"Use case {campaign.us_app_to_person_usecase} offered to the brand",
                CheckUsecase("messaging_service", "brand", campaign.us_app_to_person_usecase),
                needs=("messaging_service", "brand_approval"),
                section="campaign",
            )
        )
    params = present({name: getattr(campaign, name) for name in CAMPAIGN_FIELDS})
    steps.append(
        Step(
            "campaign",
            f"Campaign ({campaign.us_app_to_person_usecase})",
            CreateCampaign("messaging_service", "brand", params),
            needs=("messaging_service", "brand", "brand_approval"),
            records="campaign",
            section="campaign",
        )
    )
    for number in customer.phone_numbers:
        steps += [
            Step(
                f"number.{number}",
                f"Phone number {number}",
                ResolveNumber(number),
                records="phone_number",
                section="phone_numbers",
            ),
            Step(
                f"attach.{number}",
                f"Add {number} to the messaging service",
                AttachNumber("messaging_service", f"number.{number}"),
                needs=("messaging_service", f"number.{number}", "campaign"),
                section="phone_numbers",
            ),
        ]
    return steps
