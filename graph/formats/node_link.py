"""node-link JSON for D3 and networkx: ``networkx.node_link_data(G, edges="edges")`` over the flat graph."""

from __future__ import annotations

import json

import networkx as nx

from obligraph.graph.chain import Chain
from obligraph.graph.formats.flat import flat_graph


def write(chain: Chain, analysis=None) -> str:
    data = nx.node_link_data(flat_graph(chain, analysis), edges="edges")
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
