"""The A2P event types a2pctl knows, subscribes to and decodes (docs/twilio/flows.md §5.1–5.2).

Twilio's A2P 10DLC Event Streams guide documents 12 types (brand, campaign and
number registration), always subscribed. Twilio's Event Types pages list more
A2P types today (docs/twilio/flows.md §5.2): brand verification and vetting,
the brand contact's e-mail, the Authentication+ 2FA e-mail, campaign deletion,
brand sharing and resource clean-up. Each is decoded; those that say something
about a registration are subscribed too, when Twilio's Types endpoint lists them
as available. A type not in this catalogue is still decoded, kept as received.
"""

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
# Listed on Twilio's Event Types pages, after the guide's 12.
BRAND_VERIFIED = "brand-registration.brand-verified"
BRAND_VETTED_VERIFIED = "brand-registration.brand-vetted-verified"
BRAND_SECONDARY_VETTING_FAILURE = "brand-registration.brand-secondary-vetting-failure"
BRAND_INVALID_CONTACT_EMAIL = "brand-registration.invalid-contact-email"
BRAND_SHARING_CREATED = "brand-registration.sharing-created"
BRAND_SHARING_DELETED = "brand-registration.sharing-deleted"
BRAND_2FA_SENT = "brand-registration.email-2fa-sent"
BRAND_2FA_OPENED = "brand-registration.email-2fa-opened"
BRAND_2FA_CLICKED = "brand-registration.email-2fa-clicked"
BRAND_2FA_COMPLETED = "brand-registration.email-2fa-completed"
BRAND_2FA_TIMEOUT = "brand-registration.email-2fa-timeout"
CAMPAIGN_DELETED = "campaign-registration.campaign-deleted"
SUSPENDED_CAMPAIGN_DELETE_SUBMITTED = "campaign-registration.suspended-campaign-delete-submitted"
RESOURCE_CLEANUP_STARTED = "a2p-resource-cleanup-started"
RESOURCE_CLEANUP_FINISHED = "a2p-resource-cleanup-finished"

# Short type -> the schema version to subscribe with: the guide's 12, always.
# Version 2 of the two failure events adds the `brandregistrationerrors` /
# `campaignregistrationerrors` arrays (docs/twilio/flows.md §5.1); version 1 is
# the first of every other type, and later versions add no fields.
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
# The newer types that concern a registration: subscribed when Twilio lists them.
NEWER_SUBSCRIBED_SCHEMA_VERSIONS: dict[str, int] = {
    BRAND_VERIFIED: 1,
    BRAND_VETTED_VERIFIED: 1,
    BRAND_SECONDARY_VETTING_FAILURE: 1,
    BRAND_INVALID_CONTACT_EMAIL: 1,
    BRAND_2FA_SENT: 1,
    BRAND_2FA_OPENED: 1,
    BRAND_2FA_CLICKED: 1,
    BRAND_2FA_COMPLETED: 1,
    BRAND_2FA_TIMEOUT: 1,
    CAMPAIGN_DELETED: 1,
    SUSPENDED_CAMPAIGN_DELETE_SUBMITTED: 1,
}

# The resource each short type concerns, and the last known status it implies
# when the payload itself does not say (statuses in the REST API's vocabulary,
# as `register` and `status` record them; number statuses as the Console's
# number report names them). None: the type implies no status of its own (the
# payload's `brandstatus` / `campaignregistrationstatus`, if any, still counts).
TYPE_KIND_STATUS: dict[str, tuple[str, str | None]] = {
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
    BRAND_VERIFIED: ("brand", "APPROVED"),
    BRAND_VETTED_VERIFIED: ("brand", "APPROVED"),
    BRAND_SECONDARY_VETTING_FAILURE: ("brand", None),
    BRAND_INVALID_CONTACT_EMAIL: ("brand", None),
    BRAND_SHARING_CREATED: ("brand", None),
    BRAND_SHARING_DELETED: ("brand", None),
    BRAND_2FA_SENT: ("brand", None),
    BRAND_2FA_OPENED: ("brand", None),
    BRAND_2FA_CLICKED: ("brand", None),
    BRAND_2FA_COMPLETED: ("brand", None),
    BRAND_2FA_TIMEOUT: ("brand", None),
    CAMPAIGN_DELETED: ("campaign", "DELETED"),
    SUSPENDED_CAMPAIGN_DELETE_SUBMITTED: ("campaign", "SUSPENDED"),
    RESOURCE_CLEANUP_STARTED: ("other", None),
    RESOURCE_CLEANUP_FINISHED: ("other", None),
}

# The brand identity status a type implies when the payload does not say.
TYPE_IDENTITY: dict[str, str] = {
    BRAND_UNVERIFIED: "UNVERIFIED",
    BRAND_REGISTERED: "VERIFIED",
    BRAND_VERIFIED: "VERIFIED",
    BRAND_VETTED_VERIFIED: "VETTED_VERIFIED",
}

# What a type says, in words, where its status alone does not (events decode, serve).
TYPE_WORDS: dict[str, str] = {
    BRAND_SECONDARY_VETTING_FAILURE: "secondary vetting failed",
    BRAND_INVALID_CONTACT_EMAIL: "brand contact e-mail invalid (Authentication+ cannot start)",
    BRAND_SHARING_CREATED: "brand shared",
    BRAND_SHARING_DELETED: "brand sharing removed",
    BRAND_2FA_SENT: "Authentication+ 2FA e-mail sent",
    BRAND_2FA_OPENED: "Authentication+ 2FA e-mail opened",
    BRAND_2FA_CLICKED: "Authentication+ 2FA e-mail link clicked",
    BRAND_2FA_COMPLETED: "Authentication+ 2FA completed",
    BRAND_2FA_TIMEOUT: "Authentication+ 2FA timed out (`a2pctl brand 2fa resend`)",
    CAMPAIGN_DELETED: "campaign deleted",
    SUSPENDED_CAMPAIGN_DELETE_SUBMITTED: "deletion of the suspended campaign submitted",
    RESOURCE_CLEANUP_STARTED: "A2P resource clean-up started",
    RESOURCE_CLEANUP_FINISHED: "A2P resource clean-up finished",
}


def full_type(short_type: str) -> str:
    return A2P_PREFIX + short_type


def is_known(short_type: str) -> bool:
    return short_type in TYPE_KIND_STATUS
