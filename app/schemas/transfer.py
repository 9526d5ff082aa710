"""Request and response bodies of imports and CAIQ uploads."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from obligraph.app.schemas.common import ErrorDetail


class ImportMode(str, Enum):
    # Upper-case names: a member called ``replace`` would hide ``str.replace``.
    REPLACE = "replace"
    MERGE = "merge"


CHAIN_EXAMPLE: JsonDict = {
    "format": "obligraph/chain@1",
    "name": "HR platform",
    "catalog": "meti-2011",
    "requirement": "declared",
    "nodes": [
        {"id": "acme-compute", "layer": "iaas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
        {"id": "hr-saas", "layer": "saas"},
    ],
    "edges": [{"provider": "acme-compute", "consumer": "hr-saas"}],
}


class ImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "workspace": "demo",
                    "mode": "replace",
                    "revision": 3,
                    "nodes": 2,
                    "edges": 1,
                    "nodes_added": 2,
                    "nodes_updated": 0,
                    "edges_added": 1,
                    "edges_updated": 0,
                    "warnings": [],
                }
            ]
        }
    )

    workspace: str
    mode: ImportMode
    revision: int
    nodes: int
    edges: int
    nodes_added: int
    nodes_updated: int
    edges_added: int
    edges_updated: int
    warnings: list[ErrorDetail] = Field(
        default=[],
        description="What the stored chain allows but the analysis corrects (a not_applicable declaration"
        " for a control a consumer relies on counts as unknown), each with its place and the fix.",
    )


CAIQ_EXAMPLE = (
    "Question ID,CSP CAIQ Answer,SSRM Control Ownership,CSP Implementation Description (Optional/Recommended),"
    "CSC Responsibilities (Optional/Recommended),CCM Control ID\n"
    "BCR-08.1,Yes,Shared CSP and CSC,Daily snapshots kept 35 days,Customers back up their own data,BCR-08\n"
    "LOG-06.1,Yes,CSP-owned,NTP from two stratum-1 sources,,LOG-06\n"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CaiqUnmapped(BaseModel):
    control: str
    title: str | None = None
    questions: list[str]
    rows: list[int]
    reason: str


class CaiqUnanswered(BaseModel):
    question: str
    row: int


class CaiqResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "workspace": "demo",
                    "node": "acme-compute",
                    "revision": 4,
                    "declarations": 12,
                    "added": 9,
                    "updated": 3,
                    "questions": 20,
                    "unmapped": [
                        {
                            "control": "DSP-07",
                            "title": "Data Protection by Design and Default",
                            "questions": ["DSP-07.1"],
                            "rows": [88],
                            "reason": "CCM DSP-07 has no counterpart in ISO/IEC 27002:2005",
                        }
                    ],
                    "unanswered": [{"question": "IAM-02.1", "row": 97}],
                }
            ]
        }
    )

    workspace: str
    node: str
    revision: int
    declarations: int
    added: int
    updated: int
    questions: int
    unmapped: list[CaiqUnmapped]
    unanswered: list[CaiqUnanswered]
