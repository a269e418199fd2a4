"""Steps that are not flow steps: what `register` and `deregister` record about a
registration as a whole, under names every command reads the same way."""

from __future__ import annotations

from a2pctl.state.store import Store

# What the customer claims (file, business, numbers, service, mobile, e-mail):
# recorded by `register` before anything is sent, read by the checks across files.
CLAIMS = "registration.claims"
# The customer was taken off with `a2pctl deregister` (done when every step was).
DEREGISTERED = "registration.deregistered"


def deregistered_at(store: Store, name: str, account: str) -> float | None:
    """When the registration was taken off, or None while it is not."""
    record = store.steps(name, account).get(DEREGISTERED)
    if record is None or record.status != "done":
        return None
    return record.finished_at or 0.0
