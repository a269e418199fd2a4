"""The corpus of malformed inputs: customer files, special files, option values and damaged
state stores. Each one must end in its documented exit code and one clear message naming
the field, the option or the file; never "internal error", never a traceback, never a
request to Twilio. Kept apart from the tests of valid behaviour (`test_corpus.py` runs it).

A customer file case is one edit of an example file: `old` (found exactly once) becomes
`new`, and the message must name `field` (a dotted path), or for a problem of the file as
a whole (`field=None`) the file and its line.
"""

# A table of cases reads best one case to a line, however long:
# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass

SP, STD, LVS = "sole-proprietor.yaml", "standard.yaml", "low-volume-standard.yaml"
LONG = "x" * 5000
DIGITS = "9" * 5000


@dataclass(frozen=True)
class FileCase:
    id: str
    example: str
    old: str
    new: str
    field: str | None  # None: the file as a whole (named with its line)


def case(id: str, example: str, old: str, new: str, field: str | None) -> FileCase:
    return FileCase(id, example, old, new, field)


PHONE = '  phone_number: "+14155550100"'
FIRST = "  first_name: Jane"
BRAND = "  brand_name: Jane Doe Pottery"
MOBILE = '  mobile_phone_number: "+14155550101"'
NUMBERS = 'phone_numbers: ["+14155550123"]'
POSTAL = '  postal_code: "62701"'
SAMPLES_SP = "  message_samples:\n"

FILE_CASES = [
    # --- the registration key and the flow ------------------------------------------------
    case("name-uppercase", SP, "name: jane-doe-pottery", "name: Jane_Doe", "name"),
    case("name-too-long", SP, "name: jane-doe-pottery", "name: " + "a" * 65, "name"),
    case("name-empty", SP, "name: jane-doe-pottery", 'name: ""', "name"),
    case("name-number", SP, "name: jane-doe-pottery", "name: 12345", "name"),
    case("name-list", SP, "name: jane-doe-pottery", "name: [a, b]", "name"),
    case("name-null", SP, "name: jane-doe-pottery", "name:", "name"),
    case("flow-unknown", SP, "flow: sole_proprietor", "flow: solo", "flow"),
    case("flow-boolean", SP, "flow: sole_proprietor", "flow: yes", "flow"),
    case("unknown-top-key", SP, "flow: sole_proprietor", "flow: sole_proprietor\nflwo: x", "flwo"),
    # --- phone numbers ---------------------------------------------------------------------
    case("phone-letters", SP, PHONE, '  phone_number: "+1 514 CALL NOW"', "contact.phone_number"),
    case("phone-no-plus", SP, PHONE, '  phone_number: "4155550100"', "contact.phone_number"),
    case("phone-unquoted", SP, PHONE, "  phone_number: 14155550100", "contact.phone_number"),
    case("phone-too-short", SP, PHONE, '  phone_number: "+1415"', "contact.phone_number"),
    case("phone-too-long", SP, PHONE, '  phone_number: "+1415555010099999"', "contact.phone_number"),
    case("phone-dots", SP, PHONE, '  phone_number: "+1.415.555.0100"', "contact.phone_number"),
    case("phone-arabic-digits", SP, PHONE, '  phone_number: "+١٤١٥٥٥٥٠١٠٠"', "contact.phone_number"),
    case("phone-emoji", SP, PHONE, '  phone_number: "+1415555☎"', "contact.phone_number"),
    case("mobile-letters", SP, MOBILE, '  mobile_phone_number: "+1 415 CALL ME"', "sole_proprietor.mobile_phone_number"),
    case("mobile-not-us-ca", SP, MOBILE, '  mobile_phone_number: "+447911123456"', "sole_proprietor.mobile_phone_number"),
    case("numbers-letters", SP, NUMBERS, 'phone_numbers: ["+1 415 555 DOGS"]', "phone_numbers[0]"),
    case("numbers-toll-free", SP, NUMBERS, 'phone_numbers: ["+18005550123"]', "phone_numbers[0]"),
    case("numbers-not-us", SP, NUMBERS, 'phone_numbers: ["+442071234567"]', "phone_numbers[0]"),
    case("numbers-bad-sid", SP, NUMBERS, 'phone_numbers: ["PNxyz"]', "phone_numbers[0]"),
    case("numbers-empty", SP, NUMBERS, "phone_numbers: []", "phone_numbers"),
    case("numbers-two-for-sole-proprietor", SP, NUMBERS, 'phone_numbers: ["+14155550123", "+14155550124"]', "phone_numbers"),
    case("numbers-a-mapping", SP, NUMBERS, "phone_numbers: {a: 1}", "phone_numbers"),
    case("rep-phone-letters", STD, '    phone_number: "+12065550111"', '    phone_number: "+1 206 NWO UTFT"', "authorized_representatives[0].phone_number"),
    # --- text values -----------------------------------------------------------------------
    case("first-name-empty", SP, FIRST, '  first_name: ""', "contact.first_name"),
    case("first-name-101", SP, FIRST, "  first_name: " + "J" * 101, "contact.first_name"),
    case("first-name-binary", SP, FIRST, "  first_name: !!binary aGVsbG8=", "contact.first_name"),
    case("first-name-surrogate", SP, FIRST, '  first_name: "J\\ud800ne"', "contact.first_name"),
    case("first-name-low-surrogate", SP, FIRST, '  first_name: "\\udfff"', "contact.first_name"),
    case("first-name-5000-digits", SP, FIRST, "  first_name: " + DIGITS, "contact.first_name"),
    case("first-name-hex-digits", SP, FIRST, "  first_name: 0x" + "f" * 5000, "contact.first_name"),
    case("first-name-nan", SP, FIRST, "  first_name: .nan", "contact.first_name"),
    case("first-name-inf", SP, FIRST, "  first_name: .inf", "contact.first_name"),
    case("first-name-bool", SP, FIRST, "  first_name: yes", "contact.first_name"),
    case("first-name-list", SP, FIRST, "  first_name: [Jane]", "contact.first_name"),
    case("first-name-mapping", SP, FIRST, "  first_name: {given: Jane}", "contact.first_name"),
    case("first-name-null", SP, FIRST, "  first_name: ~", "contact.first_name"),
    case("first-name-set-tag", SP, FIRST, "  first_name: !!set {Jane}", "contact.first_name"),
    case("first-name-python-tag", SP, FIRST, "  first_name: !!python/name:os.system", "contact.first_name"),
    case("email-invalid", SP, "  email: jane@janedoepottery.example", "  email: jane-at-pottery", "contact.email"),
    case("email-too-long", SP, "  email: jane@janedoepottery.example", "  email: " + "j" * 95 + "@x.example", "contact.email"),
    case("brand-name-256", SP, BRAND, "  brand_name: " + "P" * 256, "sole_proprietor.brand_name"),
    case("brand-name-300", SP, BRAND, "  brand_name: " + "P" * 300, "sole_proprietor.brand_name"),
    case("brand-name-email", SP, BRAND, "  brand_name: jane@janedoepottery.example", "sole_proprietor.brand_name"),
    case("brand-name-identifier", SP, BRAND, "  brand_name: acct_123456", "sole_proprietor.brand_name"),
    case("brand-name-placeholder", SP, BRAND, "  brand_name: test", "sole_proprietor.brand_name"),
    case("vertical-unknown", SP, "  vertical: RETAIL", "  vertical: POTTERY", "sole_proprietor.vertical"),
    case("postal-code-number", SP, POSTAL, "  postal_code: 62701", "address.postal_code"),
    case("postal-code-too-long", SP, POSTAL, '  postal_code: "62701-12345678"', "address.postal_code"),
    case("iso-country-unknown", SP, "  iso_country: US", "  iso_country: XX", "address.iso_country"),
    case("region-too-long", SP, "  region: IL", "  region: " + "I" * 21, "address.region"),
    case("street-too-long", SP, "  street: 123 Main St", "  street: " + "S" * 101, "address.street"),
    case("isv-bad-sid", SP, "  primary_customer_profile_sid: BU3f9a2c7e5b1d4086a2e9c4f7b1d3e5a8", "  primary_customer_profile_sid: BU123", "isv.primary_customer_profile_sid"),
    case("isv-callback-ftp", SP, "  status_callback: https://isv.example/hooks/trusthub", "  status_callback: ftp://isv.example/hooks", "isv.status_callback"),
    case("brand-mock-text", SP, "  mock: false", "  mock: maybe", "brand.mock"),
    case("brand-mock-5000-digits", SP, "  mock: false", "  mock: " + DIGITS, "brand.mock"),
    case("service-name-65", SP, "  friendly_name: Jane Doe Pottery A2P", "  friendly_name: " + "J" * 65, "messaging_service.friendly_name"),
    case("service-url-bad", SP, "  inbound_request_url: https://isv.example/sms/inbound", "  inbound_request_url: not a url", "messaging_service.inbound_request_url"),
    case("unknown-section-key", SP, "  city: Springfield", "  city: Springfield\n  cty: Springfield", "address.cty"),
    # --- the campaign ----------------------------------------------------------------------
    case("usecase-unknown", SP, "  us_app_to_person_usecase: SOLE_PROPRIETOR", "  us_app_to_person_usecase: POTTERY", "campaign.us_app_to_person_usecase"),
    case("description-short", SP, "  description: >-\n", "  description: too short\n  x_description: >-\n", "campaign.description"),
    case("description-long", STD, "  description: >-\n", f"  description: {LONG}\n  x_description: >-\n", "campaign.description"),
    case("samples-one", SP, SAMPLES_SP, "  message_samples: [\"Jane Doe Pottery: one sample only, reply STOP\"]\n  x_samples:\n", "campaign.message_samples"),
    case("samples-not-a-list", SP, SAMPLES_SP, "  message_samples: just one\n  x_samples:\n", "campaign.message_samples"),
    case("sample-short", SP, '    - "Jane Doe Pottery: reminder,', '    - "short"\n    - "Jane Doe Pottery: reminder,', "campaign.message_samples[0]"),
    case("embedded-links-text", SP, "  has_embedded_links: false", "  has_embedded_links: maybe", "campaign.has_embedded_links"),
    case("embedded-links-missing", SP, "  has_embedded_links: false\n", "", "campaign.has_embedded_links"),
    case("keyword-with-space", SP, "  opt_in_keywords: [START]", "  opt_in_keywords: [START NOW]", "campaign.opt_in_keywords[0]"),
    case("opt-in-message-short", SP, "  opt_in_message: >-\n", "  opt_in_message: Hi\n  x_opt_in_message: >-\n", "campaign.opt_in_message"),
    case("privacy-url-bad", SP, "  privacy_policy_url: https://janedoepottery.example/privacy", "  privacy_policy_url: janedoepottery", "campaign.privacy_policy_url"),
    # --- standard and low-volume standard ---------------------------------------------------
    case("ein-short", STD, '  business_registration_number: "123456789"', '  business_registration_number: "1234"', "business.business_registration_number"),
    case("ein-number", STD, '  business_registration_number: "123456789"', "  business_registration_number: 123456789", "business.business_registration_number"),
    case("business-type-unknown", STD, "  business_type: Corporation", "  business_type: Guild", "business.business_type"),
    case("industry-unknown", STD, "  business_industry: RETAIL", "  business_industry: POTTERY", "business.business_industry"),
    case("website-bad", STD, "  website_url: https://www.northwindoutfitters.example", "  website_url: northwind", "business.website_url"),
    case("company-type-unknown", STD, "  company_type: public", "  company_type: secret", "messaging_profile.company_type"),
    case("stock-ticker-long", STD, "  stock_ticker: NWOF", "  stock_ticker: NORTHWINDOUTFITTERS", "messaging_profile.stock_ticker"),
    case("representatives-empty", STD, "authorized_representatives:\n  - first_name: Ada", "authorized_representatives: []\nx_reps:\n  - first_name: Ada", "authorized_representatives"),
    case("rep-email-bad", STD, "    email: ada.ng@northwindoutfitters.example", "    email: ada", "authorized_representatives[0].email"),
    case("lvs-sec-vet-false", LVS, "  mock: false", "  mock: false\n  skip_automatic_sec_vet: false", "brand.skip_automatic_sec_vet"),
    # --- the file as a whole ------------------------------------------------------------------
    case("duplicate-key", SP, "flow: sole_proprietor", "flow: sole_proprietor\nflow: standard", "flow"),
    case("tab-indent", SP, FIRST, "\tfirst_name: Jane", None),
    case("unclosed-flow", SP, NUMBERS, 'phone_numbers: ["+14155550123"', None),
    case("control-character", SP, FIRST, "  first_name: Ja\x07ne", None),
    case("two-documents", SP, NUMBERS, NUMBERS + "\n---\nname: other", None),
    case("deep-nesting", SP, NUMBERS, "phone_numbers: " + "[" * 30 + "]" * 30, None),
    case("very-deep-nesting", SP, NUMBERS, "phone_numbers: " + "[" * 3000 + "]" * 3000, None),
    case("alias-bomb", SP, NUMBERS, NUMBERS + "\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"
        for i in range(1, 6)), None),
]  # fmt: skip

# Whole files that are not customer files at all: (id, bytes).
RAW_FILES = [
    ("empty", b""),
    ("comments-only", b"# nothing yet\n"),
    ("a-list", b"- name: x\n"),
    ("a-scalar", b"jane-doe-pottery\n"),
    ("not-utf8", b"name: caf\xe9\n"),
    ("nul-bytes", b"\x00" * 64),
    ("utf16", "name: jane\n".encode("utf-16")),
    ("binary-image", b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
    ("too-large", b"# " + b"x" * 1_000_001 + b"\n"),
    ("python-object", b"name: !!python/object/apply:os.system ['true']\n"),
]

# Option values refused as usage errors: (id, arguments after `a2pctl`, what the message names).
OPTION_CASES = [
    ("rate-nan", ["register", "--rate", "nan", "{file}"], "--rate"),
    ("rate-inf", ["register", "--rate", "inf", "{file}"], "--rate"),
    ("rate-zero", ["register", "--rate", "0", "{file}"], "--rate"),
    ("rate-negative", ["register", "--rate", "-1", "{file}"], "--rate"),
    ("rate-text", ["register", "--rate", "fast", "{file}"], "--rate"),
    ("pause-nan", ["register", "--pause-seconds", "nan", "{file}"], "--pause-seconds"),
    ("pause-inf", ["register", "--pause-seconds", "inf", "{file}"], "--pause-seconds"),
    ("pause-negative", ["register", "--pause-seconds", "-1", "{file}"], "--pause-seconds"),
    ("poll-nan", ["register", "--wait", "--poll-seconds", "nan", "{file}"], "--poll-seconds"),
    ("poll-zero", ["register", "--wait", "--poll-seconds", "0", "{file}"], "--poll-seconds"),
    ("timeout-nan", ["register", "--wait", "--timeout", "nan", "{file}"], "--timeout"),
    ("timeout-inf", ["register", "--wait", "--timeout", "inf", "{file}"], "--timeout"),
    ("timeout-zero", ["register", "--wait", "--timeout", "0", "{file}"], "--timeout"),
    ("timeout-negative", ["register", "--wait", "--timeout", "-5m", "{file}"], "--timeout"),
    ("timeout-text", ["register", "--wait", "--timeout", "soon", "{file}"], "--timeout"),
    ("status-interval-nan", ["status", "--watch", "--interval", "nan"], "--interval"),
    ("status-rate-inf", ["status", "--rate", "inf"], "--rate"),
    ("otp-rate-nan", ["otp", "resend", "--rate", "nan", "jane-doe-pottery"], "--rate"),
    ("events-setup-rate-nan", ["events", "setup", "--url", "https://x.example", "--rate", "nan"], "--rate"),
    ("serve-port-99999", ["events", "serve", "--port", "99999"], "--port"),
    ("serve-port-negative", ["events", "serve", "--port", "-1"], "--port"),
    ("serve-port-text", ["events", "serve", "--port", "http"], "--port"),
    ("sandbox-port-99999", ["sandbox", "--port", "99999"], "--port"),
    ("sandbox-port-65536", ["sandbox", "--port", "65536"], "--port"),
    ("sandbox-review-nan", ["sandbox", "--review-seconds", "nan"], "--review-seconds"),
    ("sandbox-rate-inf", ["sandbox", "--rate", "inf"], "--rate"),
    ("scenario-unknown", ["register", "--sandbox", "--scenario", "chaos", "{file}"], "chaos"),
    ("scenario-without-sandbox", ["register", "--scenario", "brand-fails", "{file}"], "--scenario"),
    ("api-url-ftp", ["register", "--api-url", "ftp://x.example", "{file}"], "--api-url"),
    ("status-number-letters", ["status", "+1 514 CALL NOW"], "+1 514 CALL NOW"),
    ("status-number-short", ["status", "+1 503"], "+1 503"),
    ("unknown-option", ["validate", "--strict", "{file}"], "--strict"),
]  # fmt: skip

# Environment values, as the options they stand for: (id, variable, value, what is named).
ENV_CASES = [
    ("env-rate-nan", "A2PCTL_RATE", "nan", "A2PCTL_RATE"),
    ("env-pause-inf", "A2PCTL_PAUSE_SECONDS", "inf", "A2PCTL_PAUSE_SECONDS"),
    ("env-poll-nan", "A2PCTL_POLL_SECONDS", "nan", "A2PCTL_POLL_SECONDS"),
]

# Damages done to a state store that holds one registration (SQL run on it, or a byte
# edit), what the message must say, and the commands that meet it before sending anything
# (status reads no step, for instance: a damaged step is no reason for it to fail).
EVERY = ("status", "plan", "register")
STORE_DAMAGES = [
    ("zero-filled-file", "zero-all", "is damaged", EVERY),
    ("zero-filled-pages", "zero-pages", "is damaged", EVERY),
    ("truncated", "truncate", "is damaged", EVERY),
    ("a-text-file", "text", "is damaged", EVERY),
    ("schema-version-two", "UPDATE meta SET value = 'two' WHERE key = 'schema_version'", "schema_version is 'two'", EVERY),
    ("schema-version-empty", "UPDATE meta SET value = '' WHERE key = 'schema_version'", "schema_version is ''", EVERY),
    ("steps-replaced", "DROP TABLE steps; CREATE TABLE steps (x)", "table steps lacks", EVERY),
    ("registrations-replaced", "DROP TABLE registrations; CREATE TABLE registrations (name)", "table registrations lacks", EVERY),
    ("resources-replaced", "DROP TABLE resources; CREATE TABLE resources (sid, kind)", "table resources lacks", EVERY),
    ("events-replaced", "DROP TABLE events; CREATE TABLE events (id)", "table events lacks", EVERY),
    ("steps-data-not-json", "UPDATE steps SET data = '{oops'", "not JSON", ("plan", "register")),
    ("steps-error-not-json", "UPDATE steps SET error = '[1,'", "not JSON", ("plan", "register")),
    ("resources-detail-not-json", "UPDATE resources SET detail = 'nope'", "not JSON", ("status",)),
]  # fmt: skip
