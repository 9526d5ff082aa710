"""Positions for graph tools: ``networkx.multipartite_layout`` with one row per layer, infra at the bottom.

The layer rows are keyed by their rank (infra 0 ... customer 4) because multipartite_layout sorts
the subsets by key, and names would sort alphabetically. Coordinates are mathematical (y grows
upwards, as Gephi draws them); screen formats (Cytoscape, vis-network) flip y.

Not the map's layout (``viz/layout.py``): these are starting positions for a tool that lays the
graph out again, so they need only the layer rows, for every node of the largest chain an export
streams. The map's band layout (label-width slots, organisations kept together, crossing reduction,
wrapped rows) draws at most the map's ``AGGREGATE_ABOVE`` nodes and grows much faster than linearly:
about 39 s at 10k nodes and 340 s at 30k against 3.4 s and 7.2 s here.
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
