"""Cytoscape JSON (.cyjs) for Cytoscape desktop and Cytoscape.js: ``networkx.cytoscape_data`` plus ids and positions.

Cytoscape reads a node's ``position`` beside its ``data``; y grows downwards on screen, so the layered
positions are flipped to keep customers at the top and infra at the bottom. ``data.name`` is the
node's name when it has one (networkx's rule), else its id. Every edge has ``data.id``
``provider->consumer`` (node ids cannot contain ``>``, so it never collides with a node's id), and
the chain's own fields are the top-level ``data`` object, as Cytoscape.js's ``cy.json()`` keeps them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import networkx as nx

from obligraph.graph.chain import Chain
from obligraph.graph.formats._common import hex_colour
from obligraph.graph.formats._layout import layer_positions
from obligraph.graph.formats.flat import flat_graph

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis


def edge_id(provider: str, consumer: str) -> str:
    return f"{provider}->{consumer}"


def write(chain: Chain, analysis: Analysis | None = None) -> str:
    graph = flat_graph(chain, analysis)
    positions = layer_positions(graph)
    data = nx.cytoscape_data(graph)
    data["data"] = dict(graph.graph)
    for element in data["elements"]["nodes"]:
        node = element["data"]["value"]
        x, y = positions[node]
        element["position"] = {"x": x, "y": -y}
        element["data"]["colour"] = hex_colour(graph.nodes[node]["layer"])
    for element in data["elements"]["edges"]:
        edge = element["data"]
        element["data"] = {"id": edge_id(edge["source"], edge["target"]), **edge}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
