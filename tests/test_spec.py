"""The customer file: every documented rule refuses a file that breaks it, naming the field.

Each rule is one row: an example file, one change that breaks the rule, the field
the problem must name and the words of its message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from paths import EXAMPLES
from pydantic import ValidationError

from a2pctl.errors import ExitCode
from a2pctl.spec import customer as spec
from a2pctl.spec import loader as spec_yaml
from a2pctl.spec import rules as spec_rules
from a2pctl.spec.customer import Customer, FileCheck, InvalidFiles, Problem, check_file
from a2pctl.spec.loader import parse_field

SP = "sole-proprietor.yaml"
STD = "standard.yaml"
LVS = "low-volume-standard.yaml"
DELETE = object()
HEX32 = "0123456789abcdef" * 2


def example(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def put(data: dict[str, Any], field: str, value: Any) -> None:
    *parents, last = parse_field(field)
    node: Any = data
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


def write(tmp_path: Path, data: Any, name: str = "customer.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def changed(tmp_path: Path, base: str, changes: dict[str, Any]) -> FileCheck:
    data = example(base)
    for field, value in changes.items():
        put(data, field, value)
    return check_file(write(tmp_path, data))


def named(result: FileCheck, field: str) -> list[str]:
    return [p.message for p in result.errors if p.field == field]


# --- the three examples ----------------------------------------------------------------


@pytest.mark.parametrize("name", [SP, STD, LVS])
def test_each_example_is_valid_without_warnings(name: str) -> None:
    result = check_file(EXAMPLES / name)
    assert result.errors == []
    assert result.warnings == []
    assert result.valid and result.customer is not None


def test_examples_cover_the_three_flows() -> None:
    flows = {check_file(EXAMPLES / n).customer.flow for n in (SP, STD, LVS)}  # type: ignore[union-attr]
    assert flows == set(spec.FLOWS)


# --- every documented rule, broken once ----------------------------------------------------

RULES: list[tuple[str, str, dict[str, Any], str, str]] = [
    # (id, example, changes, field named, words of the message)
    ("name-with-capitals", SP, {"name": "Jane_Doe"}, "name", "lowercase letters, digits and -"),
    ("name-too-long", SP, {"name": "a" * 65}, "name", "at most 64 characters (got 65)"),
    ("flow-unknown", SP, {"flow": "sole-prop"}, "flow", "must be one of"),
    ("unknown-top-level-key", SP, {"nmae": "x"}, "nmae", "unknown key (did you mean 'name'?)"),
    ("unknown-nested-key", SP, {"campaign.descripton": "x"}, "campaign.descripton",
     "unknown key (did you mean 'description'?)"),
    ("required-field-missing", SP, {"campaign.description": DELETE}, "campaign.description",
     "required"),
    ("account-sid-malformed", SP, {"account_sid": "AC123"}, "account_sid",
     "AC followed by 32 hex digits"),
    ("account-sid-wrong-prefix", SP, {"account_sid": "BU" + HEX32}, "account_sid",
     "must be an account (AC…) SID"),
    ("primary-profile-not-bu", SP, {"isv.primary_customer_profile_sid": "MG" + HEX32},
     "isv.primary_customer_profile_sid", "BU followed by 32 hex digits"),
    ("messaging-service-sid-malformed", STD,
     {"messaging_service": {"sid": "MG12345"}}, "messaging_service.sid", "MG followed by"),
    ("phone-number-sid-malformed", STD, {"phone_numbers": ["PN12345"]}, "phone_numbers[0]",
     "PN followed by 32 hex digits"),
    ("phone-without-country-code", SP, {"contact.phone_number": "4155550100"},
     "contact.phone_number", "E.164"),
    ("phone-impossible", SP, {"contact.phone_number": "+1415555010"}, "contact.phone_number",
     "not a valid phone number"),
    ("email-malformed", SP, {"contact.email": "jane@"}, "contact.email",
     "not a valid e-mail address"),
    ("email-too-long", STD,
     {"authorized_representatives[0].email": "a" * 90 + "@example.com"},
     "authorized_representatives[0].email", "at most 100 characters (got 102)"),
    ("url-not-http", SP, {"isv.status_callback": "ftp://isv.example/x"}, "isv.status_callback",
     "http(s) URL with a host"),
    ("website-too-long", STD, {"business.website_url": "https://x.example/" + "a" * 90},
     "business.website_url", "at most 100 characters"),
    ("business-type-unknown", STD, {"business.business_type": "LLC"}, "business.business_type",
     "must be one of: Partnership, Corporation"),
    ("business-industry-case", STD, {"business.business_industry": "Education"},
     "business.business_industry", "did you mean 'EDUCATION'?"),
    ("registration-identifier-unknown", STD, {"business.business_registration_identifier": "SSN"},
     "business.business_registration_identifier", "must be one of: EIN, DUNS"),
    ("region-of-operation-unknown", STD, {"business.business_regions_of_operation": "USA"},
     "business.business_regions_of_operation", "must be one of: AFRICA"),
    ("business-identity-unknown", STD, {"business.business_identity": "direct customer"},
     "business.business_identity", "did you mean 'direct_customer'?"),
    ("job-position-unknown", STD, {"authorized_representatives[1].job_position": "Chief"},
     "authorized_representatives[1].job_position", "must be one of: Director, GM"),
    ("company-type-case", STD, {"messaging_profile.company_type": "Public"},
     "messaging_profile.company_type", "did you mean 'public'?"),
    ("stock-exchange-typo", STD, {"messaging_profile.stock_exchange": "NYSEE"},
     "messaging_profile.stock_exchange", "did you mean 'NYSE'?"),
    ("vertical-unknown", SP, {"sole_proprietor.vertical": "SHOPPING"}, "sole_proprietor.vertical",
     "must be one of: AGRICULTURE"),
    ("usecase-unknown", STD, {"campaign.us_app_to_person_usecase": "PROMOS"},
     "campaign.us_app_to_person_usecase", "must be one of: 2FA"),
    ("description-too-short", SP, {"campaign.description": "d" * 39}, "campaign.description",
     "must be 40–4096 characters (got 39)"),
    ("description-too-long", SP, {"campaign.description": "d" * 4097}, "campaign.description",
     "must be 40–4096 characters (got 4097)"),
    ("message-flow-too-short", SP, {"campaign.message_flow": "f" * 39}, "campaign.message_flow",
     "must be 40–2048 characters (got 39)"),
    ("message-flow-too-long", SP, {"campaign.message_flow": "f" * 2049}, "campaign.message_flow",
     "must be 40–2048 characters (got 2049)"),
    ("one-sample", SP, {"campaign.message_samples": ["Jane Doe Pottery: one sample only."]},
     "campaign.message_samples", "must list 2–5 samples (got 1)"),
    ("six-samples", SP, {"campaign.message_samples": ["Jane Doe Pottery: sample n."] * 6},
     "campaign.message_samples", "must list 2–5 samples (got 6)"),
    ("sample-too-short", SP, {"campaign.message_samples[1]": "s" * 19},
     "campaign.message_samples[1]", "must be 20–1024 characters (got 19)"),
    ("sample-too-long", SP, {"campaign.message_samples[0]": "s" * 1025},
     "campaign.message_samples[0]", "must be 20–1024 characters (got 1025)"),
    ("opt-in-message-too-short", SP, {"campaign.opt_in_message": "m" * 19},
     "campaign.opt_in_message", "must be 20–320 characters (got 19)"),
    ("opt-out-message-too-long", SP, {"campaign.opt_out_message": "m" * 321},
     "campaign.opt_out_message", "must be 20–320 characters (got 321)"),
    ("help-message-too-short", SP, {"campaign.help_message": "Call us"},
     "campaign.help_message", "must be 20–320 characters (got 7)"),
    ("keyword-not-alphanumeric", SP, {"campaign.opt_out_keywords": ["STOP", "OPT-OUT"]},
     "campaign.opt_out_keywords[1]", "letters and digits only"),
    ("keywords-too-long-together", SP, {"campaign.help_keywords": ["H" * 200, "I" * 60]},
     "campaign.help_keywords", "at most 255 characters together"),
    ("keywords-empty-list", SP, {"campaign.help_keywords": []}, "campaign.help_keywords",
     "must list at least one of the keywords, or be left out"),
    ("keywords-without-message", SP, {"campaign.opt_in_message": DELETE},
     "campaign.opt_in_message", "required with opt_in_keywords"),
    ("message-without-keywords", SP, {"campaign.help_keywords": DELETE}, "campaign.help_keywords",
     "required with help_message"),
    ("first-name-too-long", SP, {"contact.first_name": "J" * 101}, "contact.first_name",
     "at most 100 characters (got 101)"),
    ("business-name-too-long", STD, {"business.business_name": "B" * 256},
     "business.business_name", "at most 255 characters"),
    ("registration-number-too-long", STD,
     {"business.business_registration_identifier": "EIN",
      "business.business_registration_number": "1" * 22},
     "business.business_registration_number", "at most 21 characters"),
    ("stock-ticker-too-long", STD, {"messaging_profile.stock_ticker": "T" * 11},
     "messaging_profile.stock_ticker", "at most 10 characters"),
    ("street-too-long", SP, {"address.street": "S" * 101}, "address.street", "at most 100"),
    ("city-too-long", SP, {"address.city": "C" * 101}, "address.city", "at most 100"),
    ("region-too-long", STD, {"address.iso_country": "DE", "address.region": "R" * 21},
     "address.region", "at most 20"),
    ("postal-code-too-long", STD, {"address.iso_country": "DE", "address.postal_code": "1" * 11},
     "address.postal_code", "at most 10"),
    ("iso-country-three-letters", STD, {"address.iso_country": "USA"}, "address.iso_country",
     "2-letter ISO country code"),
    ("service-friendly-name-too-long", SP, {"messaging_service.friendly_name": "N" * 65},
     "messaging_service.friendly_name", "at most 64"),
    ("text-field-blank", STD, {"authorized_representatives[0].business_title": "  "},
     "authorized_representatives[0].business_title", "must not be empty"),
    # sole proprietors
    ("sole-proprietor-other-usecase", SP, {"campaign.us_app_to_person_usecase": "MARKETING"},
     "campaign.us_app_to_person_usecase", "must be SOLE_PROPRIETOR for sole proprietors"),
    ("sole-proprietor-two-numbers", SP, {"phone_numbers": ["+14155550123", "+14155550124"]},
     "phone_numbers", "exactly one number (got 2)"),
    ("sole-proprietor-outside-us-ca", SP, {"address.iso_country": "GB"}, "address.iso_country",
     "sole proprietors must be in the US or Canada (got GB)"),
    ("sole-proprietor-mobile-not-us-ca", SP,
     {"sole_proprietor.mobile_phone_number": "+447911123456"},
     "sole_proprietor.mobile_phone_number", "US or Canadian mobile number"),
    ("sole-proprietor-mobile-toll-free", SP,
     {"sole_proprietor.mobile_phone_number": "+18005550100"},
     "sole_proprietor.mobile_phone_number", "must be a mobile number"),
    ("sole-proprietor-mobile-is-the-twilio-number", SP,
     {"sole_proprietor.mobile_phone_number": "+14155550123"},
     "sole_proprietor.mobile_phone_number", "not the Twilio number from phone_numbers"),
    ("brand-name-email", SP, {"sole_proprietor.brand_name": "jane@janedoepottery.example"},
     "sole_proprietor.brand_name", "not an e-mail address"),
    ("brand-name-account-id", SP, {"sole_proprietor.brand_name": "acct_123456"},
     "sole_proprietor.brand_name", "not an identifier"),
    ("brand-name-placeholder", SP, {"sole_proprietor.brand_name": "Test"},
     "sole_proprietor.brand_name", "placeholder data"),
    ("sole-proprietor-needs-contact", SP, {"contact": DELETE}, "contact",
     "required for flow sole_proprietor"),
    ("sole-proprietor-needs-sole-proprietor-section", SP, {"sole_proprietor": DELETE},
     "sole_proprietor", "required for flow sole_proprietor"),
    ("sole-proprietor-refuses-business", SP, {"business": {"business_name": "Jane Doe"}},
     "business", "not used by flow sole_proprietor"),
    ("sole-proprietor-refuses-messaging-profile", SP, {"messaging_profile": {}},
     "messaging_profile", "not used by flow sole_proprietor"),
    ("sole-proprietor-skip-vetting", SP, {"brand.skip_automatic_sec_vet": True},
     "brand.skip_automatic_sec_vet", "only standard and low_volume_standard"),
    # standard and low-volume standard
    ("standard-needs-business", STD, {"business": DELETE}, "business",
     "required for flow standard"),
    ("standard-needs-representatives", STD, {"authorized_representatives": DELETE},
     "authorized_representatives", "required for flow standard"),
    ("standard-needs-messaging-profile", LVS, {"messaging_profile": DELETE}, "messaging_profile",
     "required for flow low_volume_standard"),
    ("standard-needs-notification-email", STD, {"isv.notification_email": DELETE},
     "isv.notification_email", "required for flow standard"),
    ("standard-refuses-contact", STD, {"contact": {"first_name": "Ada"}}, "contact",
     "not used by flow standard"),
    ("no-representative", STD, {"authorized_representatives": []}, "authorized_representatives",
     "must list 1 or 2 representatives (got 0)"),
    ("three-representatives", LVS,
     {"authorized_representatives": example(LVS)["authorized_representatives"] * 3},
     "authorized_representatives", "must list 1 or 2 representatives (got 3)"),
    ("standard-sole-proprietor-usecase", STD,
     {"campaign.us_app_to_person_usecase": "SOLE_PROPRIETOR"},
     "campaign.us_app_to_person_usecase", "for sole-proprietor brands only"),
    ("public-without-stock-exchange", STD, {"messaging_profile.stock_exchange": DELETE},
     "messaging_profile.stock_exchange", "required for public companies"),
    ("public-without-stock-ticker", STD, {"messaging_profile.stock_ticker": DELETE},
     "messaging_profile.stock_ticker", "required for public companies"),
    ("public-without-brand-contact", STD, {"messaging_profile.brand_contact_email": DELETE},
     "messaging_profile.brand_contact_email", "Authentication+"),
    ("private-with-stock-fields", STD, {"messaging_profile.company_type": "private"},
     "messaging_profile.stock_ticker", "only for public companies (company_type is private)"),
    ("low-volume-explicitly-not-skipping", LVS, {"brand.skip_automatic_sec_vet": False},
     "brand.skip_automatic_sec_vet", "must be true or left out"),
    ("ein-not-nine-digits", STD, {"business.business_registration_number": "12345"},
     "business.business_registration_number", "an EIN is 9 digits"),
    ("cbn-not-bn9", STD,
     {"address": {**example(STD)["address"], "iso_country": "CA", "region": "ON",
                  "postal_code": "K1A 0B1"},
      "business.business_registration_identifier": "CBN",
      "business.business_registration_number": "123456789RC0001"},
     "business.business_registration_number", "first 9 digits, the BN9"),
    ("us-business-without-ein", STD, {"business.business_registration_identifier": "DUNS"},
     "business.business_registration_identifier", "US businesses register with their EIN"),
    ("us-region-not-state-code", SP, {"address.region": "Illinois"}, "address.region",
     "2-letter state code"),
    ("us-zip-malformed", SP, {"address.postal_code": "6270"}, "address.postal_code",
     "5 digits or ZIP+4"),
    ("canadian-postal-code-malformed", SP,
     {"address.iso_country": "CA", "address.region": "ON", "address.postal_code": "12345"},
     "address.postal_code", "Canadian postal code"),
    # messaging service and numbers
    ("service-sid-and-friendly-name", SP, {"messaging_service.sid": "MG" + HEX32},
     "messaging_service.sid", "not both"),
    ("service-neither-sid-nor-friendly-name", SP, {"messaging_service": {}},
     "messaging_service", "needs sid (reuse a service) or friendly_name"),
    ("service-reused-with-webhook", SP,
     {"messaging_service": {"sid": "MG" + HEX32, "inbound_request_url": "https://x.example/"}},
     "messaging_service.inbound_request_url", "only for a new service"),
    ("number-not-us", STD, {"phone_numbers[0]": "+16135550123"}, "phone_numbers[0]",
     "must be a US number"),
    ("number-toll-free", STD, {"phone_numbers[1]": "+18005550100"}, "phone_numbers[1]",
     "toll-free"),
    ("number-twice", STD, {"phone_numbers": ["+12065550140", "+1 206 555 0140"]},
     "phone_numbers", "lists +12065550140 twice"),
    ("no-numbers", STD, {"phone_numbers": []}, "phone_numbers", "(got 0)"),
    # types: YAML values that are not what the field holds
    ("boolean-as-text", SP, {"campaign.has_embedded_links": "yes"}, "campaign.has_embedded_links",
     "must be true or false (YAML read the text 'yes')"),
    ("number-as-integer", SP, {"contact.phone_number": 14155550100}, "contact.phone_number",
     "must be text (YAML read 14155550100, a number); put it in quotes"),
    ("list-as-text", SP, {"campaign.message_samples": "one sample"}, "campaign.message_samples",
     "must be a list"),
    ("section-as-list", SP, {"isv": ["BU" + HEX32]}, "isv", "must be a mapping of keys"),
    ("required-text-empty", SP, {"address.city": None}, "address.city", "must be text, not empty"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("base", "changes", "field", "words"),
    [pytest.param(*row[1:], id=row[0]) for row in RULES],
)
def test_each_documented_rule_refuses_a_file_and_names_the_field(
    tmp_path: Path, base: str, changes: dict[str, Any], field: str, words: str
) -> None:
    result = changed(tmp_path, base, changes)
    assert not result.valid and result.customer is None
    messages = named(result, field)
    assert any(words in m for m in messages), (messages, [str(p) for p in result.errors])


@pytest.mark.parametrize(
    ("base", "changes"),
    [
        pytest.param(SP, {"address.iso_country": "CA", "address.region": "ON",
                          "address.postal_code": "K1A 0B1"}, id="sole-proprietor-in-canada"),
        pytest.param(SP, {"sole_proprietor.vertical": DELETE}, id="vertical-optional"),
        pytest.param(SP, {"phone_numbers": ["PN" + HEX32]}, id="number-as-pn-sid"),
        pytest.param(STD, {"business.business_regions_of_operation": "USA_AND_CANADA,EUROPE"},
                     id="several-regions"),
        pytest.param(STD, {"messaging_profile": {"company_type": "non-profit"}},
                     id="non-profit-without-stock-fields"),
        pytest.param(STD, {"authorized_representatives[1]": DELETE}, id="one-representative"),
        pytest.param(STD, {"brand.skip_automatic_sec_vet": DELETE}, id="skip-vetting-left-out"),
        pytest.param(LVS, {"brand.skip_automatic_sec_vet": True}, id="low-volume-skipping"),
        pytest.param(STD, {"campaign.opt_out_keywords": DELETE, "campaign.opt_out_message": DELETE},
                     id="twilio-default-opt-out"),
        pytest.param(STD, {"address": {**example(STD)["address"], "iso_country": "DE",
                                       "region": "Berlin", "postal_code": "10115"},
                           "business.business_registration_identifier": "VAT",
                           "business.business_registration_number": "DE123456789"},
                     id="standard-outside-us"),
    ],
)  # fmt: skip
def test_documented_variations_stay_valid(
    tmp_path: Path, base: str, changes: dict[str, Any]
) -> None:
    result = changed(tmp_path, base, changes)
    assert result.errors == []


def test_a_broken_file_reports_every_problem_at_once(tmp_path: Path) -> None:
    result = changed(
        tmp_path,
        STD,
        {
            "name": "Bad Name",
            "business.business_industry": "education",
            "campaign.description": "too short",
            "messaging_profile.stock_ticker": DELETE,
            "isv.notification_email": DELETE,
        },
    )
    fields = {p.field for p in result.errors}
    assert fields == {
        "name",
        "business.business_industry",
        "campaign.description",
        "messaging_profile.stock_ticker",
        "isv.notification_email",
    }


def test_fields_of_a_section_the_flow_does_not_use_are_not_reported(tmp_path: Path) -> None:
    result = changed(tmp_path, SP, {"business": {"business_name": "Jane Doe"}})
    assert [p.field for p in result.errors] == ["business"]


# --- line numbers ---------------------------------------------------------------------------


def test_each_problem_points_at_the_line_of_its_key(tmp_path: Path) -> None:
    text = (EXAMPLES / SP).read_text(encoding="utf-8")
    text = text.replace("  vertical: RETAIL", "  vertical: SHOPPING")
    path = tmp_path / "customer.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  vertical: SHOPPING") + 1
    [problem] = check_file(path).errors
    assert problem == Problem(str(path), line, "sole_proprietor.vertical", problem.message)
    assert str(problem).startswith(f"{path}:{line}: sole_proprietor.vertical: ")


def test_list_items_point_at_their_own_line(tmp_path: Path) -> None:
    path = tmp_path / "customer.yaml"
    text = (EXAMPLES / STD).read_text(encoding="utf-8").replace('"+12065550141"', '"+1800555"')
    path.write_text(text, encoding="utf-8")
    [problem] = check_file(path).errors
    assert problem.field == "phone_numbers[1]"
    assert problem.line == text.splitlines().index('  - "+1800555"') + 1


def test_a_missing_key_points_at_its_section(tmp_path: Path) -> None:
    text = (EXAMPLES / SP).read_text(encoding="utf-8").replace("  city: Springfield\n", "")
    path = tmp_path / "customer.yaml"
    path.write_text(text, encoding="utf-8")
    [problem] = check_file(path).errors
    assert (problem.field, problem.message) == ("address.city", "required")
    assert problem.line == text.splitlines().index("address:") + 1


def test_a_checked_file_knows_its_lines_from_the_one_load(tmp_path: Path) -> None:
    lines = (EXAMPLES / STD).read_text(encoding="utf-8").splitlines()
    second_sample = next(i for i, s in enumerate(lines) if "your package ships" in s) + 1
    copy = tmp_path / STD
    copy.write_text((EXAMPLES / STD).read_text(encoding="utf-8"), encoding="utf-8")
    check = check_file(copy)
    copy.unlink()  # the lines come from the load, not from reading the file again
    assert check.line_of("campaign.message_samples[1]") == second_sample
    assert check.line_of("campaign.opt_in_message") == lines.index("campaign:") + 1
    assert check_file(EXAMPLES / "missing.yaml").line_of("name") is None


LIBYAML = getattr(yaml, "CSafeLoader", None)


@pytest.mark.skipif(LIBYAML is None, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("name", [SP, STD, LVS])
def test_libyaml_and_the_python_parser_map_the_same_lines(name: str) -> None:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    python = spec_yaml.load(text, parser=yaml.SafeLoader)
    assert LIBYAML is not None
    libyaml = spec_yaml.load(text, parser=LIBYAML)
    assert python.problems == libyaml.problems == []
    assert (python.data, python.lines) == (libyaml.data, libyaml.lines)
    assert python.lines[("campaign", "message_samples", 1)] > python.lines[("campaign",)]


def test_the_python_parser_refuses_deep_nesting_without_a_traceback() -> None:
    loaded = spec_yaml.load("name: " + "[" * 600 + "]" * 600 + "\n", parser=yaml.SafeLoader)
    assert loaded.problems == [(None, f"nested more than {spec_yaml.MAX_DEPTH} levels deep", ())]


# --- warnings: Twilio's content advice ---------------------------------------------------------


def warnings_of(tmp_path: Path, base: str, changes: dict[str, Any]) -> dict[str, str]:
    result = changed(tmp_path, base, changes)
    assert result.valid, [str(p) for p in result.errors]
    return {p.field: p.message for p in result.warnings}


ADVICE = [
    ("sole-proprietor-llc", SP, {"sole_proprietor.brand_name": "Jane Doe Pottery LLC"},
     "sole_proprietor.brand_name", "has an EIN and registers as standard"),
    ("sole-proprietor-inc", SP, {"sole_proprietor.brand_name": "Jane Doe Pottery, Inc."},
     "sole_proprietor.brand_name", "rejects it as a sole proprietor (30903)"),
    ("no-status-callback", STD, {"isv.status_callback": DELETE},
     "isv.status_callback", "without it, ask Support"),
    ("sample-without-brand", SP,
     {"campaign.message_samples[0]": "Reminder: your class starts tomorrow at [time]."},
     "campaign.message_samples[0]", "does not name the brand (Jane Doe Pottery)"),
    ("opt-in-message-without-brand", SP,
     {"campaign.opt_in_message": "You are subscribed. Reply HELP for help, STOP to opt out."},
     "campaign.opt_in_message", "does not name the brand"),
    ("links-flag-without-links", SP, {"campaign.has_embedded_links": True},
     "campaign.has_embedded_links", "is true but no message sample contains a link"),
    ("links-in-samples-flag-false", STD, {"campaign.has_embedded_links": False},
     "campaign.has_embedded_links", "is false but 1 message sample(s) contain a link"),
    ("phone-flag-without-phone", SP, {"campaign.has_embedded_phone": True},
     "campaign.has_embedded_phone", "no message sample contains a phone number (rejection 30889)"),
    ("phone-in-samples-flag-false", STD, {"campaign.has_embedded_phone": False},
     "campaign.has_embedded_phone", "contain a phone number (rejection 30889)"),
    ("public-url-shortener", STD,
     {"campaign.message_samples[0]": "Northwind Outfitters: track order [id] at https://bit.ly/3xYz"},
     "campaign.message_samples[0]", "public URL shortener bit.ly"),
    ("no-privacy-policy", SP, {"campaign.privacy_policy_url": DELETE},
     "campaign.privacy_policy_url", "no privacy policy URL"),
    ("no-terms", SP, {"campaign.terms_and_conditions_url": DELETE},
     "campaign.terms_and_conditions_url", "no terms and conditions URL"),
    ("low-volume-other-usecase", LVS, {"campaign.us_app_to_person_usecase": "ACCOUNT_NOTIFICATION"},
     "campaign.us_app_to_person_usecase", "normally use LOW_VOLUME"),
    ("standard-skipping-vetting", STD, {"brand.skip_automatic_sec_vet": True},
     "brand.skip_automatic_sec_vet", "527 political organizations"),
    ("brand-contact-at-free-mail", STD, {"messaging_profile.brand_contact_email": "nw@gmail.com"},
     "messaging_profile.brand_contact_email", "free mail provider"),
    ("sole-proprietor-notification-email", SP, {"isv.notification_email": "c@isv.example"},
     "isv.notification_email", "not used for sole proprietors"),
    ("direct-lending-unsaid", STD, {"campaign.direct_lending": True}, "campaign.description",
     "Direct Lending"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("base", "changes", "field", "words"), [pytest.param(*row[1:], id=row[0]) for row in ADVICE]
)
def test_content_advice_is_a_warning_that_keeps_the_file_valid(
    tmp_path: Path, base: str, changes: dict[str, Any], field: str, words: str
) -> None:
    warnings = warnings_of(tmp_path, base, changes)
    assert words in warnings.get(field, ""), warnings


def test_a_sole_proprietor_brand_name_with_a_plain_co_is_not_taken_for_a_company(
    tmp_path: Path,
) -> None:
    warnings = warnings_of(tmp_path, SP, {"sole_proprietor.brand_name": "Jane Doe Pottery Co"})
    assert "sole_proprietor.brand_name" not in warnings


def test_the_brand_may_be_named_by_its_website_or_without_its_legal_suffix(
    tmp_path: Path,
) -> None:
    samples = [
        "Northwind Outfitters: your order shipped. Reply STOP to opt out.",
        "Order update from northwindoutfitters.example: arriving [date]. Reply STOP to opt out.",
    ]
    warnings = warnings_of(
        tmp_path,
        STD,
        {
            "campaign.message_samples": samples,
            "campaign.has_embedded_links": True,
            "campaign.has_embedded_phone": False,
        },
    )
    assert warnings == {}


# --- loading ----------------------------------------------------------------------------------


def test_load_customers_returns_each_valid_customer_once() -> None:
    paths = [EXAMPLES / SP, EXAMPLES / STD, EXAMPLES / SP]
    loaded = spec.load_customers(paths)
    assert [(p.name, c.name) for p, c in loaded] == [
        (SP, "jane-doe-pottery"),
        (STD, "northwind-outfitters"),
    ]


def test_load_customers_raises_every_problem_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    data_a = example(SP)
    put(data_a, "name", "Bad Name")
    data_b = example(STD)
    put(data_b, "campaign.description", "short")
    put(data_b, "business.business_type", "LLC")
    a, b = write(tmp_path / "a", data_a), write(tmp_path / "b", data_b)
    with pytest.raises(InvalidFiles) as caught:
        spec.load_customers([a, b, EXAMPLES / LVS])
    error = caught.value
    assert error.exit_code == ExitCode.USAGE
    assert [(p.file, p.field) for p in error.problems] == [
        (str(a), "name"),
        (str(b), "business.business_type"),
        (str(b), "campaign.description"),
    ]
    assert all(str(p) in error.message for p in error.problems)
    assert error.message.startswith("2 customer files are invalid (3 problems):")


def test_load_customers_refuses_two_files_with_the_same_name(tmp_path: Path) -> None:
    twin = write(tmp_path, example(SP), "twin.yaml")
    with pytest.raises(InvalidFiles) as caught:
        spec.load_customers([EXAMPLES / SP, twin])
    [problem] = caught.value.problems
    assert (problem.file, problem.field, problem.line) == (str(twin), "name", 1)
    assert "'jane-doe-pottery' is also the name in" in problem.message


# --- the model in code -----------------------------------------------------------------------


def test_phone_numbers_are_normalised_to_e164(tmp_path: Path) -> None:
    result = changed(
        tmp_path,
        SP,
        {"contact.phone_number": "+1 (415) 555-0100", "phone_numbers": ["+1 415 555 0123"]},
    )
    assert result.customer is not None
    assert result.customer.contact is not None
    assert result.customer.contact.phone_number == "+14155550100"
    assert result.customer.phone_numbers == ["+14155550123"]


def test_a_hyphenated_ein_is_sent_as_nine_digits() -> None:
    customer = check_file(EXAMPLES / LVS).customer
    assert customer is not None and customer.business is not None
    assert customer.business.business_registration_number == "987654321"


def test_a_customer_built_in_code_obeys_the_flow_rules() -> None:
    customer = check_file(EXAMPLES / STD).customer
    assert customer is not None
    fields = customer.model_dump(exclude_none=True)
    with pytest.raises(ValidationError) as caught:
        Customer(**{**fields, "flow": "sole_proprietor"})
    locations = {e["loc"] for e in caught.value.errors()}
    assert ("contact",) in locations and ("business",) in locations


def test_customers_are_frozen() -> None:
    customer = check_file(EXAMPLES / SP).customer
    assert customer is not None
    with pytest.raises(ValidationError):
        customer.name = "other"  # type: ignore[misc]


# --- the JSON Schema --------------------------------------------------------------------------


def test_the_json_schema_is_generated_from_the_model() -> None:
    schema = json.loads(spec.json_schema_text())
    assert schema["$schema"] == spec.SCHEMA_DIALECT
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"name", "flow", "isv", "campaign", "phone_numbers"}
    defs = schema["$defs"]
    industry = defs["Business"]["properties"]["business_industry"]["enum"]
    assert industry == list(spec_rules.BUSINESS_INDUSTRIES)
    samples = defs["Campaign"]["properties"]["message_samples"]
    assert (samples["minItems"], samples["maxItems"]) == (2, 5)
    assert samples["items"]["minLength"] == 20
    sole = next(c for c in schema["allOf"] if c["if"]["properties"]["flow"].get("const"))
    assert sole["then"]["required"] == ["contact", "sole_proprietor"]
