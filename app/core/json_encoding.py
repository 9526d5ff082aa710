"""The one JSON encoding of the service: dates as ISO 8601 text, enums as their values, UTF-8 unescaped.

Response bodies, snapshot contents (hashed, so the encoding must never drift), the JSON the pages
embed and the CLI's JSON output all use it. The database's JSON columns are encoded apart
(``column_json``): only the value read back matters there, so the faster encoder serves.
"""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from typing import Any

import orjson


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


def column_json(value: Any) -> str:
    """A JSON column's value as the database driver sends it (SQLAlchemy's ``json_serializer``).

    orjson: a write's declarations, journal entry and stored import answer went through the
    standard library's encoder at a tenth of its speed. What orjson refuses (an integer past 64
    bits, say) goes through the standard library as before; both read back as the same value.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def column_value(text: str | bytes) -> Any:
    """A JSON column's text as a value (SQLAlchemy's ``json_deserializer``): orjson, or the standard
    library for what orjson cannot read (an integer past 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
