"""Checks across customer files, and against what a state store already registered.

One file can be valid and still clash with another: two files with the same
`name` are one registration; a phone number joins one messaging service only; TCR
registers a business (its EIN or other registration number) once, and a sole
proprietor's mobile number or e-mail only so many times, ever (docs/twilio/flows.md §3.4,
errors 30703, 30749, 30750). A registration already in the store `claims` its
name, file, numbers, service and business: a renamed or copied file that claims
them again would register (and pay for) the customer a second time.

Pure: entries and claims in, clashes out, each naming every file involved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from a2pctl.spec import loader
from a2pctl.spec.customer import FileCheck, Problem
from a2pctl.spec.models import Customer

# TCR's lifetime limits for sole proprietors, across all brands of all vendors.
MOBILE_MAX_USES = 3  # sole_proprietor.mobile_phone_number (error 30750)
EMAIL_MAX_USES = 10  # contact.email (error 30749)

FieldPath = tuple[str | int, ...]
Values = Callable[[Customer], list[tuple[FieldPath, str]]]


@dataclass(frozen=True)
class Claim:
    """What a registration in the state store holds as its own."""

    name: str
    account: str | None
    file: str | None = None  # the resolved path it was registered from
    business: str | None = None  # "EIN 123456789"
    numbers: frozenset[str] = field(default_factory=frozenset)  # E.164 numbers and PN SIDs
    service: str | None = None  # a messaging service it reuses or created
    mobile: str | None = None
    email: str | None = None
    deregistered: bool = False  # taken off: its numbers and service are free again


@dataclass(frozen=True)
class Entry:
    label: str  # a file path, or "customers.csv:3"
    customer: Customer
    account: str | None = None  # the file's account_sid, else the default account if known
    file: str | None = None  # the resolved path of the file, if it is one


@dataclass(frozen=True)
class Clash:
    entry: int  # index into the entries
    path: FieldPath
    message: str


def business_of(customer: Customer) -> str | None:
    business = customer.business
    if business is None:
        return None
    return f"{business.business_registration_identifier} {business.business_registration_number}"


def claim_of(customer: Customer, *, account: str | None, file: str | None) -> Claim:
    """What registering this customer claims (recorded in the store by `register`)."""
    sole = customer.sole_proprietor
    return Claim(
        name=customer.name,
        account=account,
        file=file,
        business=business_of(customer),
        numbers=frozenset(customer.phone_numbers),
        service=customer.messaging_service.sid,
        mobile=sole.mobile_phone_number if sole else None,
        email=customer.contact.email.lower() if customer.contact and sole else None,
    )


def clashes(entries: Sequence[Entry], claims: Sequence[Claim] = ()) -> list[Clash]:
    """Every clash among the entries and between an entry and the store's claims."""
    found: list[Clash] = []
    found += _same_value(entries, _name, _name_message, by_account=True)
    found += _same_value(entries, _numbers, _number_message)
    found += _same_value(entries, _business, _business_message)
    # A registration in another account (e.g. the sandbox's) holds nothing of this one's.
    accounts = {e.account for e in entries}
    if None not in accounts:
        claims = [c for c in claims if c.account is None or c.account in accounts]
    found += _over_limit(entries, claims, "mobile", MOBILE_MAX_USES)
    found += _over_limit(entries, claims, "email", EMAIL_MAX_USES)
    index = _index([c for c in claims if not c.deregistered])
    for position, entry in enumerate(entries):
        candidates = _candidates(entry, index)
        found += [Clash(position, path, message) for path, message in _against(entry, candidates)]
    return sorted(found, key=lambda c: c.entry)


LABELS_SHOWN = 3  # a fleet's clash names a few of the others, then counts the rest


def _labels(labels: Sequence[str]) -> str:
    shown = ", ".join(labels[:LABELS_SHOWN])
    rest = len(labels) - LABELS_SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown


def _name(customer: Customer) -> list[tuple[FieldPath, str]]:
    return [(("name",), customer.name)]


def _numbers(customer: Customer) -> list[tuple[FieldPath, str]]:
    return [(("phone_numbers", i), number) for i, number in enumerate(customer.phone_numbers)]


def _business(customer: Customer) -> list[tuple[FieldPath, str]]:
    key = business_of(customer)
    path: FieldPath = ("business", "business_registration_number")
    return [] if key is None else [(path, key)]


def _name_message(value: str, others: list[str]) -> str:
    return f"{value!r} is also the name in {_labels(others)}: names must be unique"


def _number_message(value: str, others: list[str]) -> str:
    return (
        f"{value} is also a number of {_labels(others)}: a number sends for one messaging "
        "service, one customer"
    )


def _business_message(value: str, others: list[str]) -> str:
    return (
        f"{value} is also the business of {_labels(others)}: TCR registers a business once "
        "(a second brand fails with 30703)"
    )


def _same_value(
    entries: Sequence[Entry],
    values: Values,
    message: Callable[[str, list[str]], str],
    *,
    by_account: bool = False,
) -> list[Clash]:
    holders: dict[tuple[str | None, str], list[tuple[int, FieldPath]]] = defaultdict(list)
    for index, entry in enumerate(entries):
        for path, value in values(entry.customer):
            holders[(entry.account if by_account else None, value)].append((index, path))
    found: list[Clash] = []
    for (_, value), holding in holders.items():
        if len({index for index, _ in holding}) < 2:
            continue
        for index, path in holding:
            others = [entries[i].label for i, _ in holding if i != index]
            found.append(Clash(index, path, message(value, others)))
    return found


def _over_limit(
    entries: Sequence[Entry], claims: Sequence[Claim], what: str, limit: int
) -> list[Clash]:
    """A sole proprietor's mobile or e-mail used more often than TCR allows, counting
    the store's registrations too (deregistered ones included: TCR counts for life)."""
    mobile = what == "mobile"
    path: FieldPath = ("sole_proprietor", "mobile_phone_number") if mobile else ("contact", "email")

    def used(claim: Claim) -> str | None:
        return claim.mobile if mobile else claim.email

    users: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        mine = used(claim_of(entry.customer, account=entry.account, file=None))
        if mine:
            users[mine].append(index)
    names = {e.customer.name for e in entries}
    stored: dict[str, list[str]] = defaultdict(list)
    for claim in claims:
        theirs = used(claim)
        if theirs and claim.name not in names:
            stored[theirs].append(f"registration {claim.name!r} in the state store")
    clashes: list[Clash] = []
    code, noun = (30750, "mobile") if mobile else (30749, "e-mail")
    for value, indexes in users.items():
        count = len(indexes) + len(stored[value])
        if count <= limit:
            continue
        for index in indexes:
            others = [entries[i].label for i in indexes if i != index] + stored[value]
            message = (
                f"{value} is the sole-proprietor {noun} of {count} customers (also "
                f"{_labels(others)}): TCR allows it in at most {limit} brands, ever ({code})"
            )
            clashes.append(Clash(index, path, message))
    return clashes


def _index(claims: Sequence[Claim]) -> dict[str, list[Claim]]:
    """Claims by what they hold (numbers, business, service, file): a fleet's files are
    checked against a fleet's registrations without comparing every pair."""
    index: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        keys = [*claim.numbers, claim.business, claim.service, claim.file]
        for key in dict.fromkeys(k for k in keys if k):
            index[key].append(claim)
    return index


def _candidates(entry: Entry, index: dict[str, list[Claim]]) -> list[Claim]:
    customer = entry.customer
    keys = [*customer.phone_numbers, business_of(customer), customer.messaging_service.sid]
    keys.append(entry.file)
    found: dict[int, Claim] = {}
    for key in keys:
        for claim in index.get(key or "", []):
            found[id(claim)] = claim
    return list(found.values())


def _against(entry: Entry, claims: Sequence[Claim]) -> list[tuple[FieldPath, str]]:
    customer = entry.customer
    found: list[tuple[FieldPath, str]] = []
    for claim in claims:
        if not (entry.account is None or claim.account in (None, entry.account)):
            continue  # another account's registration (e.g. the sandbox's)
        if claim.name == customer.name:
            continue  # the entry's own registration
        if claim.deregistered:
            continue
        registered = f"registered as {claim.name!r} in the state store"
        if entry.file is not None and claim.file == entry.file:
            found.append(
                (
                    ("name",),
                    f"this file was {registered}: under a new name the customer would be "
                    f"registered (and pay) again; put back `name: {claim.name}`",
                )
            )
            continue
        for path, number in _numbers(customer):
            if number in claim.numbers:
                found.append((path, f"{number} is already {registered}"))
        if customer.messaging_service.sid and customer.messaging_service.sid == claim.service:
            found.append(
                (
                    ("messaging_service", "sid"),
                    f"{claim.service} already holds the campaign {registered}",
                )
            )
        if claim.business and claim.business == business_of(customer):
            found.append(
                (
                    ("business", "business_registration_number"),
                    f"{claim.business} is already {registered}: a second registration would "
                    f"pay again for a brand TCR refuses (30703); keep `name: {claim.name}`",
                )
            )
    return found


def across_files(
    results: Sequence[FileCheck], claims: Sequence[Claim] = (), account: str | None = None
) -> list[FileCheck]:
    """The file checks with every clash added as an error of each file involved.

    `account`: the default account (the credentials'), if known; `claims`: what the
    state store holds. Files that are invalid on their own take no part.
    """
    entries: list[Entry] = []
    owners: list[int] = []
    for index, result in enumerate(results):
        if result.valid and result.customer is not None:
            customer = result.customer
            where = str(Path(result.file).resolve())
            entries.append(Entry(result.file, customer, customer.account_sid or account, where))
            owners.append(index)
    added: dict[int, list[Problem]] = defaultdict(list)
    for clash in clashes(entries, claims):
        owner = owners[clash.entry]
        file = results[owner].file
        text = loader.format_field(clash.path)
        line = results[owner].line_of(text)
        added[owner].append(Problem(file, line, text, clash.message))
    out: list[FileCheck] = []
    for index, result in enumerate(results):
        more = list(dict.fromkeys(added.get(index, [])))
        if more:
            errors = sorted([*result.errors, *more], key=lambda p: p.line or 0)
            result = replace(result, valid=False, errors=errors)
        out.append(result)
    return out
