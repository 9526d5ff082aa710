"""Analysis responses (``obligraph/analysis@1`` plus paging) and the what-if request."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from obligraph.app.schemas.common import Input
from obligraph.graph.lattice import Layer, Status
from obligraph.graph.schema import ControlId, NodeId, ShortText

GAP_EXAMPLE: JsonDict = {
    "node": "hr-saas",
    "control": "10.5.1",
    "effective": "unknown",
    "required": "declared",
    "kind": "inherited",
    "orphaned": False,
    "root_causes": [{"node": "acme-compute", "status": "unknown", "path": ["acme-compute", "acme-paas", "hr-saas"]}],
    "blockers": [
        {"node": "hr-saas", "status": "partial", "path": ["hr-saas"]},
        {"node": "acme-compute", "status": "unknown", "path": ["acme-compute", "acme-paas", "hr-saas"]},
    ],
}
GAPS_EXAMPLE: JsonDict = {
    "format": "obligraph/analysis@1",
    "requirement": "declared",
    "as_of": "2026-11-26",
    "summary": {"nodes": 4, "edges": 3, "controls": 133, "gaps": 12},
    "revision": 7,
    "matched": 1,
    "gaps": [GAP_EXAMPLE],
    "next": None,
}
DIFF_EXAMPLE: JsonDict = {
    "opened": [GAP_EXAMPLE],
    "closed": [],
    "changed": [],
    "affected_nodes": ["hr-saas"],
    "summary": {"opened": 1, "closed": 0, "changed": 0, "affected_nodes": 1},
}


_LIST = "Repeat the parameter or separate values with commas."
TYPED_IDS = " Catalog ids (10.5.1) or newer numbers: 27002:2022/8.13, 27002:2013/A.12.3.1, ccm:BCR-08."


class GapQuery(Input):
    """The query of ``GET .../gaps``: filters, analysis parameters, paging (unknown parameters are refused)."""

    node: list[str] | None = Field(default=None, description=f"Nodes with the gap. {_LIST}")
    control: list[str] | None = Field(default=None, description=f"Controls.{TYPED_IDS} {_LIST}")
    clause: list[str] | None = Field(default=None, description=f"Catalog clauses, e.g. 10. {_LIST}")
    kind: list[Literal["origin", "inherited", "mixed", "circular"]] | None = Field(
        default=None, description="Gap kinds."
    )
    layer: list[Layer] | None = Field(default=None, description="Layers of the node with the gap.")
    root_cause: str | None = Field(default=None, max_length=128, description="Only gaps this node is a root cause of.")
    orphaned: bool | None = Field(default=None, description="Only orphaned (true) or not orphaned (false) gaps.")
    require: Status | None = Field(default=None, description="Lowest effective status that counts as assured.")
    as_of: date | None = Field(default=None, description="Analysis date, YYYY-MM-DD (default: today).")
    controls: str | None = Field(
        default=None,
        max_length=100_000,
        description=f"Comma-separated control ids to analyse.{TYPED_IDS}",
        examples=["10.5.1"],
    )
    cloud_guidance_only: bool = Field(
        default=False,
        description="Analyse only the chosen controls (default: every catalog control) that carry cloud guidance.",
    )
    root_causes: bool = Field(
        default=True, description="Include each gap's root causes and blockers, with their paths."
    )
    limit: int = Field(default=100, ge=1, le=1000, description="Gaps per page.")
    cursor: str | None = Field(default=None, max_length=512, description="The `next` value of the previous page.")


class RootCauseOut(BaseModel):
    """A root cause or a blocker: a contributor, its own status and one shortest delegating path to the gap."""

    node: str
    status: Status
    path: list[str]
    note: str | None = Field(
        default=None,
        description="Why its own status counts lower than declared (verified without assuring evidence,"
        " not_applicable for a control its consumers rely on it for).",
    )


class GapOut(BaseModel):
    node: str
    control: str
    effective: Status
    required: Status
    kind: Literal["origin", "inherited", "mixed", "circular"]
    orphaned: bool
    root_causes: list[RootCauseOut] | None = None
    blockers: list[RootCauseOut] | None = Field(
        default=None,
        description="Every contributor below the requirement: raising all of them closes the gap (none when circular).",
    )


class GapsPage(BaseModel):
    """``obligraph/analysis@1`` for the gaps on this page, plus ``matched`` and the ``next`` cursor."""

    model_config = ConfigDict(json_schema_extra={"examples": [GAPS_EXAMPLE]})

    format: Literal["obligraph/analysis@1"]
    requirement: Status
    as_of: date
    summary: dict[str, int] = Field(description="The whole analysis: nodes, edges, controls, gaps.")
    revision: int
    matched: int = Field(description="Gaps that pass the filters, over all pages.")
    gaps: list[GapOut]
    next: str | None


class SetStatus(Input):
    op: Literal["set_status"]
    node: NodeId
    controls: list[ControlId] | None = Field(default=None, max_length=10_000, description="null: every control")
    status: Status


class RemoveNode(Input):
    op: Literal["remove_node"]
    node: NodeId


class RemoveEdge(Input):
    op: Literal["remove_edge"]
    provider: NodeId
    consumer: NodeId


class ApplyIncident(Input):
    op: Literal["apply_incident"]
    node: NodeId
    incident: ShortText


Change = Annotated[Union[SetStatus, RemoveNode, RemoveEdge, ApplyIncident], Field(discriminator="op")]


class WhatIfRequest(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "changes": [
                        {
                            "op": "set_status",
                            "node": "acme-compute",
                            "controls": ["10.5.1"],
                            "status": "not_implemented",
                        },
                        {"op": "apply_incident", "node": "acme-paas", "incident": "paas-outage"},
                    ],
                    "requirement": "declared",
                }
            ]
        }
    )

    changes: list[Change] = Field(min_length=1, max_length=1000)
    requirement: Status | None = None
    as_of: date | None = None
    controls: list[ControlId] | None = Field(default=None, max_length=10_000)
    cloud_guidance_only: bool = Field(
        default=False, description="Only the chosen controls (default: every catalog control) with cloud guidance."
    )
