"""The ``obligraph/chain@1`` document as pydantic models (validation only; see ``chain.py`` for the graph).

>>> doc = ChainDocument.model_validate({
...     "format": "obligraph/chain@1", "name": "demo",
...     "nodes": [{"id": "a", "layer": "iaas"}, {"id": "b", "layer": "saas"}],
...     "edges": [{"provider": "a", "consumer": "b"}]})
>>> doc.nodes[1].layer.value
'saas'
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from obligraph.graph.evidence import assess, assurance_window
from obligraph.graph.lattice import Criticality, EvidenceKind, Independence, Layer, Responsibility, Status

CHAIN_FORMAT = "obligraph/chain@1"

#: Node ids: slugs, with ':' and '@' allowed so that ids like ``aws:us-east-1`` survive.
NodeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
ControlId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


_INPUT_CONFIG = ConfigDict(extra="forbid", use_enum_values=False)


class _Input(BaseModel):
    model_config = ConfigDict(**_INPUT_CONFIG, frozen=True)


@pydantic_dataclass(frozen=True, slots=True, config=_INPUT_CONFIG)
class Evidence:
    """One evidence item of a declaration.

    A slotted pydantic dataclass rather than a model: a large chain holds one per verified
    declaration (200,000 at 100,000 nodes), and a model instance carries a ``__dict__`` and a
    set of the fields given, about 600 bytes, where this is about 140; it also validates three
    times as fast. It validates exactly as a model would (``extra`` forbidden, frozen); dump it with
    ``dump_item``, copy it with ``dataclasses.replace``.
    """

    kind: EvidenceKind
    ref: ShortText
    issued: date | None = None
    expires: date | None = None
    # None reads as third_party; kept None so a document round-trips without a field it did not have.
    independence: Independence | None = None
    # Control ids or clause/objective prefixes the item covers; None covers every control.
    scope: list[ControlId] | None = Field(default=None, min_length=1, max_length=1000)
    url: ShortText | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Evidence":
        if self.issued and self.expires and self.expires < self.issued:
            raise ValueError(f"expires ({self.expires}) is before issued ({self.issued}); swap or correct the dates")
        return self

    def assures(self, control: str, day: date) -> bool:
        """Whether this item assures ``control`` on ``day`` (see ``graph/evidence.py`` for the rule)."""
        return assess(self, control, day).assures


@pydantic_dataclass(frozen=True, slots=True, config=_INPUT_CONFIG)
class Declaration:
    """A node's declaration for one control: its status, the evidence, what it assigns downstream.

    A slotted pydantic dataclass, like ``Evidence`` and for the same reason (a large chain holds
    hundreds of thousands of the verified ones); plain ones are shared between nodes. Validate a
    mapping with ``parse_declaration``, dump with ``dump_item``, copy with ``dataclasses.replace``.
    """

    control: ControlId
    status: Status
    evidence: list[Evidence] = Field(default_factory=list)
    assigns: Responsibility | None = None
    notes: Text | None = None

    def status_on(self, day: date) -> Status:
        """The status this declaration counts as on ``day``: ``verified`` needs assuring evidence.

        (The not_applicable rule depends on the graph, so it is the analysis's, not the declaration's.)
        """
        if self.status is Status.VERIFIED and not any(item.assures(self.control, day) for item in self.evidence):
            return Status.DECLARED
        return self.status

    def assurance_windows(self) -> list[tuple[date, date]]:
        """The (first, last) day ranges on which some evidence item assures this declaration's control."""
        windows = (assurance_window(item, self.control) for item in self.evidence)
        return [window for window in windows if window is not None]


#: Field names in document order (what a model's ``model_fields`` would list).
EVIDENCE_FIELDS: tuple[str, ...] = tuple(field.name for field in dataclasses.fields(Evidence))
DECLARATION_FIELDS: tuple[str, ...] = tuple(field.name for field in dataclasses.fields(Declaration))
_DECLARATION: TypeAdapter[Declaration] = TypeAdapter(Declaration)
_ADAPTERS: dict[type, TypeAdapter[Any]] = {Evidence: TypeAdapter(Evidence), Declaration: _DECLARATION}


def dump_item(
    item: Evidence | Declaration, *, mode: Literal["json", "python"] = "json", exclude_none: bool = True
) -> dict[str, Any]:
    """An evidence item or a declaration as a mapping, as a model's ``model_dump`` would give it.

    >>> dump_item(Evidence(kind="certification", ref="ISO 27001", expires=date(2028, 3, 31)))
    {'kind': 'certification', 'ref': 'ISO 27001', 'expires': '2028-03-31'}
    >>> dump_item(Declaration(control="10.5.1", status=Status.DECLARED))
    {'control': '10.5.1', 'status': 'declared', 'evidence': []}
    """
    dumped: dict[str, Any] = _ADAPTERS[type(item)].dump_python(item, mode=mode, exclude_none=exclude_none)
    return dumped


def parse_declaration(value: Any) -> Declaration:
    """A declaration from a mapping (or the declaration itself); raises pydantic's ``ValidationError``."""
    return _DECLARATION.validate_python(value)


class Node(_Input):
    id: NodeId
    name: ShortText | None = None
    layer: Layer
    org: ShortText | None = None
    description: Text | None = None
    declarations: list[Declaration] = Field(default_factory=list)


class Edge(_Input):
    provider: NodeId
    consumer: NodeId
    responsibility: dict[ControlId, Responsibility] = Field(default_factory=dict)
    criticality: Criticality | None = None
    notes: Text | None = None


class ChainDocument(_Input):
    format: Literal["obligraph/chain@1"]
    name: ShortText
    description: Text | None = None
    catalog: ShortText = "meti-2011"
    requirement: Status | None = None
    controls: list[ControlId] | None = None
    nodes: list[Node] = Field(default_factory=list, max_length=5_000_000)
    edges: list[Edge] = Field(default_factory=list, max_length=50_000_000)
