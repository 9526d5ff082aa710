"""A workspace's API tokens, managed by its owner: list, create (secret shown once), revoke."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from obligraph.app.api.deps import ServiceDep, WorkspaceId
from obligraph.app.core.exceptions import InvalidInput, NotFound
from obligraph.app.schemas.api_tokens import TOKEN_EXAMPLE, TokenCreate, TokenCreated, TokenOut
from obligraph.app.schemas.common import ERROR_RESPONSES
from obligraph.app.security import tokens

TokenPath = Annotated[str, Path(description="Token id.", max_length=32, examples=["3f9c0a1b2c3d4e5f"])]
router = APIRouter(prefix="/workspaces/{ws}/tokens", tags=["tokens"], responses=ERROR_RESPONSES)


@router.get(
    "",
    response_model=list[TokenOut],
    summary="List the workspace's tokens",
    responses={200: {"content": {"application/json": {"example": [TOKEN_EXAMPLE]}}}},
)
def list_tokens(ws: WorkspaceId, service: ServiceDep) -> Any:
    with service.db.read() as session:
        service.workspace(session, ws)
        return [tokens.describe(row) for row in tokens.list_tokens(session, ws)]


@router.post("", status_code=201, response_model=TokenCreated, summary="Create a token for the workspace")
def create_token(ws: WorkspaceId, body: TokenCreate, service: ServiceDep) -> Any:
    expires_at = body.expires_at
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=timezone.utc)
    if expires_at is not None and expires_at <= datetime.now(timezone.utc):
        # A rule of the clock, not of the schema: its own code, so clients can tell it apart.
        raise InvalidInput(
            "expires_at is in the past; give a future date-time (UTC when it has no offset), or leave it out",
            code="expiry_in_past",
            details=[{"location": "body.expires_at", "message": "must be in the future"}],
        )
    with service.db.write() as session:
        service.workspace(session, ws)
        try:
            row, secret = tokens.create(
                session, role=body.role, workspace_id=ws, name=body.name, expires_at=body.expires_at
            )
        except tokens.TokenError as exc:
            raise InvalidInput(str(exc)) from None
        return {**tokens.describe(row), "token": secret}


@router.delete(
    "/{token_id}", status_code=204, response_class=Response, summary="Revoke a token (it stops working at once)"
)
def revoke_token(ws: WorkspaceId, token_id: TokenPath, service: ServiceDep) -> Response:
    with service.db.write() as session:
        service.workspace(session, ws)
        if tokens.revoke(session, token_id[:32], ws) is None:
            raise NotFound(f"workspace '{ws}' has no token '{token_id[:32]}'")
    return Response(status_code=204)
