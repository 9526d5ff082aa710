"""The incident library used by what-if and impact."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from obligraph.graph.analysis import load_incidents

router = APIRouter(prefix="/incidents", tags=["catalogs"])

INCIDENT_EXAMPLE = {
    "id": "paas-outage",
    "title": "PaaS outage",
    "year": 2011,
    "provider_kind": "paas",
    "controls": ["14.1.1"],
    "impact": {"kind": "outage"},
}


@router.get(
    "",
    summary="List the incidents",
    responses={200: {"content": {"application/json": {"example": {"items": [INCIDENT_EXAMPLE], "next": None}}}}},
)
def list_incidents() -> Any:
    """Past cloud incidents, each mapped to the controls it exercises and its impact kind."""
    incidents = load_incidents()
    return {"items": [incident.model_dump(mode="json", exclude_none=True) for incident in incidents], "next": None}
