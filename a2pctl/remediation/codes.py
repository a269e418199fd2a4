"""The documented Twilio error codes of A2P registration, as data.

One entry per code: (what it means, what to do, the customer-file field it
usually concerns). Meanings are paraphrased from Twilio's error dictionary and
troubleshooting guides (docs/twilio/remediation.md); some codes changed
meaning between dictionary versions (21736, 21737), so the status output
always shows Twilio's own description next to these. `catalogue.py` turns
entries into `Remediation`s; nothing here has logic.
"""

from __future__ import annotations

# Actions shared by many codes. "Re-run register" is the contract of docs/contract.md §3:
# it updates what changed in the file and resubmits.
FIX_AND_REREGISTER = "Fix the customer file and re-run `a2pctl register FILE`."
FIX_BUNDLE = (
    "Fix the customer file and re-run `a2pctl register FILE`: it re-evaluates and resubmits."
)
FIX_CAMPAIGN = (
    "Fix the customer file and re-run `a2pctl register FILE`: it edits and resubmits the FAILED "
    "campaign (another vetting fee may apply)."
)
NEW_CAMPAIGN = (
    "Not resubmittable: delete the campaign and create a new one (wait at least 5 s between "
    "the two on the same messaging service)."
)
SUPPORT = "Contact Twilio Support with the SID."


def personal(action: str, name: str, file: str | None) -> str:
    """An action with the placeholders of these texts filled in: REF is the registration's
    name, FILE its customer file."""
    return action.replace("REF", name).replace("FILE", file or "FILE")


# A sole proprietor's OTP not completed within 30 days: TCR marks the brand EXPIRED, and
# it is deleted and registered again (sole-proprietor ISV walkthrough, step 3).
BRAND_EXPIRED = "Expired at The Campaign Registry (OTP not completed within 30 days)."
BRAND_EXPIRED_FIX = (
    "Twilio's remedy: delete the brand (Console only: Messaging › Regulatory Compliance › "
    "Brands), then re-run `a2pctl register FILE`, which registers a new brand (fee)."
)
WAIT_RETRY = "Transient: wait and re-run; nothing to fix in the file."
OTP_RESEND = "Run `a2pctl otp resend REF` and have the customer reply YES within 24 hours."
VERIFY_BRAND = (
    "Wait until the brand is APPROVED and verified (`a2pctl status`), then re-run register."
)

Entry = tuple[str, str, str | None]

CODES: dict[int, Entry] = {
    # --- TrustHub evaluations and bundles (docs/twilio/remediation.md §2) --------------------
    22214: ("A required end user is missing from the bundle.", FIX_BUNDLE, None),
    22215: ("A required field of an end user is missing.", FIX_BUNDLE, None),
    22216: ("A required supporting document is missing from the bundle.", FIX_BUNDLE, "address"),
    22217: ("A document field is missing or does not match the end user.", FIX_BUNDLE, None),
    22218: ("A field is invalid or mismatched (e.g. an invalid phone number).", FIX_BUNDLE, None),
    22219: ("The address is missing.", FIX_BUNDLE, "address"),
    60711: (
        "A bundle in review or approved cannot be edited.",
        "Wait for the review to end; edit only after a rejection.",
        None,
    ),
    # --- Brands (docs/twilio/remediation.md §3) ----------------------------------------------
    30701: ("A brand field has an invalid length or value.", FIX_AND_REREGISTER, None),
    30702: (
        "The registration is not found at TCR (deleted or inactive).",
        "Correct the profile data and resubmit the brand; if it is gone, register it again.",
        None,
    ),
    30703: (
        "Duplicate record: a TCR-unique attribute (EIN, legal name, phone, e-mail, website, "
        "stock symbol) is already used by another brand.",
        "Use values no other brand uses for the fields named; if this customer is registered "
        "already, reuse that brand instead of a second one.",
        None,
    ),
    30729: (
        "The country is not allowed for this brand.",
        FIX_AND_REREGISTER,
        "address.iso_country",
    ),
    30747: (
        "The address is used by too many brands (sole proprietor: 10).",
        "Use the customer's own, distinct address.",
        "address",
    ),
    30748: (
        "The phone number is used by too many brands.",
        "Use the customer's own phone number.",
        "contact.phone_number",
    ),
    30749: (
        "The e-mail address is used by too many brands (sole proprietor: 10).",
        "Use the customer's own e-mail address.",
        "contact.email",
    ),
    30750: (
        "The mobile number is used by too many brands (sole proprietor: 3, lifetime at TCR).",
        "Use another US/CA mobile number of the customer.",
        "sole_proprietor.mobile_phone_number",
    ),
    30752: ("The one-time password was invalid or expired.", OTP_RESEND, None),
    30755: (
        "The country is not allowed for this brand.",
        FIX_AND_REREGISTER,
        "address.iso_country",
    ),
    30756: (
        "Obfuscated or placeholder data (e.g. an account ID or e-mail as the brand name).",
        "Enter the customer's real data.",
        None,
    ),
    30758: ("The registration authority was not provided.", FIX_AND_REREGISTER, None),
    30790: ("Internal error at Twilio or TCR.", SUPPORT, None),
    30791: ("Temporary error at Twilio or TCR; Twilio asks to retry after 30 s.", WAIT_RETRY, None),
    30792: ("General system error at Twilio or TCR.", SUPPORT, None),
    30793: (
        "A bundle SID is wrong, swapped or non-compliant (also seen for an invalid stock "
        "exchange).",
        "Check that the customer profile and trust product are compliant; fix, re-run register.",
        None,
    ),
    30795: (
        "The legal business name does not match the EIN record (new EINs take 30–90 days to "
        "reach IRS data).",
        "Use the exact legal name of the IRS CP 575 / 147C letter, punctuation and suffix "
        "included.",
        "business.business_name",
    ),
    30796: (
        "The stock symbol or exchange does not match the legal name.",
        "Correct the stock ticker and exchange of the public company.",
        "messaging_profile.stock_ticker",
    ),
    30797: (
        "The government entity could not be verified.",
        "Check the entity type (company_type) against the legal name and EIN.",
        "messaging_profile.company_type",
    ),
    30798: (
        "The nonprofit status could not be verified.",
        "Check the entity type (company_type) against the nonprofit's legal name and EIN.",
        "messaging_profile.company_type",
    ),
    30799: ("Brand verification failed for another reason.", FIX_AND_REREGISTER, None),
    21724: (
        "The brand was resubmitted more than 3 times through the API.",
        SUPPORT,
        None,
    ),
    21725: (
        "A brand can be resubmitted only when FAILED and holding a TCR id.",
        "Fix the data; this brand cannot be resubmitted, a new one is needed.",
        None,
    ),
    21726: (
        "The STARTER brand type is no longer available.",
        "Use the sole-proprietor flow.",
        None,
    ),
    21731: ("The brand is suspended (policy violation).", SUPPORT, None),
    21736: (
        "Authentication+: the contact e-mail's domain ownership could not be verified (older "
        "dictionaries: brand 2FA failed).",
        "Use a mailbox on the business's own domain, then re-run register.",
        "messaging_profile.brand_contact_email",
    ),
    21737: (
        "Authentication+: the 2FA link expired (older meaning: campaign blocked because the "
        "brand has no brand contact e-mail / 2FA).",
        "Send a new 2FA e-mail with `a2pctl brand 2fa resend REF` and have the brand contact "
        "confirm it, or set a brand contact e-mail.",
        "messaging_profile.brand_contact_email",
    ),
    21738: (
        "Authentication+: the 2FA e-mail could not be delivered.",
        "Correct the brand contact e-mail, then re-run register.",
        "messaging_profile.brand_contact_email",
    ),
    21739: (
        "Authentication+: 2FA verification failed or timed out.",
        "Start a new 2FA verification: `a2pctl brand 2fa resend REF` (the contact has 7 days "
        "to click).",
        "messaging_profile.brand_contact_email",
    ),
    21740: (
        "Authentication+: the brand contact e-mail is on a free or personal domain.",
        "Use a corporate mailbox on the business's domain (no gmail etc.).",
        "messaging_profile.brand_contact_email",
    ),
    21741: (
        "Authentication+: the 2FA code expired.",
        "Start a new 2FA verification: `a2pctl brand 2fa resend REF`.",
        "messaging_profile.brand_contact_email",
    ),
    60723: ("The brand's status does not allow updates.", SUPPORT, None),
    # --- Campaigns (docs/twilio/remediation.md §4) -------------------------------------------
    30880: ("Vetting rejected the campaign for an unknown reason.", SUPPORT, None),
    30881: ("The brand support e-mail is invalid.", FIX_CAMPAIGN, None),
    30882: ("Terms & Conditions violation (e.g. affiliate marketing).", NEW_CAMPAIGN, None),
    30883: ("Content violation (SHAFT, cannabis).", NEW_CAMPAIGN, None),
    30884: ("Rejected as spam or phishing.", NEW_CAMPAIGN, None),
    30885: ("Rejected as high risk.", NEW_CAMPAIGN, None),
    30886: (
        "Invalid campaign description: it must say who sends, who receives and why.",
        FIX_CAMPAIGN,
        "campaign.description",
    ),
    30887: (
        "Opt-out error: opt-out keywords and message are missing or unclear.",
        FIX_CAMPAIGN,
        "campaign.opt_out_message",
    ),
    30888: ("Age gate missing or not acceptable.", FIX_CAMPAIGN, "campaign.age_gated"),
    30889: (
        "Embedded phone number: has_embedded_phone does not match the samples.",
        FIX_CAMPAIGN,
        "campaign.has_embedded_phone",
    ),
    30890: (
        "The HELP message lacks the brand name, a phone number or an e-mail.",
        FIX_CAMPAIGN,
        "campaign.help_message",
    ),
    30891: ("The website URL is invalid.", FIX_CAMPAIGN, "business.website_url"),
    30892: (
        "A public URL shortener appears in the samples.",
        FIX_CAMPAIGN,
        "campaign.message_samples",
    ),
    30893: (
        "The sample messages do not match the use case (or their content is invalid).",
        FIX_CAMPAIGN,
        "campaign.message_samples",
    ),
    30894: ("The brand information is invalid.", FIX_CAMPAIGN, None),
    30895: ("Direct lending attribute or content error.", FIX_CAMPAIGN, "campaign.direct_lending"),
    30896: (
        "Opt-in error: the message flow (how users consent) could not be verified.",
        FIX_CAMPAIGN,
        "campaign.message_flow",
    ),
    30897: ("Disallowed content.", NEW_CAMPAIGN, None),
    30898: (
        "Excessive EIN: the same EIN is used by many brands.",
        "Register fewer brands for this EIN (one per business).",
        None,
    ),
    30899: ("A carrier rejected the campaign.", FIX_CAMPAIGN, None),
    30900: (
        "The use case is ineligible (not supported, or the brand does not qualify).",
        "Pick another use case: delete the campaign and create a new one.",
        "campaign.us_app_to_person_usecase",
    ),
    30901: ("The registration request timed out.", WAIT_RETRY, None),
    30902: ("A DCA (connectivity partner) rejected the campaign.", SUPPORT, None),
    30903: (
        "Incorrect sole-proprietor registration: the customer has an EIN or does not qualify.",
        "Register the customer with the standard or low_volume_standard flow instead.",
        "flow",
    ),
    30904: ("Campaign sharing / DCA review issue.", SUPPORT, None),
    30905: ("Campaign sharing / DCA review issue.", SUPPORT, None),
    30906: ("Campaign sharing / DCA review issue.", SUPPORT, None),
    30907: ("The website URL could not be validated.", FIX_CAMPAIGN, "business.website_url"),
    30908: (
        "A compliant privacy policy is required.",
        FIX_CAMPAIGN,
        "campaign.privacy_policy_url",
    ),
    30909: (
        "The call to action / opt-in could not be verified.",
        FIX_CAMPAIGN,
        "campaign.message_flow",
    ),
    30991: (
        "The brand is in an unverified state (sole proprietor: OTP not answered).",
        OTP_RESEND,
        None,
    ),
    30992: ("CNP migration cancelled (external campaigns).", SUPPORT, None),
    30993: ("CNP migration not completed (external campaigns).", SUPPORT, None),
    30994: (
        "The brand is still pending, possibly awaiting the 2FA e-mail verification.",
        VERIFY_BRAND,
        None,
    ),
    21717: ("The brand is not registered or not valid for this use case.", VERIFY_BRAND, None),
    21719: (
        "The messaging service's use case is incompatible with the A2P use case.",
        FIX_CAMPAIGN,
        "campaign.us_app_to_person_usecase",
    ),
    21720: (
        "The A2P use case is invalid.",
        FIX_CAMPAIGN,
        "campaign.us_app_to_person_usecase",
    ),
    21727: ("Required campaign parameters are missing.", FIX_CAMPAIGN, None),
    21728: ("A campaign field is too short or too long.", FIX_CAMPAIGN, None),
    21729: ("Operation on a suspended campaign.", SUPPORT, None),
    21730: ("Twilio is under maintenance.", WAIT_RETRY, None),
    21732: (
        "The brand reached its campaign limit (sole proprietor: one campaign).",
        "Reuse the existing campaign, or delete it before creating another.",
        None,
    ),
    21714: (
        "The messaging service's number pool is full (400).",
        "Twilio suggests a toll-free number or a short code for this volume.",
        "phone_numbers",
    ),
    21710: ("The number is already in the messaging service.", "Nothing to do.", None),
    # --- Numbers and messages (docs/twilio/remediation.md §5) --------------------------------
    30126: ("The 10DLC number failed to (de)register for an unknown reason.", SUPPORT, None),
    30033: (
        "The campaign is suspended (suspended campaigns are deleted after 30 days).",
        SUPPORT,
        None,
    ),
    30034: (
        "Message from an unregistered number.",
        "Add the number to the messaging service of a VERIFIED campaign.",
        "phone_numbers",
    ),
    30035: (
        "Message from a number still being configured.",
        "Wait until the number is REGISTERED.",
        None,
    ),
    20429: ("Too many requests.", "Lower --rate; a2pctl retries these itself.", None),
}

# Codes that are not failures of the registration itself.
OK_CODES: frozenset[int] = frozenset({21710})  # number already in the service: idempotent success

# Code ranges for codes the catalogue does not list: (low, high, explanation, action).
RANGES: tuple[tuple[int, int, str, str], ...] = (
    (22200, 22299, "TrustHub evaluation or bundle error.", FIX_BUNDLE),
    (30700, 30799, "Brand registration failure.", FIX_AND_REREGISTER),
    (30800, 30999, "Campaign registration failure.", FIX_CAMPAIGN),
    (21700, 21749, "A2P registration request error.", FIX_AND_REREGISTER),
)

# The deprecated `failure_reason` strings of sole-proprietor brands (SP step 3.1), as
# lower-case substrings: (substring, explanation, action).
SP_FAILURE_REASONS: tuple[tuple[str, str, str], ...] = (
    (
        "unable to fetch a2p bundle details",
        "Twilio could not use the trust bundle: wrong SID, or the bundle is not compliant.",
        "Check the trust product (`a2pctl status`), fix it and retry.",
    ),
    (
        "unable to fetch customer profile bundle details",
        "Twilio could not use the customer profile: wrong SID, or it is not compliant.",
        "Check the customer profile (`a2pctl status`), fix it and retry.",
    ),
    (
        "unable to register brand with the campaign registry",
        "TCR rejected the brand.",
        "Re-check every sole-proprietor requirement (real name, US/CA address, reachable "
        "non-VoIP mobile used at most 3 times, no EIN) and Twilio's article \"Why did my Sole "
        'Proprietor Brand Registration Fail?"; verify the data before contacting Support.',
    ),
)

# The deprecated `brand_feedback` values: (why the score is low or verification failed, field).
FEEDBACK: dict[str, tuple[str, str | None]] = {
    "TAX_ID": (
        "The tax ID could not be verified against the legal name.",
        "business.business_registration_number",
    ),
    "STOCK_SYMBOL": ("The stock symbol could not be verified.", "messaging_profile.stock_ticker"),
    "NONPROFIT": ("The nonprofit status could not be verified.", "business.business_type"),
    "GOVERNMENT_ENTITY": (
        "The government status could not be verified.",
        "business.business_industry",
    ),
    "OTHERS": ("Other verification issues.", None),
}
