"""Routes: (method, path template) -> handler. Templates use `{}` for one
path segment, or for the part of one before a literal suffix
(`/2010-04-01/Accounts/{}.json` captures the SID without `.json`); the
captured segments are passed to the handler in order. Routes are matched in
order, so a literal segment (…/Usa2p/Usecases) is listed before the `{}` that
would also match it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from a2pctl.sandbox.wire import Reply

Handler = Callable[..., Reply]  # (world, request, *captured segments) -> (status, body)


class Route(NamedTuple):
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, template: str, handler: Handler) -> Route:
    regex = "^" + re.escape(template).replace(r"\{\}", "([^/]+)") + "$"
    return Route(method, re.compile(regex), handler)
