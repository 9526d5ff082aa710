"""GEXF for Gephi: the flat attributes (see ``flat.py``) plus ``viz`` colour per layer and layered positions."""

from __future__ import annotations

import io

import networkx as nx

from obligraph.graph.chain import Chain
from obligraph.graph.formats._common import LAYER_COLOURS
from obligraph.graph.formats._layout import layer_positions
from obligraph.graph.formats.flat import flat_graph


def write(chain: Chain, analysis=None) -> bytes:
    graph = flat_graph(chain, analysis)
    positions = layer_positions(graph)
    for node, attrs in graph.nodes(data=True):
        r, g, b = LAYER_COLOURS[attrs["layer"]]
        x, y = positions[node]
        attrs["label"] = attrs.get("name", node)
        attrs["viz"] = {
            "color": {"r": r, "g": g, "b": b, "a": 1.0},
            "position": {"x": x, "y": y, "z": 0.0},
            "size": 10.0 + min(attrs.get("gaps", 0), 40),
        }
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, version="1.2draft")
    return buffer.getvalue()
