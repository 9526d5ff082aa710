"""Positions for graph tools: ``networkx.multipartite_layout`` with one row per layer, infra at the bottom.

The layer rows are keyed by their rank (infra 0 ... customer 4) because multipartite_layout sorts
the subsets by key, and names would sort alphabetically. Coordinates are mathematical (y grows
upwards, as Gephi draws them); screen formats (Cytoscape, vis-network) flip y.
"""

from __future__ import annotations

import networkx as nx

from obligraph.graph.palette import LAYER_ORDER

SCALE = 1000.0


def layer_positions(graph: nx.Graph[str], *, scale: float = SCALE) -> dict[str, tuple[float, float]]:
    """``{node: (x, y)}`` from the ``layer`` attribute of each node."""
    rows: dict[int, list[str]] = {}
    for node, layer in graph.nodes(data="layer"):
        rows.setdefault(LAYER_ORDER.index(str(layer)), []).append(node)
    if not rows:
        return {}
    positions = nx.multipartite_layout(graph, subset_key=rows, align="horizontal", scale=scale)
    return {node: (float(x), float(y)) for node, (x, y) in positions.items()}
