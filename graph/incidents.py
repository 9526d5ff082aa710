"""The incident library (``seed_data/incidents.yaml``): past cloud incidents mapped to controls.

Each incident has an impact model used by what-if analysis: an ``outage`` takes the service away
from everything downstream; a ``degrade`` drops the listed controls of the node it hits. The
``controls`` of an incident are the ones the guideline's table names plus those through which the
failure reaches the provider's consumers (``mapping_note`` says which were added and why): an
incident that touched only controls every consumer does for itself would open no gap downstream.

>>> sorted(i.id for i in load_incidents())[:3]
['dns-ddos', 'hosting-data-loss', 'mobile-data-loss']
>>> get_incident("paas-outage").layer_warning("saas")
"incident 'paas-outage' happened to a paas provider; applied to a saas node its controls may not fit"
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Literal, TypedDict

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from obligraph.graph.lattice import Layer, Status


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Outage(_Strict):
    kind: Literal["outage"]


class Degrade(_Strict):
    kind: Literal["degrade"]
    controls: list[str] = Field(min_length=1)
    status: Literal[Status.NOT_IMPLEMENTED, Status.UNKNOWN, Status.PARTIAL]


class IncidentSummary(TypedDict):
    """What :meth:`Incident.describe` gives the impact page and API."""

    id: str
    title: str
    year: int
    month: int | None
    provider_kind: str
    description: str
    controls: list[str]
    mapping_note: str | None
    impact: Literal["outage", "degrade"]


class Incident(_Strict):
    id: str
    title: str
    year: int
    month: int | None = None
    provider_kind: Layer
    description: str
    risk_area: Literal["network", "process", "data_security", "continuity_legal"]
    controls: list[str] = Field(min_length=1)
    mapping_note: str | None = None
    impact: Outage | Degrade = Field(discriminator="kind")

    def layer_warning(self, layer: Layer | str) -> str | None:
        """A warning when the incident is applied to a node of another layer than the provider it happened to."""
        layer = Layer(layer)
        if layer is self.provider_kind:
            return None
        return (
            f"incident '{self.id}' happened to a {self.provider_kind.value} provider; "
            f"applied to a {layer.value} node its controls may not fit"
        )

    def describe(self) -> IncidentSummary:
        """What the impact page and API show about the incident: what happened, when, and to whom."""
        return {
            "id": self.id,
            "title": self.title,
            "year": self.year,
            "month": self.month,
            "provider_kind": self.provider_kind.value,
            "description": self.description,
            "controls": list(self.controls),
            "mapping_note": self.mapping_note,
            "impact": self.impact.kind,
        }

    def degraded_controls(self) -> tuple[list[str], Status]:
        """Which of the hit node's controls drop, and to what: an outage fails the controls it exercises."""
        if isinstance(self.impact, Degrade):
            return list(self.impact.controls), self.impact.status
        return list(self.controls), Status.NOT_IMPLEMENTED


class IncidentLibrary(_Strict):
    format: Literal["obligraph/incidents@1"]
    incidents: list[Incident]


def incidents_path() -> Path:
    return Path(str(resources.files("obligraph") / "seed_data" / "incidents.yaml"))


@functools.lru_cache(maxsize=4)
def load_incidents(path: str | None = None) -> tuple[Incident, ...]:
    raw = yaml.safe_load(Path(path or incidents_path()).read_text(encoding="utf-8"))
    return tuple(TypeAdapter(IncidentLibrary).validate_python(raw).incidents)


def get_incident(incident_id: str) -> Incident | None:
    return next((i for i in load_incidents() if i.id == incident_id), None)
