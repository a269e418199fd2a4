"""The A2P event types a2pctl subscribes to and decodes (docs/twilio/flows.md §5.1–5.2)."""

from __future__ import annotations

A2P_PREFIX = "com.twilio.messaging.compliance."

BRAND_FAILURE = "brand-registration.brand-failure"
BRAND_UNVERIFIED = "brand-registration.brand-unverified"
BRAND_REGISTERED = "brand-registration.brand-registered"
CAMPAIGN_SUBMITTED = "campaign-registration.campaign-submitted"
CAMPAIGN_FAILURE = "campaign-registration.campaign-failure"
CAMPAIGN_APPROVED = "campaign-registration.campaign-approved"
NUMBER_REGISTRATION_PENDING = "number-registration.pending"
NUMBER_REGISTRATION_SUCCESSFUL = "number-registration.successful"
NUMBER_REGISTRATION_FAILED = "number-registration.failed"
NUMBER_DEREGISTRATION_PENDING = "number-deregistration.pending"
NUMBER_DEREGISTRATION_SUCCESSFUL = "number-deregistration.successful"
NUMBER_DEREGISTRATION_FAILED = "number-deregistration.failed"

# Short type -> the schema version to subscribe with. Version 2 of the two
# failure events adds the `brandregistrationerrors` / `campaignregistrationerrors`
# arrays (docs/twilio/flows.md §5.1); version 1 is the only one of the others.
SUBSCRIBED_SCHEMA_VERSIONS: dict[str, int] = {
    BRAND_FAILURE: 2,
    BRAND_UNVERIFIED: 1,
    BRAND_REGISTERED: 1,
    CAMPAIGN_SUBMITTED: 1,
    CAMPAIGN_FAILURE: 2,
    CAMPAIGN_APPROVED: 1,
    NUMBER_REGISTRATION_PENDING: 1,
    NUMBER_REGISTRATION_SUCCESSFUL: 1,
    NUMBER_REGISTRATION_FAILED: 1,
    NUMBER_DEREGISTRATION_PENDING: 1,
    NUMBER_DEREGISTRATION_SUCCESSFUL: 1,
    NUMBER_DEREGISTRATION_FAILED: 1,
}

# The resource each short type concerns, and the last known status it implies
# when the payload itself does not say (statuses in the REST API's vocabulary,
# as `register` and `status` record them; number statuses as the Console's
# number report names them).
TYPE_KIND_STATUS: dict[str, tuple[str, str]] = {
    BRAND_FAILURE: ("brand", "FAILED"),
    BRAND_UNVERIFIED: ("brand", "APPROVED"),
    BRAND_REGISTERED: ("brand", "APPROVED"),
    CAMPAIGN_SUBMITTED: ("campaign", "PENDING"),
    CAMPAIGN_FAILURE: ("campaign", "FAILED"),
    CAMPAIGN_APPROVED: ("campaign", "VERIFIED"),
    NUMBER_REGISTRATION_PENDING: ("phone_number", "PENDING_REGISTRATION"),
    NUMBER_REGISTRATION_SUCCESSFUL: ("phone_number", "REGISTERED"),
    NUMBER_REGISTRATION_FAILED: ("phone_number", "FAILURE"),
    NUMBER_DEREGISTRATION_PENDING: ("phone_number", "PENDING_DEREGISTRATION"),
    NUMBER_DEREGISTRATION_SUCCESSFUL: ("phone_number", "UNREGISTERED"),
    NUMBER_DEREGISTRATION_FAILED: ("phone_number", "FAILURE"),
}


def full_type(short_type: str) -> str:
    return A2P_PREFIX + short_type
