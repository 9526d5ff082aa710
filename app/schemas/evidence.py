"""The evidence watch list (``GET .../evidence``): items lapsing soon, or already not assuring."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from obligraph.app.schemas.analysis import GapOut
from obligraph.graph.lattice import EvidenceKind, Independence, Status

LAPSING_EXAMPLE: dict[str, Any] = {
    "node": "acme-compute",
    "control": "12.6.1",
    "title": "Control of technical vulnerabilities",
    "declared": "verified",
    "position": 0,
    "kind": "audit_report",
    "ref": "SOC 2 2025",
    "independence": "third_party",
    "scope": None,
    "issued": "2025-07-01",
    "expires": "2026-06-30",
    "in_force_until": "2026-06-30",
    "assures": True,
    "reason": "in force until 2026-06-30",
    "gaps_opened": [
        {
            "node": "acme-compute",
            "control": "12.6.1",
            "effective": "declared",
            "required": "verified",
            "kind": "origin",
            "orphaned": False,
        }
    ],
}
EVIDENCE_EXAMPLE: dict[str, Any] = {
    "requirement": "verified",
    "as_of": "2026-06-01",
    "expiring_within": 90,
    "revision": 7,
    "count": 1,
    "items": [LAPSING_EXAMPLE],
}


class LapsingEvidenceOut(BaseModel):
    """One evidence item: its assessment on ``as_of`` and the gaps that open when it lapses."""

    node: str
    control: str
    title: str = Field(description="The control's title in the catalog.")
    declared: Status = Field(description="The status the declaration states.")
    position: int = Field(description="The item's place in the declaration's evidence list, from 0.")
    kind: EvidenceKind
    ref: str
    independence: Independence
    scope: list[str] | None = Field(description="Control ids or prefixes the item covers; null covers every control.")
    issued: date | None
    expires: date | None
    in_force_until: date | None = Field(
        description="The last day the item is in force by the evidence rules (null when it never assures)."
    )
    assures: bool = Field(description="Whether it assures the control on as_of.")
    reason: str = Field(description="Why it does or does not assure: 'in force until ...', 'expired ...' and so on.")
    gaps_opened: list[GapOut] = Field(
        description="Gaps absent on as_of and present the day after it lapses, of which its node is a blocker."
    )


class EvidenceWatch(BaseModel):
    """Evidence lapsing within ``expiring_within`` days of ``as_of``, and verified declarations' evidence
    that already does not assure; already not assuring first, then by the day each lapses."""

    model_config = ConfigDict(json_schema_extra={"examples": [EVIDENCE_EXAMPLE]})

    requirement: Status
    as_of: date
    expiring_within: int
    revision: int
    count: int
    items: list[LapsingEvidenceOut]
