"""API tokens: created once, stored as a sha256 hash, looked up by that hash.

The secret has 256 bits of entropy, so a plain sha256 is enough (no slow KDF needed: nobody can
brute-force a random 32-byte value); the lookup is by the unique hash and the final comparison
is ``hmac.compare_digest`` so no timing difference depends on the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from sqlalchemy import select
from sqlmodel import Session, col

from obligraph.app.models import ApiToken
from obligraph.app.repository import workspace_rows

PREFIX = "obg_"
ROLES = ("viewer", "editor", "owner")
ADMIN = "admin"
RANK = {"viewer": 1, "editor": 2, "owner": 3, ADMIN: 4}

#: Bumped on every token created in this process, so an app here re-checks "is auth on?" at once.
generation = 0


class TokenError(ValueError):
    """A token cannot be created or changed as asked (the message says why)."""


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: str
    workspace_id: Optional[str]  # None: an admin token, valid for every workspace

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def can_see(self, ws: str) -> bool:
        return self.is_admin or self.workspace_id == ws

    def at_least(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: Optional[datetime]) -> Optional[datetime]:
    # SQLite hands back naive datetimes; every time stored here is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def parse_expiry(text: str) -> datetime:
    """``YYYY-MM-DD`` (valid through that day, UTC) or an ISO date-time."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1), time(), tzinfo=timezone.utc)
        return _aware(datetime.fromisoformat(text))  # type: ignore[return-value]
    except ValueError:
        raise TokenError(f"--expires '{text}' is not a date; give YYYY-MM-DD or an ISO date-time") from None


def create(
    session: Session,
    *,
    role: str,
    workspace_id: Optional[str],
    name: str = "",
    expires_at: Optional[datetime] = None,
) -> tuple[ApiToken, str]:
    """Store a new token; returns the row and the secret, which is never stored or shown again."""
    global generation
    if role == ADMIN:
        if workspace_id is not None:
            raise TokenError("an admin token is for every workspace; leave out --workspace")
    elif role not in ROLES:
        raise TokenError(f"role '{role}' is not one of {', '.join(ROLES)} (or --admin)")
    elif not workspace_id:
        raise TokenError("a viewer, editor or owner token needs --workspace")
    elif workspace_rows.find_workspace(session, workspace_id) is None:
        raise TokenError(f"there is no workspace '{workspace_id}'")
    expires_at = _aware(expires_at)
    if expires_at is not None and expires_at <= datetime.now(timezone.utc):
        raise TokenError("the expiry is in the past")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        id=secrets.token_hex(8),
        name=name[:200],
        token_hash=hash_token(secret),
        role=role,
        workspace_id=workspace_id,
        expires_at=expires_at,
    )
    session.add(row)
    session.commit()
    generation += 1
    return row, secret


def is_live(row: ApiToken, now: Optional[datetime] = None) -> bool:
    now = now or datetime.now(timezone.utc)
    expires = _aware(row.expires_at)
    return row.revoked_at is None and (expires is None or expires > now)


def authenticate(session: Session, secret: str) -> Optional[Principal]:
    """The principal of a bearer secret, or None (unknown, revoked or expired alike)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    digest = hash_token(secret)
    row = session.execute(select(ApiToken).where(col(ApiToken.token_hash) == digest)).scalar_one_or_none()
    if row is None or not hmac.compare_digest(row.token_hash, digest) or not is_live(row):
        return None
    return Principal(row.id, row.role, row.workspace_id)


def principal_by_id(session: Session, token_id: str) -> Optional[Principal]:
    """For the session cookie, which names the token: revoking the token ends the session too."""
    row = session.get(ApiToken, token_id)
    if row is None or not is_live(row):
        return None
    return Principal(row.id, row.role, row.workspace_id)


def list_tokens(session: Session, workspace_id: Optional[str] = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(col(ApiToken.created_at), col(ApiToken.id))
    if workspace_id is not None:
        query = query.where(col(ApiToken.workspace_id) == workspace_id)
    return list(session.execute(query).scalars())


def revoke(session: Session, token_id: str, workspace_id: Optional[str] = None) -> Optional[ApiToken]:
    """Mark revoked (the row stays, so auth stays on and the audit trail remains); None if not found."""
    row = session.get(ApiToken, token_id)
    if row is None or (workspace_id is not None and row.workspace_id != workspace_id):
        return None
    if row.revoked_at is None:
        row.revoked_at = datetime.now(timezone.utc)
        session.add(row)
        session.commit()
    return row


def any_token(session: Session) -> bool:
    return session.execute(select(col(ApiToken.id)).limit(1)).first() is not None


def describe(row: ApiToken) -> dict:
    """A token as lists show it: never the hash."""
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "workspace": row.workspace_id,
        "created_at": _aware(row.created_at),
        "expires_at": _aware(row.expires_at),
        "revoked_at": _aware(row.revoked_at),
        "active": is_live(row),
    }
