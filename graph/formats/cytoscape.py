"""Cytoscape JSON (.cyjs) for Cytoscape desktop and Cytoscape.js: ``networkx.cytoscape_data`` plus positions.

Cytoscape reads a node's ``position`` beside its ``data``; y grows downwards on screen, so the layered
positions are flipped to keep customers at the top and infra at the bottom. ``data.name`` is the
node's name when it has one (networkx's rule), else its id.
"""

from __future__ import annotations

import json

import networkx as nx

from obligraph.graph.chain import Chain
from obligraph.graph.formats._common import hex_colour
from obligraph.graph.formats._layout import layer_positions
from obligraph.graph.formats.flat import flat_graph


def write(chain: Chain, analysis=None) -> str:
    graph = flat_graph(chain, analysis)
    positions = layer_positions(graph)
    data = nx.cytoscape_data(graph)
    for element in data["elements"]["nodes"]:
        node = element["data"]["value"]
        x, y = positions[node]
        element["position"] = {"x": x, "y": -y}
        element["data"]["colour"] = hex_colour(graph.nodes[node]["layer"])
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
