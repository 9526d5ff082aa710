"""A standalone HTML map: one file that opens offline, with the vendored vis-network inlined.

Safety: the chain travels as JSON in ``<script type="application/json">`` with ``<``, ``>``, ``&``
and U+2028/2029 escaped, and the page's script sets names and tooltips as text (``textContent``;
vis-network 9 treats string titles as text); nothing from the chain is ever parsed as HTML. A
Content-Security-Policy forbids every network request, so the file also cannot leak what it shows.

Large chains are not drawn unbounded: above ``limit`` nodes, pass ``focus`` (a node id) and
``depth`` to draw that node's neighbourhood.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.formats._common import GAP_KINDS, gap_counts, hex_colour
from obligraph.graph.formats._templates import environment, inline_asset, json_for_script, vis_network_dir
from obligraph.graph.palette import GAP_STATE_COLOURS, LAYER_ORDER, gap_state

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis

LIMIT = 2000


def write(
    chain: Chain, analysis: Analysis | None = None, *, focus: str | None = None, depth: int = 2, limit: int = LIMIT
) -> str:
    shown = _chosen_nodes(chain, focus, depth, limit)
    counts = gap_counts(analysis) if analysis is not None else {}
    nodes = []
    for doc in chain.node_documents():
        node_id = doc["id"]
        if node_id not in shown:
            continue
        gaps = counts.get(node_id, {})
        nodes.append(
            {
                "id": node_id,
                "label": doc.get("name", node_id),
                "layer": doc["layer"],
                "org": doc.get("org"),
                "level": LAYER_ORDER.index(doc["layer"]),
                "colour": hex_colour(doc["layer"]),
                "declared": len(doc.get("declarations", [])),
                "gaps": gaps.get("gaps"),
                "origin": gaps.get("gaps_origin", 0) + gaps.get("gaps_mixed", 0) + gaps.get("gaps_circular", 0),
                "state": gap_state(kind for kind in GAP_KINDS if gaps.get(f"gaps_{kind}")),
            }
        )
    edges = [
        {"from": u, "to": v, "criticality": chain.graph.edges[u, v]["criticality"]}
        for u, v in chain.edges()
        if u in shown and v in shown
    ]
    for edge in edges:
        if edge["criticality"] is not None:
            edge["criticality"] = edge["criticality"].value
    data = {
        "name": chain.name,
        "analysed": analysis is not None,
        "as_of": analysis.as_of.isoformat() if analysis is not None else None,
        "nodes": nodes,
        "edges": edges,
        "focus": focus,
        "hidden": len(chain) - len(nodes),
        "states": GAP_STATE_COLOURS,  # the app's palette, so the export reads like the map
    }
    vis = vis_network_dir()
    return (
        environment()
        .get_template("map.html.j2")
        .render(
            title=chain.name,
            data=json_for_script(data),
            vis_js=inline_asset(vis / "vis-network.min.js"),
            vis_css=inline_asset(vis / "vis-network.min.css"),
            map_js=inline_asset(_asset("map.js")),
            layers=[(layer, hex_colour(layer)) for layer in LAYER_ORDER],
            analysed=analysis is not None,
        )
    )


def _chosen_nodes(chain: Chain, focus: str | None, depth: int, limit: int) -> set[str]:
    if focus is None:
        if len(chain) > limit:
            raise ChainError(
                f"the chain has {len(chain):,} nodes, more than the map draws at once ({limit:,});"
                " pass focus=<node id> (and depth) to map one node's neighbourhood, or export GEXF for Gephi"
            )
        return set(chain.graph.nodes)
    if focus not in chain:
        raise ChainError.at(("focus",), f"there is no node '{focus}' to focus on")
    around = nx.single_source_shortest_path_length(chain.graph.to_undirected(as_view=True), focus, cutoff=depth)
    if len(around) > limit:
        raise ChainError(
            f"'{focus}' has {len(around):,} nodes within depth {depth}, over {limit:,}; use a smaller depth"
        )
    return set(around)


def _asset(name: str) -> Path:
    return Path(__file__).parent / "templates" / name
