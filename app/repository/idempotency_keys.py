"""Stored answers of imports sent with an Idempotency-Key, per workspace.

Imports write and remove them as pending rows of their write group (``pending_rows.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from obligraph.app.models import IdempotencyKey

KEYS = IdempotencyKey.__table__  # type: ignore[attr-defined]
_FIND = select(KEYS.c.request_hash, KEYS.c.status, KEYS.c.response, KEYS.c.created_at)


def find_key(session: Session, ws: str, key: str) -> dict[str, Any] | None:
    query = _FIND.where(KEYS.c.workspace_id == ws, KEYS.c.key == key)
    row = session.execute(query).mappings().first()
    return dict(row) if row is not None else None
