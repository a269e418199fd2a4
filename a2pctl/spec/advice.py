"""Twilio's content advice as warnings: the reviewers, not a2pctl, judge content.

A file that ignores this advice is still valid (docs/contract.md §2), but campaigns that
ignore it are often rejected: the brand named in every sample, the embedded
link / phone flags matching the samples (30889), no public URL shorteners
(30892), privacy-policy and terms URLs given, a corporate brand-contact mailbox
(21740); and, for onboarding, a company form (LLC, Inc.) in a sole proprietor's
brand name (30903) and a missing TrustHub status callback. Reads raw data like
`checks`, so warnings show even for files with errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from a2pctl.spec import rules as r
from a2pctl.spec.checks import Finding, at, strings_at, text_at

# Public link shorteners: carriers reject campaigns whose samples use them (30892).
URL_SHORTENERS = frozenset(
    {"bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "ow.ly", "t.co", "is.gd", "v.gd",
     "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "bl.ink", "rb.gy", "t.ly",
     "s.id", "shorte.st", "adf.ly", "lnkd.in", "bit.do", "tr.im", "x.co", "qr.ae", "tiny.one"}
)  # fmt: skip
# Free mail providers: Authentication+ refuses them for brand_contact_email (21740).
FREE_MAIL_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "yahoo.com", "yahoo.ca", "hotmail.com", "hotmail.ca",
     "outlook.com", "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com",
     "proton.me", "protonmail.com", "gmx.com", "gmx.net", "mail.com", "yandex.com", "zoho.com"}
)  # fmt: skip
# A URL with a scheme or www., or a bare host name ending in a top-level domain (not the
# domain of an e-mail address, which is not a link).
_LINK = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"]+"
    r"|(?<![@\w.-])(?:[a-z0-9-]+\.)+[a-z]{2,24}\b(?![@\w-])(?:/[^\s<>\"]*)?"
)
# Samples often show variable parts as placeholders: "[link]", "[support phone]".
_LINK_PLACEHOLDER = re.compile(r"(?i)\[[^\]]*\b(?:link|url|website)\b[^\]]*\]")
_PHONE_PLACEHOLDER = re.compile(r"(?i)\[[^\]]*\bphone\b[^\]]*\]")
_LEGAL_SUFFIX = re.compile(
    r"(?i)[\s,]+(?:inc|incorporated|llc|l\.l\.c|corp|corporation|co|company|ltd|limited|llp"
    r"|pllc|pc|lp)\.?$"
)
# Entity suffixes of businesses that have an EIN: such a business is not a sole
# proprietor (campaigns of such brands are rejected with 30903).
_ENTITY_SUFFIX = re.compile(
    r"(?i)[\s,]+(?:inc|incorporated|llc|l\.l\.c|corp|corporation|ltd|limited|llp|pllc)\.?$"
)
_MIN_DOMAIN_LABEL_CHARS = 4  # "acmeplumbing" of acmeplumbing.com names the brand; "my" does not


def advice(data: Any) -> list[Finding]:
    if not isinstance(data, Mapping):
        return []
    return [
        *_brand_named(data),
        *_embedded(data),
        *_shorteners(data),
        *_policies(data),
        *_flow_advice(data),
        *_onboarding_advice(data),
    ]


def _onboarding_advice(data: Mapping[str, Any]) -> list[Finding]:
    found: list[Finding] = []
    brand = text_at(data, "sole_proprietor", "brand_name") or ""
    if data.get("flow") == "sole_proprietor" and _ENTITY_SUFFIX.search(brand.strip()):
        message = "ends in a company form: a business that is an LLC, Inc. or Corp. has an EIN"
        message += " and registers as standard; Twilio rejects it as a sole proprietor (30903)"
        found.append((("sole_proprietor", "brand_name"), message))
    isv = data.get("isv")
    if isinstance(isv, Mapping) and not isv.get("status_callback"):
        message = "no status_callback: Twilio reports why a profile or bundle was rejected"
        message += " (an address or e-mail it could not verify) only there; without it, ask Support"
        found.append((("isv", "status_callback"), message))
    return found


def links(text: str) -> list[str]:
    return [m.group().rstrip(".,!?;:)'") for m in _LINK.finditer(text)]


def has_link(text: str) -> bool:
    return bool(links(text) or _LINK_PLACEHOLDER.search(text))


def has_phone(text: str) -> bool:
    import phonenumbers

    if _PHONE_PLACEHOLDER.search(text):
        return True
    return any(True for _ in phonenumbers.PhoneNumberMatcher(text, "US"))


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _brand(data: Mapping[str, Any]) -> tuple[str, list[str]] | None:
    """The brand as shown in messages and the spellings that count as naming it."""
    if data.get("flow") == "sole_proprietor":
        name = text_at(data, "sole_proprietor", "brand_name")
        return (name, [name]) if name and name.strip() else None
    name = text_at(data, "business", "business_name")
    if not name or not name.strip():
        return None
    spellings = [name, _LEGAL_SUFFIX.sub("", name)]
    host = r.url_host(text_at(data, "business", "website_url") or "")
    if host:
        label = host.split(".")[0]
        spellings += [host] + ([label] if len(label) >= _MIN_DOMAIN_LABEL_CHARS else [])
    return name, spellings


def _brand_named(data: Mapping[str, Any]) -> list[Finding]:
    brand = _brand(data)
    if brand is None:
        return []
    shown, spellings = brand
    keys = [_squash(s) for s in spellings if _squash(s)]
    texts: list[Finding] = [
        (("campaign", "message_samples", i), s)
        for i, s in strings_at(data, "campaign", "message_samples")
    ]
    opt_in = text_at(data, "campaign", "opt_in_message")
    if opt_in is not None:
        texts.append((("campaign", "opt_in_message"), opt_in))
    return [
        (path, f"does not name the brand ({shown}); Twilio advises naming it in every message")
        for path, text in texts
        if not any(key in _squash(text) for key in keys)
    ]


def _embedded(data: Mapping[str, Any]) -> list[Finding]:
    samples = [text for _, text in strings_at(data, "campaign", "message_samples")]
    if not samples:
        return []
    found: list[Finding] = []
    for flag, detect, what, code in (
        ("has_embedded_links", has_link, "a link", ""),
        ("has_embedded_phone", has_phone, "a phone number", " (rejection 30889)"),
    ):
        value = at(data, "campaign", flag)
        shown = sum(1 for text in samples if detect(text))
        if value is True and shown == 0:
            message = f"is true but no message sample contains {what}{code}"
            found.append((("campaign", flag), message))
        elif value is False and shown:
            message = f"is false but {shown} message sample(s) contain {what}{code}"
            found.append((("campaign", flag), message))
    return found


def _shorteners(data: Mapping[str, Any]) -> list[Finding]:
    texts: list[Finding] = [
        (("campaign", "message_samples", i), s)
        for i, s in strings_at(data, "campaign", "message_samples")
    ]
    for kind in ("opt_in", "opt_out", "help"):
        text = text_at(data, "campaign", f"{kind}_message")
        if text is not None:
            texts.append((("campaign", f"{kind}_message"), text))
    found: list[Finding] = []
    for path, text in texts:
        for link in links(text):
            host = urlsplit(link if "://" in link else "http://" + link).hostname or ""
            if host.removeprefix("www.") in URL_SHORTENERS:
                message = f"uses the public URL shortener {host}; carriers reject these (30892)"
                found.append((path, message + ": use a link on the brand's own domain"))
    return found


def _policies(data: Mapping[str, Any]) -> list[Finding]:
    campaign = data.get("campaign")
    if not isinstance(campaign, Mapping):
        return []
    return [
        (("campaign", key), f"no {what} URL: Twilio warns that campaigns without one are rejected")
        for key, what in (
            ("privacy_policy_url", "privacy policy"),
            ("terms_and_conditions_url", "terms and conditions"),
        )
        if campaign.get(key) is None
    ]


def _flow_advice(data: Mapping[str, Any]) -> list[Finding]:
    flow = data.get("flow")
    found: list[Finding] = []
    usecase = text_at(data, "campaign", "us_app_to_person_usecase")
    # Twilio's guide pairs LVS brands with LOW_VOLUME ("Low Volume Mixed") but an LVS brand is
    # a standard brand without secondary vetting, and the Usecases endpoint decides what it may
    # use; so another standard code is allowed, with this reminder
    # (docs/twilio/flows.md §3 Step 5.2).
    if flow == "low_volume_standard" and usecase in r.USECASES and usecase != r.LOW_VOLUME_USECASE:
        message = f"low-volume standard brands normally use LOW_VOLUME; {usecase} is allowed"
        found.append((("campaign", "us_app_to_person_usecase"), message + " if Twilio offers it"))
    if flow == "standard" and at(data, "brand", "skip_automatic_sec_vet") is True:
        message = "standard brands skip secondary vetting only for 527 political organizations"
        message += " or Campaign Verify; for low volume use flow low_volume_standard"
        found.append((("brand", "skip_automatic_sec_vet"), message))
    if flow == "sole_proprietor" and at(data, "isv", "notification_email") is not None:
        message = "not used for sole proprietors: their profile and bundle use contact.email"
        found.append((("isv", "notification_email"), message))
    identity = text_at(data, "business", "business_identity")
    if identity in r.BUSINESS_IDENTITIES and identity != "direct_customer":
        message = f"an ISV's customer is normally direct_customer (got {identity})"
        found.append((("business", "business_identity"), message))
    contact = text_at(data, "messaging_profile", "brand_contact_email") or ""
    if contact.rpartition("@")[2].casefold() in FREE_MAIL_DOMAINS:
        message = "is at a free mail provider: Authentication+ needs a mailbox on the business's"
        found.append((("messaging_profile", "brand_contact_email"), message + " domain (21740)"))
    description = text_at(data, "campaign", "description") or ""
    if (
        at(data, "campaign", "direct_lending") is True
        and "direct lending" not in description.casefold()
    ):
        message = 'lending campaigns should say "Direct Lending" in the description'
        found.append((("campaign", "description"), message))
    return found
