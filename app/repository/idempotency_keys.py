"""Stored answers of imports sent with an Idempotency-Key, per workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from obligraph.app.models import IdempotencyKey


def find_key(session: Session, ws: str, key: str) -> IdempotencyKey | None:
    query = select(IdempotencyKey).where(col(IdempotencyKey.workspace_id) == ws, col(IdempotencyKey.key) == key)
    return session.execute(query).scalar_one_or_none()


def delete_keys_before(session: Session, ws: str, cutoff: datetime) -> None:
    session.execute(
        delete(IdempotencyKey).where(col(IdempotencyKey.workspace_id) == ws, col(IdempotencyKey.created_at) < cutoff)
    )


def add_key(session: Session, ws: str, key: str, fingerprint: str, status: int, response: dict[str, Any]) -> None:
    session.add(IdempotencyKey(workspace_id=ws, key=key, request_hash=fingerprint, status=status, response=response))
