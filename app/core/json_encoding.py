"""The one JSON encoding of the service: dates as ISO 8601 text, enums as their values, UTF-8 unescaped.

Response bodies, snapshot contents (hashed, so the encoding must never drift), the JSON the pages
embed and the CLI's JSON output all use it.
"""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from typing import Any


def json_default(value: Any) -> Any:
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def dump_json(value: Any, *, sort_keys: bool = False) -> bytes:
    """Compact JSON as UTF-8; ``sort_keys`` gives the canonical form that snapshots hash."""
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys, default=json_default
    ).encode("utf-8")
