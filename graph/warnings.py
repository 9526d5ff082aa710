"""Edit warnings: things a chain allows but that are probably mistakes, each with its fixes.

They are warnings, not errors (the analysis handles all of them), shown next to the edit that
made them with a one-click fix:

* ``upside_down``: an edge from a higher layer to a lower one (a customer providing to an IaaS).
  Fixes: reverse it, remove it.
* ``cycle``: an edge that closes a loop of dependencies. Real chains have loops (a data centre
  whose access control runs on a SaaS racked in it), so the only fix offered is removing it.
* ``verified_unassured``: a ``verified`` declaration with no evidence that assures it on the
  analysis date (the analysis engine's rule, ``obligraph.graph.evidence.assess``); it counts as
  ``declared``. ``reasons`` says why each item falls short ("expired 2025-02-28", "internal
  audit", "outside the evidence's scope" ...). Fix: declare it ``declared``.
* ``expiring``: assuring evidence that lapses within ``SOON_DAYS`` of the analysis date. Fix:
  edit the evidence (no automatic fix: only the user knows the new dates).

Each warning is data (kind, place, facts, fixes); the surfaces put it in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from obligraph.graph.chain import Chain
from obligraph.graph.evidence import SOON_DAYS, assess
from obligraph.graph.lattice import Layer, Status

LAYER_RANK = {layer: rank for rank, layer in enumerate(Layer)}


@dataclass(frozen=True)
class Fix:
    """One click that removes the warning: ``op`` and what it needs."""

    op: str  # remove_edge | reverse_edge | set_status | edit_evidence
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EditWarning:
    kind: str  # upside_down | cycle | verified_unassured | expiring
    node: str  # the node the warning belongs to (the consumer of an edge)
    facts: dict[str, Any]
    fixes: tuple[Fix, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "node": self.node,
            **self.facts,
            "fixes": [{"op": f.op, **f.args} for f in self.fixes],
        }


def edit_warnings(chain: Chain, as_of: date, *, nodes: Iterable[str] | None = None) -> list[EditWarning]:
    """The warnings about ``nodes`` (their declarations and every edge that touches them); all nodes by default."""
    wanted = chain.node_ids() if nodes is None else [n for n in dict.fromkeys(nodes) if n in chain]
    component = _components(chain)
    incoming, outgoing = chain.edges_touching(set(wanted))
    warnings: list[EditWarning] = []
    seen_edges: set[tuple[str, str]] = set()
    for node in wanted:
        for provider, consumer in [*incoming.get(node, ()), *outgoing.get(node, ())]:
            if (provider, consumer) in seen_edges:
                continue
            seen_edges.add((provider, consumer))
            warnings += _edge_warnings(chain, provider, consumer, component)
        warnings += _declaration_warnings(chain, node, as_of)
    return warnings


def _components(chain: Chain) -> dict[str, int]:
    """Node -> its strongly connected component, for nodes on a loop; an edge inside one component
    closes a loop. Read from the compiled chain (cached per revision), not from networkx."""
    compiled = chain.compiled()
    structure = compiled.structure
    looped = np.flatnonzero(structure.in_cycle).tolist()
    labels = structure.component[looped].tolist()
    return {compiled.node_ids[i]: label for i, label in zip(looped, labels)}


def _edge_warnings(chain: Chain, provider: str, consumer: str, component: dict[str, int]) -> list[EditWarning]:
    import networkx as nx  # imported on use: the commands that only analyse a file never need it

    found = []
    edge = {"provider": provider, "consumer": consumer}
    upper, lower = chain.node(provider).layer, chain.node(consumer).layer
    if LAYER_RANK[upper] > LAYER_RANK[lower]:
        found.append(
            EditWarning(
                "upside_down",
                consumer,
                {**edge, "provider_layer": upper.value, "consumer_layer": lower.value},
                (Fix("reverse_edge", edge), Fix("remove_edge", edge)),
            )
        )
    here = component.get(provider)
    if here is not None and component.get(consumer) == here:
        loop = nx.shortest_path(chain.graph, consumer, provider)  # consumer ... provider, then the edge back
        found.append(EditWarning("cycle", consumer, {**edge, "loop": [*loop, consumer]}, (Fix("remove_edge", edge),)))
    return found


def _declaration_warnings(chain: Chain, node: str, as_of: date) -> list[EditWarning]:
    found = []
    soon = as_of + timedelta(days=SOON_DAYS)
    for control, declaration in chain.declarations(node).items():
        place = {"node": node, "control": control}
        checks = [(item, assess(item, control, as_of)) for item in declaration.evidence]
        assuring = [(item, check) for item, check in checks if check.assures]
        if declaration.status is Status.VERIFIED and not assuring:
            reasons = list(dict.fromkeys(check.reason for _, check in checks))
            found.append(
                EditWarning(
                    "verified_unassured",
                    node,
                    {"control": control, "reasons": reasons},
                    (Fix("set_status", {**place, "status": Status.DECLARED.value}), Fix("edit_evidence", place)),
                )
            )
        for item, check in assuring:
            if check.lapses is not None and check.lapses <= soon:
                found.append(
                    EditWarning(
                        "expiring",
                        node,
                        {
                            "control": control,
                            "ref": item.ref,
                            "lapses": check.lapses.isoformat(),
                            "days": (check.lapses - as_of).days,
                        },
                        (Fix("edit_evidence", place),),
                    )
                )
    return found
