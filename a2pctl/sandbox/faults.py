"""Fault injection for tests: answer chosen requests with an error, a delay,
or perform them and then drop the connection."""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass

from a2pctl.sandbox.wire import (
    INTERNAL_ERROR,
    SERVICE_UNAVAILABLE,
    TOO_MANY_REQUESTS,
    ApiError,
)

# HTTP status -> (Twilio code, message) of the injected error answers.
FAULT_ERRORS = {
    429: (TOO_MANY_REQUESTS, "Too Many Requests"),
    500: (INTERNAL_ERROR, "Internal Server Error"),
    503: (SERVICE_UNAVAILABLE, "Service Unavailable"),
}


def retry_after_header(seconds: float) -> str:
    """Seconds, rounded up to the millisecond. Fractional on purpose: the
    simulator's intervals are scaled down, and whole seconds would overstate them."""
    millis = max(1, math.ceil(seconds * 1000))
    return f"{millis / 1000:g}"


@dataclass
class Fault:
    method: str  # HTTP method, or "*"
    path: str  # a path prefix, or an fnmatch pattern (with * ? [)
    status: int | None
    drop_after: bool
    delay: float
    times: int
    retry_after: float | None

    def matches(self, method: str, path: str) -> bool:
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        if any(char in self.path for char in "*?["):
            return fnmatch.fnmatchcase(path, self.path)
        return path.startswith(self.path)

    def error(self) -> ApiError:
        assert self.status is not None
        code, message = FAULT_ERRORS.get(self.status, (self.status, "Injected fault"))
        headers = {}
        if self.retry_after is not None:
            headers["Retry-After"] = retry_after_header(self.retry_after)
        return ApiError(self.status, code, message, headers=headers)


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        if fault.status is not None and fault.drop_after:
            raise ValueError("a fault either answers an error (status) or drops after performing")
        self._faults.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """The first armed fault matching the request, consuming one use."""
        for fault in self._faults:
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None
