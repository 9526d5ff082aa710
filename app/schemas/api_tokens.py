"""Request and response bodies of a workspace's API token routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from obligraph.app.schemas.common import Input


class TokenCreate(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "viewer", "name": "ci reader"}]})

    role: Literal["viewer", "editor", "owner"] = Field(examples=["viewer"])
    name: str = Field(default="", max_length=200, examples=["ci reader"])
    expires_at: Optional[datetime] = Field(default=None, description="UTC when not given; must be in the future.")


TOKEN_EXAMPLE: JsonDict = {
    "id": "3f9c0a1b2c3d4e5f",
    "name": "ci reader",
    "role": "viewer",
    "workspace": "demo",
    "created_at": "2026-11-26T13:00:00Z",
    "expires_at": None,
    "revoked_at": None,
    "active": True,
}


class TokenOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [TOKEN_EXAMPLE]})

    id: str
    name: str
    role: str
    workspace: Optional[str]
    created_at: datetime
    expires_at: Optional[datetime]
    revoked_at: Optional[datetime]
    active: bool


class TokenCreated(TokenOut):
    model_config = ConfigDict(json_schema_extra={"examples": [{**TOKEN_EXAMPLE, "token": "obg_..."}]})

    token: str = Field(description="The secret: shown this once, stored only as a hash.")
