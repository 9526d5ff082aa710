"""node-link JSON for D3 and networkx: ``networkx.node_link_data`` over the flat graph.

The edge list's key is ``edges`` (networkx 3.4 and later read and write that by default); with
``links=True`` it is ``links``, the key D3 examples and older networkx (``node_link_graph(data)``
before 3.4, or ``edges="links"`` today) expect. The file is otherwise the same.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import networkx as nx

from obligraph.graph.chain import Chain
from obligraph.graph.formats.flat import flat_graph

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis


def write(chain: Chain, analysis: Analysis | None = None, *, links: bool = False) -> str:
    data = nx.node_link_data(flat_graph(chain, analysis), edges="links" if links else "edges")
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
