"""Node, edge and declaration requests and responses.

Creating uses the chain@1 models themselves (``obligraph.graph.schema``), so an API body and an
item of an imported document are the same thing; updates take only the fields that change.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from obligraph.app.schemas.common import Input, NotNull
from obligraph.graph.lattice import Criticality, EvidenceKind, Independence, Layer, Responsibility, Status
from obligraph.graph.schema import ControlId, Evidence, ShortText, Text

EVIDENCE_EXAMPLE: JsonDict = {
    "kind": "certification",
    "ref": "ISO/IEC 27001 cert 1234",
    "issued": "2025-04-01",
    "expires": "2028-03-31",
}
DECLARATION_EXAMPLE: JsonDict = {"control": "10.5.1", "status": "verified", "evidence": [EVIDENCE_EXAMPLE]}
NODE_EXAMPLE: JsonDict = {
    "id": "acme-compute",
    "name": "Acme Compute",
    "layer": "iaas",
    "org": "Acme Corp",
    "declarations": [DECLARATION_EXAMPLE],
}
EDGE_EXAMPLE: JsonDict = {
    "provider": "acme-compute",
    "consumer": "hr-saas",
    "responsibility": {"10.5.1": "shared"},
    "criticality": "high",
}


class EvidenceOut(BaseModel):
    kind: EvidenceKind
    ref: str
    issued: date | None = None
    expires: date | None = None
    independence: Independence | None = None
    scope: list[str] | None = None
    url: str | None = None
    notes: str | None = None
    assures: bool | None = Field(
        default=None, description="Whether the item assures the declaration's control on as_of (default today)."
    )
    reason: str | None = Field(
        default=None,
        description="Why it does or does not: 'in force until 2028-03-31', 'expired ...', 'internal audit' ...",
    )
    in_force_until: date | None = Field(default=None, description="Its last day in force, when it has one.")


class DeclarationOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DECLARATION_EXAMPLE]})

    control: str
    status: Status
    evidence: list[EvidenceOut] = []
    assigns: Responsibility | None = None
    notes: str | None = None


class DeclarationPut(Input):
    """A whole declaration for the control named in the path (created or replaced)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "declared", "assigns": "customer"}]})

    status: Status
    evidence: list[Evidence] = Field(default=[], max_length=1000)
    assigns: Responsibility | None = None
    notes: Text | None = None


class DeclarationUpdate(Input):
    """Only the fields sent change; send null to clear assigns or notes."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "partial"}]})

    status: NotNull[Status] = None
    evidence: list[Evidence] | None = Field(default=None, max_length=1000)
    assigns: Responsibility | None = None
    notes: Text | None = None


class NodeOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [NODE_EXAMPLE]})

    id: str
    name: str | None = None
    layer: Layer
    org: str | None = None
    description: str | None = None
    declarations: list[DeclarationOut] = []


class NodeUpdate(Input):
    """Only the fields sent change; declarations have their own routes."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Acme Compute (EU)", "org": "Acme GmbH"}]})

    name: ShortText | None = None
    layer: NotNull[Layer] = None
    org: ShortText | None = None
    description: Text | None = None


class EdgeOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EDGE_EXAMPLE]})

    provider: str
    consumer: str
    responsibility: dict[str, Responsibility] = {}
    criticality: Criticality | None = None
    notes: str | None = None


class EdgeUpdate(Input):
    """Only the fields sent change; ``responsibility`` replaces the whole override map."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"responsibility": {"10.5.1": "customer"}}]})

    responsibility: dict[ControlId, Responsibility] | None = Field(default=None, max_length=10_000)
    criticality: Criticality | None = None
    notes: Text | None = None
