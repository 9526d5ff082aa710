"""Opaque page cursors: the position after which the next page starts, base64url-encoded JSON.

>>> decode_cursor(encode_cursor(["hr-saas", "10.5.1"]), list)
['hr-saas', '10.5.1']
"""

from __future__ import annotations

import base64
import json
from typing import Any

from obligraph.app.core.exceptions import BadRequest


def encode_cursor(position: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: type) -> Any:
    """The position a cursor carries, or None for the first page; 400 when it was not made by this API."""
    if cursor is None:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        # Positions reach SQL: keep them inside a 32-bit INTEGER column's range.
        in_range = not isinstance(value, int) or 0 <= value < 2**31
        if isinstance(value, kind) and not isinstance(value, bool) and in_range:
            return value
    except (ValueError, TypeError):
        pass
    raise BadRequest(
        "the cursor is not one this API issued; pass the `next` value of the previous page unchanged, "
        "or leave cursor out to start again",
        code="invalid_cursor",
        details=[{"location": "query.cursor", "message": "not a cursor of this list"}],
    )
