"""What the registrations in a state store claim, and the checks of files against them.

Before `register` sends anything for a file, it records what the customer claims
(the file, the business, the numbers, a reused service, a sole proprietor's mobile
and e-mail) as the registration's `registration.claims` step. Numbers and the
service are also read from what runs recorded (so registrations from before claims
were kept count too). `validate`, `plan` and `register` check their files against
each other and against these claims (`spec.crossfile`), and refuse a file whose
registration was taken off with `a2pctl deregister`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from a2pctl.spec import crossfile
from a2pctl.spec.customer import FileCheck, Problem
from a2pctl.state.markers import CLAIMS, DEREGISTERED, deregistered_at
from a2pctl.state.store import Registration, Store


def stored_claims(store: Store) -> list[crossfile.Claim]:
    """The claim of every registration in the store."""
    return [_claim(store, registration) for registration in store.registrations()]


def _claim(store: Store, registration: Registration) -> crossfile.Claim:
    steps = store.steps(registration.name, registration.account)
    recorded: dict[str, Any] = steps[CLAIMS].data if CLAIMS in steps else {}
    numbers = set(recorded.get("numbers") or [])
    for name, step in steps.items():
        if name.startswith("number.") and step.sid:
            numbers.add(step.sid)
            numbers.add(name.removeprefix("number."))
    service = steps.get("messaging_service")
    gone = steps.get(DEREGISTERED)
    return crossfile.Claim(
        name=registration.name,
        account=registration.account,
        file=recorded.get("file") or registration.file,
        business=recorded.get("business"),
        numbers=frozenset(numbers),
        service=recorded.get("service") or (service.sid if service else None),
        mobile=recorded.get("mobile"),
        email=recorded.get("email"),
        deregistered=gone is not None and gone.status == "done",
    )


def record(store: Store, checks: Sequence[FileCheck], default_account: str) -> None:
    """Record the claim of each valid file (`register`, before anything is sent)."""
    for check in checks:
        customer = check.customer
        if not check.valid or customer is None:
            continue
        account = customer.account_sid or default_account
        claim = crossfile.claim_of(customer, account=account, file=str(Path(check.file).resolve()))
        data = {
            "file": claim.file,
            "business": claim.business,
            "numbers": sorted(claim.numbers),
            "service": claim.service,
            "mobile": claim.mobile,
            "email": claim.email,
        }
        store.mark_done(customer.name, account, CLAIMS, data=data)


def check(
    results: Sequence[FileCheck], store: Store | None, account: str | None
) -> list[FileCheck]:
    """The files checked across each other and, with a store, against its claims."""
    claims = stored_claims(store) if store is not None else []
    checked = crossfile.across_files(results, claims, account)
    if store is None:
        return checked
    return [_not_taken_off(result, store, account) for result in checked]


def _not_taken_off(result: FileCheck, store: Store, account: str | None) -> FileCheck:
    customer = result.customer
    if not result.valid or customer is None:
        return result
    wanted = customer.account_sid or account
    for registration in store.find_registrations(customer.name):
        if wanted is not None and registration.account != wanted:
            continue
        gone = deregistered_at(store, registration.name, registration.account)
        if gone is None:
            continue
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(gone))
        message = (
            f"registration {customer.name!r} was taken off with `a2pctl deregister` on {when}: "
            "its campaign is deleted and its numbers are out of the service; leave this file "
            f"out (to take the customer on again: `a2pctl deregister --forget {customer.name}`)"
        )
        problem = Problem(result.file, result.line_of("name"), "name", message)
        return replace(result, valid=False, errors=[*result.errors, problem])
    return result
