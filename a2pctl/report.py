"""Rendering only: Rich tables and lines for people, JSON documents for scripts.

No business logic here: core modules return typed results, these functions
draw them. `--json` output is exactly one document on stdout.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def print_json(document: Any) -> None:
    """Print one JSON document on stdout, nothing else."""
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


# --- validate (spec) ---------------------------------------------------------------

# --- register / plan (engine) ----------------------------------------------------------

# --- status / otp / numbers ------------------------------------------------------------

# --- events ---------------------------------------------------------------------------
