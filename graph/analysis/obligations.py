"""Obligations of a provider: per control, who relies on it, directly and through delegating paths.

>>> from obligraph.graph.chain import Chain
>>> from obligraph.graph.analysis import analyze
>>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo", "controls": ["9.1.1"],
...     "nodes": [{"id": "dc", "layer": "infra"}, {"id": "iaas", "layer": "iaas"}, {"id": "app", "layer": "saas"}],
...     "edges": [{"provider": "dc", "consumer": "iaas"}, {"provider": "iaas", "consumer": "app"}]})
>>> [(o["control"], o["direct_consumers"], o["transitive_consumers"]) for o in obligations(analyze(chain), "dc")]
[('9.1.1', ['iaas'], 2)]
"""

from __future__ import annotations

from typing import TypedDict

from obligraph.graph.analysis.result import Analysis
from obligraph.graph.analysis.rootcause import reachable_over_delegation
from obligraph.graph.compiled import CUSTOMER
from obligraph.graph.errors import ChainError
from obligraph.graph.lattice import Status


class Obligation(TypedDict):
    """One control a provider owes: who relies on it, and what the catalog expects of it."""

    control: str
    title: str
    own: str
    effective: str
    meets_requirement: bool
    direct_consumers: list[str]
    transitive_consumers: int
    expectation: str | None


def obligations(analysis: Analysis, provider: str) -> list[Obligation]:
    """What ``provider`` owes, and to whom: one entry per analysed control that some consumer relies on it for."""
    compiled = analysis.compiled
    if provider not in compiled.node_index:
        raise ChainError.at(("provider",), f"there is no node '{provider}'")
    u = compiled.node_index[provider]
    s = compiled.structure
    out_edges = [int(s.order[p]) for p in s.out_pos[s.out_ptr[u] : s.out_ptr[u + 1]]]
    catalog = analysis.chain.catalog
    result: list[Obligation] = []
    for k, control in enumerate(analysis.controls):
        r = analysis._r(k)
        direct = [compiled.node_ids[compiled.dst[e]] for e in out_edges if r[e] != CUSTOMER]
        if not direct:
            continue
        transitive = reachable_over_delegation(compiled, r, u)
        result.append(
            {
                "control": control,
                "title": catalog[control].title,
                "own": Status.from_rank(analysis.own[u, k]).value,
                "effective": Status.from_rank(analysis.effective[u, k]).value,
                "meets_requirement": bool(analysis.own[u, k] >= analysis.requirement.rank),
                "direct_consumers": direct,
                "transitive_consumers": len(transitive),
                "expectation": catalog[control].provider_expectation,
            }
        )
    return result
