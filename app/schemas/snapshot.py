"""Request and response bodies of the snapshot routes."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict

from obligraph.app.schemas.common import Input

EXAMPLE_ID = "b2424df768c3a2ae2dede5edeb386453495e4d997fd088066cd053c779ff0682"


SNAPSHOT_EXAMPLE: JsonDict = {
    "id": EXAMPLE_ID,
    "workspace": "demo",
    "revision": 3,
    "label": "before the Q3 audit",
    "created_at": "2026-11-26T13:25:38Z",
    "summary": {"nodes": 5, "edges": 5, "controls": 5, "gaps": 18},
}


DIFF_EXAMPLE: JsonDict = {
    "from": EXAMPLE_ID,
    "to": "7e36a9ce9f7a993557997a1b235659cb130766caa96ddf3789f2090b242586b6",
    "summary": {"nodes_added": 0, "edges_removed": 1, "gaps_opened": 0, "gaps_closed": 1, "gaps_before": 18},
    "nodes": {"added": [], "removed": [], "changed": []},
    "edges": {"added": [], "removed": [{"provider": "hr-saas", "consumer": "customer"}], "changed": []},
    "declarations": {"added": [], "removed": [], "changed": []},
    "gaps": {
        "opened": [],
        "closed": [{"node": "customer", "control": "10.5.1", "effective": "unknown", "kind": "mixed"}],
        "changed": [],
    },
}


class SnapshotCreate(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"label": "before the Q3 audit"}]})

    label: Optional[str] = Field(default=None, max_length=500, examples=["before the Q3 audit"])


class SnapshotOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SNAPSHOT_EXAMPLE]})

    id: str = Field(description="The sha256 of the snapshot's canonical content.")
    workspace: str
    revision: int = Field(description="The workspace revision the snapshot was taken at.")
    label: Optional[str] = None
    created_at: datetime
    summary: dict[str, int] = Field(description="nodes, edges, controls and gaps of the snapshot's analysis.")

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # SQLite hands back naive datetimes; they were written in UTC, and the schema promises RFC 3339.
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class SnapshotDetail(SnapshotOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **SNAPSHOT_EXAMPLE,
                    "chain": {"format": "obligraph/chain@1", "name": "HR platform", "nodes": [], "edges": []},
                    "analysis": {"format": "obligraph/analysis@1", "summary": SNAPSHOT_EXAMPLE["summary"], "gaps": []},
                }
            ]
        }
    )

    chain: dict[str, Any] = Field(description="The obligraph/chain@1 document.")
    analysis: Optional[dict[str, Any]] = Field(description="The obligraph/analysis@1 document (no root causes).")


class RestoreResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"workspace": "demo", "snapshot": EXAMPLE_ID, "revision": 4}]}
    )

    workspace: str
    snapshot: str
    revision: int = Field(description="The workspace's new revision.")
