"""Where the map's nodes go: one row per layer (infra at the bottom), and the nodes around a focus node."""

from __future__ import annotations

import networkx as nx

from obligraph.graph.lattice import Layer

LAYER_ORDER = [layer.value for layer in Layer]  # infra ... customer, bottom to top
ROW_HEIGHT = 220.0
COLUMN_WIDTH = 90.0


def layered_positions(graph: nx.DiGraph, layer_of: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Screen positions: one row per layer (infra at the bottom, customers on top), computed with
    ``networkx.multipartite_layout`` and stretched so a wide row keeps its nodes apart."""
    rows: dict[int, list[str]] = {}
    for node in graph.nodes:
        rows.setdefault(LAYER_ORDER.index(layer_of[node]), []).append(node)
    if not rows:
        return {}
    if len(rows) == 1:  # multipartite_layout needs two subsets to spread the rows; one row is a line
        (only,) = rows.values()
        return {node: ((i - (len(only) - 1) / 2) * COLUMN_WIDTH, 0.0) for i, node in enumerate(only)}
    layout = nx.multipartite_layout(graph, subset_key=rows, align="horizontal", scale=1.0)
    widest = max(len(nodes) for nodes in rows.values())
    xs = [float(x) for x, _ in layout.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    width = max(1.0, widest - 1) * COLUMN_WIDTH
    # Rows by rank, not by multipartite's y, so the spacing is the same with any number of rows;
    # a wide chain gets taller rows, or fitting it to the screen would flatten it into lines.
    row_height = max(ROW_HEIGHT, width / 5)
    return {
        node: (float(layout[node][0]) / span_x * width, -rank * row_height)
        for rank, nodes in rows.items()
        for node in nodes
    }


def neighbourhood(graph: nx.DiGraph, start: str, depth: int, limit: int) -> tuple[list[str], bool]:
    """Nodes within ``depth`` edges of ``start`` (providers and consumers alike), breadth first, at most ``limit``."""
    seen = {start: 0}
    queue = [start]
    for node in queue:  # the list grows while it is walked: a breadth-first search
        if seen[node] == depth:
            continue
        for other in list(graph.predecessors(node)) + list(graph.successors(node)):
            if other not in seen:
                if len(seen) >= limit:
                    return list(seen), True
                seen[other] = seen[node] + 1
                queue.append(other)
    return list(seen), False
