"""What-if and impact: apply changes to a copy of the chain and report the gap diff.

>>> from obligraph.graph.chain import Chain
>>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo", "controls": ["10.5.1"],
...     "nodes": [{"id": "iaas", "layer": "iaas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
...               {"id": "app", "layer": "saas", "declarations": [{"control": "10.5.1", "status": "declared"}]}],
...     "edges": [{"provider": "iaas", "consumer": "app"}]})
>>> diff = what_if(chain, [{"op": "set_status", "node": "iaas", "status": "partial"}], as_of="2026-01-01")
>>> [(g["node"], g["kind"]) for g in diff["opened"]]
[('iaas', 'origin'), ('app', 'inherited')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from obligraph.graph.analysis.result import Analysis, GapDict, analyze
from obligraph.graph.chain import Chain
from obligraph.graph.crosswalk import ControlIdError, resolve_control_ids
from obligraph.graph.errors import ChainError
from obligraph.graph.incidents import get_incident, load_incidents
from obligraph.graph.lattice import Status
from obligraph.graph.schema import Declaration


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SetStatus(_Change):
    """Degrade or improve a node's declarations (all analysed controls when ``controls`` is omitted)."""

    op: Literal["set_status"]
    node: str
    status: Status
    controls: list[str] | None = None


class RemoveNode(_Change):
    op: Literal["remove_node"]
    node: str


class RemoveEdge(_Change):
    op: Literal["remove_edge"]
    provider: str
    consumer: str


class ApplyIncident(_Change):
    op: Literal["apply_incident"]
    node: str
    incident: str


Change = Annotated[SetStatus | RemoveNode | RemoveEdge | ApplyIncident, Field(discriminator="op")]
_changes = TypeAdapter(list[Change])


class GapBefore(TypedDict):
    effective: str
    kind: str
    orphaned: bool


class ChangedGap(GapDict):
    """A gap present before and after the change whose status, kind or orphaned flag moved."""

    before: GapBefore


class DiffSummary(TypedDict):
    gaps_before: int
    gaps_after: int
    opened: int
    closed: int
    changed: int
    affected_nodes: int


class GapDiff(TypedDict):
    """What a what-if or impact answers: the changes applied and the gaps they opened, closed and changed."""

    changes: list[dict[str, Any]]  # each change as pydantic's model_dump gives it
    requirement: str
    as_of: str
    summary: DiffSummary
    opened: list[GapDict]
    closed: list[GapDict]
    changed: list[ChangedGap]
    removed_nodes: list[str]
    affected_nodes: list[str]


def parse_changes(changes: Iterable[Any]) -> list[Change]:
    try:
        return _changes.validate_python([c.model_dump() if isinstance(c, BaseModel) else c for c in changes])
    except ValidationError as exc:
        raise ChainError.from_validation(exc, prefix=("changes",)) from None


def what_if(
    chain: Chain,
    changes: Iterable[Any],
    *,
    requirement: Status | str | None = None,
    as_of: date | str | None = None,
    controls: Iterable[str] | None = None,
    cloud_guidance_only: bool = False,
    before: Analysis | None = None,
) -> GapDiff:
    """Gaps opened, closed and changed by ``changes``, and the nodes affected (the analysis parameters
    are ``analyze``'s)."""
    parsed = parse_changes(changes)
    if before is None:
        before = analyze(
            chain, requirement=requirement, as_of=as_of, controls=controls, cloud_guidance_only=cloud_guidance_only
        )
    changed_chain = chain.copy()
    outage_reach: set[str] = set()
    for index, change in enumerate(parsed):
        outage_reach |= _apply(changed_chain, change, index, before.controls)
    after = analyze(changed_chain, requirement=before.requirement, as_of=before.as_of, controls=before.controls)
    return gap_diff(before, after, extra_affected=outage_reach, changes=parsed)


def impact(chain: Chain, *, provider: str, incident: str | None = None, **params: Any) -> GapDiff:
    """What breaks downstream if ``provider`` suffers ``incident`` (or, without one, disappears)."""
    if incident is None:
        change: dict[str, str] = {"op": "remove_node", "node": provider}
    else:
        change = {"op": "apply_incident", "node": provider, "incident": incident}
    return what_if(chain, [change], **params)


def gap_diff(
    before: Analysis, after: Analysis, *, extra_affected: Set[str] = frozenset(), changes: Sequence[Change] = ()
) -> GapDiff:
    old = {(g.node, g.control): g for g in before.gaps()}
    new = {(g.node, g.control): g for g in after.gaps()}
    removed_nodes = set(before.compiled.node_ids) - set(after.compiled.node_ids)
    opened = [after.gap_dict(new[key]) for key in new if key not in old]
    closed = [
        before.gap_dict(old[key], root_causes=False) for key in old if key not in new and key[0] not in removed_nodes
    ]
    changed: list[ChangedGap] = [
        {
            **after.gap_dict(new[key]),
            "before": {"effective": old[key].effective.value, "kind": old[key].kind, "orphaned": old[key].orphaned},
        }
        for key in new
        if key in old
        and (old[key].effective, old[key].kind, old[key].orphaned)
        != (new[key].effective, new[key].kind, new[key].orphaned)
    ]
    affected = {g["node"] for g in opened + closed + changed} | (extra_affected - removed_nodes)
    order = {node: i for i, node in enumerate(before.compiled.node_ids)}
    return {
        "changes": [c.model_dump(mode="json", exclude_none=True) for c in changes],
        "requirement": before.requirement.value,
        "as_of": before.as_of.isoformat(),
        "summary": {
            "gaps_before": before.gap_count,
            "gaps_after": after.gap_count,
            "opened": len(opened),
            "closed": len(closed),
            "changed": len(changed),
            "affected_nodes": len(affected),
        },
        "opened": opened,
        "closed": closed,
        "changed": changed,
        "removed_nodes": sorted(removed_nodes, key=order.__getitem__),  # removed nodes were all in before
        "affected_nodes": sorted(affected, key=lambda n: order.get(n, len(order))),
    }


def _apply(chain: Chain, change: Change, index: int, analysed: list[str]) -> set[str]:
    import networkx as nx  # imported on use: the commands that only analyse a file never need it

    place = ("changes", index)
    node = getattr(change, "node", None)
    if node is not None and node not in chain:
        raise ChainError.at((*place, "node"), f"there is no node '{node}' in this chain")
    if isinstance(change, SetStatus):
        _set_status(chain, change.node, change.controls or analysed, change.status, place)
    elif isinstance(change, RemoveNode):
        chain.remove_node(change.node)
    elif isinstance(change, RemoveEdge):
        if not chain.graph.has_edge(change.provider, change.consumer):
            raise ChainError.at(place, f"there is no edge {change.provider} -> {change.consumer}")
        chain.remove_edge(change.provider, change.consumer)
    else:
        incident = get_incident(change.incident)
        if incident is None:
            known = ", ".join(i.id for i in load_incidents())
            raise ChainError.at((*place, "incident"), f"'{change.incident}' is not a known incident (known: {known})")
        controls, status = incident.degraded_controls()
        _set_status(chain, change.node, controls, status, place)
        if incident.impact.kind == "outage":
            return set(nx.descendants(chain.graph, change.node))
    return set()


def _set_status(chain: Chain, node: str, controls: Iterable[str], status: Status, place: tuple[str | int, ...]) -> None:
    try:  # typed ids (27002:2022/8.13) name the catalog controls they map to
        controls = resolve_control_ids(controls, chain.catalog)
    except ControlIdError as exc:
        raise ChainError.at((*place, "controls"), str(exc)) from None
    for control in controls:
        current = chain.declarations(node).get(control)
        if current is None:
            chain.declare(node, Declaration(control=control, status=status))
        else:
            chain.declare(node, replace(current, status=status))
