"""Single points of failure and provider concentration, over all edges (any dependency counts).

>>> from obligraph.graph.chain import Chain
>>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo",
...     "nodes": [{"id": "dc", "layer": "infra"}, {"id": "a", "layer": "iaas"}, {"id": "b", "layer": "iaas"},
...               {"id": "app", "layer": "saas"}, {"id": "hr", "layer": "customer"}],
...     "edges": [{"provider": "dc", "consumer": "a"}, {"provider": "dc", "consumer": "b"},
...               {"provider": "a", "consumer": "app"}, {"provider": "b", "consumer": "app"},
...               {"provider": "app", "consumer": "hr"}]})
>>> single_points_of_failure(chain)["dominators"]["hr"]
['app', 'dc']
"""

from __future__ import annotations

from typing import TypedDict

from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Layer

_ROOT = object()


class ProviderConcentration(TypedDict):
    """How many nodes, and what share of the customers, depend on one provider transitively."""

    provider: str
    layer: str
    dependents: int
    customers: int
    share: float


class SinglePointsOfFailure(TypedDict):
    dominators: dict[str, list[str]]  # node -> the providers every dependency path to it passes, nearest first
    concentration: list[ProviderConcentration]


def single_points_of_failure(chain: Chain) -> SinglePointsOfFailure:
    """For each node, the providers every dependency path to it passes through (nearest first),
    and for each provider the share of customers that depend on it transitively."""
    import networkx as nx  # imported on use: the commands that only analyse a file never need it

    graph = chain.graph
    rooted: nx.DiGraph[object] = nx.DiGraph()
    rooted.add_nodes_from(graph.nodes)
    rooted.add_edges_from(graph.edges)
    condensation = nx.condensation(graph)
    for component in condensation.nodes:
        if condensation.in_degree(component) == 0:
            for member in condensation.nodes[component]["members"]:
                rooted.add_edge(_ROOT, member)
    idom = nx.immediate_dominators(rooted, _ROOT)
    dominators: dict[str, list[str]] = {}
    for node in graph.nodes:
        chain_up = []
        current = idom.get(node, _ROOT)
        while current is not _ROOT and current != node:
            chain_up.append(current)
            current = idom[current]
        dominators[node] = chain_up
    return {"dominators": dominators, "concentration": concentration(chain)}


def concentration(chain: Chain) -> list[ProviderConcentration]:
    """Providers ordered by the share of customer nodes (else all nodes) that depend on them transitively."""
    import networkx as nx  # imported on use: the commands that only analyse a file never need it

    graph = chain.graph
    customers = {n for n in graph.nodes if chain.layer(n) is Layer.CUSTOMER}
    population = customers or set(graph.nodes)
    rows: list[ProviderConcentration] = []
    for node in graph.nodes:
        if graph.out_degree(node) == 0:
            continue
        reach = nx.descendants(graph, node)
        covered = len((reach - {node}) & population)
        rows.append(
            {
                "provider": node,
                "layer": chain.layer(node).value,
                "dependents": len(reach - {node}),
                "customers": covered,
                "share": round(covered / len(population), 4) if population else 0.0,
            }
        )
    rows.sort(key=lambda row: (-row["share"], -row["dependents"], row["provider"]))
    return rows
