"""Workspace requests and responses."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, field_validator
from pydantic.config import JsonDict

from obligraph.app.schemas.common import Input, NotNull
from obligraph.graph.catalog import available_catalogs
from obligraph.graph.lattice import Status
from obligraph.graph.schema import ControlId, ShortText, Text

WorkspaceSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


def _shipped(catalog_id: str) -> str:
    if catalog_id not in available_catalogs():
        raise ValueError(f"unknown catalog '{catalog_id}' (known: {', '.join(available_catalogs())})")
    return catalog_id


#: The id of a shipped catalog: listed in the schema, and refused when unknown as the schema says.
CatalogId = Annotated[
    str,
    AfterValidator(_shipped),
    WithJsonSchema({"type": "string", "enum": available_catalogs(), "description": "A catalog id (GET /catalogs)."}),
]

_EXAMPLE: JsonDict = {
    "id": "hr-platform",
    "name": "HR platform",
    "description": "Our HR SaaS and everything under it",
    "catalog": "meti-2011",
    "requirement": "declared",
    "controls": None,
}


class WorkspaceCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    id: WorkspaceSlug = Field(description="Slug: lower-case letters, digits, '-' and '_', at most 64.")
    name: ShortText
    description: Text | None = None
    catalog: CatalogId = "meti-2011"
    requirement: Status | None = None
    controls: list[ControlId] | None = Field(default=None, max_length=10_000)


class WorkspaceUpdate(Input):
    """Only the fields sent change; send null to clear description, requirement or controls (not name or catalog)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "HR platform (prod)", "requirement": "verified"}]}
    )

    name: NotNull[ShortText] = None
    description: Text | None = None
    catalog: NotNull[CatalogId] = None
    requirement: Status | None = None
    controls: list[ControlId] | None = Field(default=None, max_length=10_000)


WORKSPACE_OUT_EXAMPLE: JsonDict = {
    **_EXAMPLE,
    "revision": 12,
    "nodes": 4,
    "edges": 3,
    "created_at": "2026-11-26T09:00:00Z",
    "updated_at": "2026-11-26T09:30:00Z",
}


class WorkspaceOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [WORKSPACE_OUT_EXAMPLE]})

    id: str
    name: str
    description: str | None
    catalog: str
    requirement: str | None
    controls: list[str] | None
    revision: int = Field(description="Bumped by every change; analyses are cached per revision.")
    nodes: int
    edges: int
    created_at: datetime
    updated_at: datetime

    @field_validator("created_at", "updated_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # SQLite hands back naive datetimes; they were written in UTC.
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
