"""Static catalogues the simulator serves: campaign use cases and Event
Streams event types. Data only, taken from the official OpenAPI description's
examples (use cases) and from Twilio's Event Streams source document (docs/twilio/flows.md §5.2).
"""

from __future__ import annotations

from a2pctl.sandbox.wire import EVENTS, Json

# (code, name, description, post_approval_required): the spec's example answer
# of GET /v1/Services/{MG}/Compliance/Usa2p/Usecases.
USECASES: tuple[tuple[str, str, str, bool], ...] = (
    ("2FA", "Two-Factor authentication (2FA)",
     "Two-Factor authentication, one-time use password, password reset", False),
    ("ACCOUNT_NOTIFICATION", "Account Notification",
     "All reminders, alerts, and notifications. (Examples include: flight delayed, hotel "
     "booked, appointment reminders.)", False),
    ("AGENTS_FRANCHISES", "Agents and Franchises",
     "For brands that have multiple agents, franchises or offices in the same brand vertical, "
     "but require individual localised numbers per agent/location/office.", True),
    ("CHARITY", "Charity",
     "Includes:  5013C Charity\nDoes not include: Religious organizations", False),
    ("PROXY", "Proxy",
     "Peer-to-peer app-based group messaging with proxy/pooled numbers (For example: GroupMe)\n"
     "Supporting personalized services and non-exposure of personal numbers for enterprise or "
     "A2P communications. (Examples include: Uber and AirBnb.)", True),
    ("CUSTOMER_CARE", "Customer Care",
     "All customer care messaging, including account management and support", False),
    ("DELIVERY_NOTIFICATION", "Delivery Notification",
     "Information about the status of the delivery of a product or service", False),
    ("EMERGENCY", "Emergency",
     "Notification services designed to support public safety / health during natural "
     "disasters, armed conflicts, pandemics and other national or regional emergencies", True),
    ("FRAUD_ALERT", "Fraud Alert Messaging", "Fraud alert notification", False),
    ("HIGHER_EDUCATION", "Higher Education",
     "For campaigns created on behalf of Colleges or Universities and will also include School "
     'Districts etc that fall outside of any "free to the consumer" messaging model', False),
    ("K12_EDUCATION", "K-12 Education",
     "Campaigns created for messaging platforms that support schools from grades K-12 and "
     "distance learning centers. This is not for Post-Secondary schools.", True),
    ("LOW_VOLUME", "Low Volume Mixed",
     "Low throughput, any combination of use-cases. Examples include:  test, demo accounts",
     False),
    ("MARKETING", "Marketing",
     "Any communication with marketing and/or promotional content", False),
    ("MIXED", "Mixed", "Mixed messaging reserved for specific consumer service industry", False),
    ("POLITICAL", "Political",
     "Part of organized effort to influence decision making of specific group. All campaigns "
     "to be verified", False),
    ("POLLING_VOTING", "Polling and voting", "Polling and voting", False),
    ("PUBLIC_SERVICE_ANNOUNCEMENT", "Public Service Announcement",
     "An informational message that is meant to raise the audience awareness about an "
     "important issue", False),
    ("SECURITY_ALERT", "Security Alert",
     "A notification that the security of a system, either software or hardware, has been "
     "compromised in some way and there is an action you need to take", False),
    ("SOCIAL", "Social",
     "Communication within or between closed communities (For example: influencers alerts)",
     True),
    ("SWEEPSTAKE", "Sweepstake", "Sweepstake", True),
)  # fmt: skip

# The only use case of Sole Proprietor brands (named in the Usa2p field description).
SOLE_PROPRIETOR_USECASE = (
    "SOLE_PROPRIETOR",
    "Sole Proprietor",
    "Low-volume messaging for individuals and businesses without a tax ID; one campaign per "
    "Sole Proprietor brand",
    False,
)


def usecase_records(sole_proprietor: bool) -> list[Json]:
    rows = (SOLE_PROPRIETOR_USECASE,) if sole_proprietor else USECASES
    return [
        {"code": code, "name": name, "description": text, "post_approval_required": post}
        for code, name, text, post in rows
    ]


def all_usecase_codes() -> frozenset[str]:
    return frozenset(code for code, *_ in (*USECASES, SOLE_PROPRIETOR_USECASE))


# --- Event Streams ----------------------------------------------------------------

EVENT_PREFIX = "com.twilio.messaging.compliance."
TYPES_DOCS = "https://www.twilio.com/docs/events/event-types/a2p"
TYPES_CREATED = "2023-06-15T00:00:00Z"  # when Twilio published the A2P event types

# type suffix -> (dataschema name, description). The first twelve are the A2P
# events of Twilio's Event Streams source document.
A2P_EVENTS: dict[str, tuple[str, str]] = {
    "brand-registration.brand-failure": (
        "A2P.BrandRegistrationFailure", "Brand Registration Failure"),
    "brand-registration.brand-unverified": (
        "A2P.BrandRegisteredUnverified", "Brand Registered Unverified"),
    "brand-registration.brand-registered": ("A2P.BrandRegistered", "Brand Registered"),
    "campaign-registration.campaign-submitted": (
        "A2P.CampaignRegistrationSubmitted", "Campaign Registration Submitted"),
    "campaign-registration.campaign-failure": (
        "A2P.CampaignRegistrationFailure", "Campaign Registration Failed or Rejected"),
    "campaign-registration.campaign-approved": (
        "A2P.CampaignRegistrationApproved", "Campaign Registration Approved"),
    "number-deregistration.failed": (
        "A2P.NumberDeregistrationFailed", "Number Deregistration Failed"),
    "number-deregistration.pending": (
        "A2P.NumberDeregistrationPending", "Number Deregistration Pending"),
    "number-deregistration.successful": (
        "A2P.NumberDeregistrationSuccessful", "Number Deregistration Successful"),
    "number-registration.failed": (
        "A2P.NumberRegistrationFailed", "Number Registration Failed"),
    "number-registration.pending": (
        "A2P.NumberRegistrationPending", "Number Registration Pending"),
    "number-registration.successful": (
        "A2P.NumberRegistrationSuccessful", "Number Registration Successful"),
}  # fmt: skip

# Further types the catalogue lists: the newer A2P events of Twilio's Event Types
# pages (docs/twilio/flows.md §5.2) and one non-A2P type, so a client can tell which of
# the listed ones it did not subscribe to.
_NEWER = "A2P.BrandRegistration"
OTHER_EVENTS: dict[str, tuple[str, str]] = {
    EVENT_PREFIX + "brand-registration.brand-verified": (
        _NEWER + "Verified", "Brand Registration Verified"),
    EVENT_PREFIX + "brand-registration.brand-vetted-verified": (
        _NEWER + "VettedVerified", "Brand Registration Vetted Verified"),
    EVENT_PREFIX + "brand-registration.brand-secondary-vetting-failure": (
        _NEWER + "SecondaryVettingFailure", "Brand Registration Secondary Vetting Failure"),
    EVENT_PREFIX + "brand-registration.invalid-contact-email": (
        _NEWER + "InvalidContactEmail", "Brand Contact Email Invalid"),
    EVENT_PREFIX + "brand-registration.sharing-created": (
        _NEWER + "SharingCreated", "Brand Registration Sharing Created"),
    EVENT_PREFIX + "brand-registration.sharing-deleted": (
        _NEWER + "SharingDeleted", "Brand Registration Sharing Deleted"),
    EVENT_PREFIX + "brand-registration.email-2fa-sent": (
        _NEWER + "Email2FASent", "Brand Registration 2FA Email Sent"),
    EVENT_PREFIX + "brand-registration.email-2fa-opened": (
        _NEWER + "Email2FAOpened", "Brand Registration 2FA Email Opened"),
    EVENT_PREFIX + "brand-registration.email-2fa-clicked": (
        _NEWER + "Email2FAClicked", "Brand Registration 2FA Email Clicked"),
    EVENT_PREFIX + "brand-registration.email-2fa-completed": (
        _NEWER + "Email2FACompleted", "Brand Registration 2FA Email Completed"),
    EVENT_PREFIX + "brand-registration.email-2fa-timeout": (
        _NEWER + "Email2FATimeout", "Brand Registration 2FA Email Timeout"),
    EVENT_PREFIX + "campaign-registration.campaign-deleted": (
        "A2P.CampaignRegistrationDeleted", "Campaign Registration Deleted"),
    EVENT_PREFIX + "campaign-registration.suspended-campaign-delete-submitted": (
        "A2P.SuspendedCampaignRegistrationDeleteSubmitted",
        "Suspended Campaign Registration Delete Submitted"),
    EVENT_PREFIX + "a2p-resource-cleanup-started": (
        "A2P.ResourceCleanupStarted", "A2P Resource Cleanup Started"),
    EVENT_PREFIX + "a2p-resource-cleanup-finished": (
        "A2P.ResourceCleanupFinished", "A2P Resource Cleanup Finished"),
    "com.twilio.messaging.message.delivered": ("Messaging.MessageStatus", "Message delivered"),
}  # fmt: skip

A2P_EVENT_TYPES = tuple(EVENT_PREFIX + suffix for suffix in A2P_EVENTS)


def event_types() -> dict[str, tuple[str, str]]:
    """Every listed event type -> (schema id, description)."""
    return {**{EVENT_PREFIX + k: v for k, v in A2P_EVENTS.items()}, **OTHER_EVENTS}


def event_type_record(type_id: str, schema_id: str, description: str) -> Json:
    return {
        "type": type_id,
        "schema_id": schema_id,
        "date_created": TYPES_CREATED,
        "date_updated": TYPES_CREATED,
        "description": description,
        "status": "available",
        "documentation_url": TYPES_DOCS,
        "url": f"{EVENTS}/v1/Types/{type_id}",
        "links": {"schema": f"{EVENTS}/v1/Schemas/{schema_id}"},
    }
