"""The map's data: a pyvis ``Network`` built from a chain and its analysis, handed out as plain dicts.

pyvis is used to assemble the vis-network node, edge and option data only. Its HTML output is
never used: ``heading``, ``select_menu`` and HTML titles are injected unescaped into its template,
and its "local" resources still pull from CDNs. The page embeds ``map_data()`` as JSON and draws
it with a locally served vis-network; tooltips are plain text (vis-network shows string titles
as text).

Above ``AGGREGATE_ABOVE`` nodes the graph is never drawn node by node: ``map_data`` returns one
node per (layer, organisation) group, with counts (at most ``GROUP_LIMIT`` groups: the smallest
organisations of a layer share one), so the browser never lays out an unbounded graph. Named
groups can be expanded into their member nodes, within the same limit (``_aggregated``).

The package by job: ``layout`` places nodes (layer bands wrapped into rows, a focus node's
neighbourhood), ``draw`` builds the node-by-node map through pyvis (attributes, gap states,
options) and ``groups`` builds the aggregated view; this module picks the view and re-exports
their public names. Colours and shapes come from ``obligraph.graph.palette``.

>>> from obligraph.graph.chain import Chain
>>> from obligraph.graph.analysis import analyze
>>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo", "controls": ["10.5.1"],
...     "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "app", "layer": "saas",
...               "declarations": [{"control": "10.5.1", "status": "declared"}]}],
...     "edges": [{"provider": "iaas", "consumer": "app"}]})
>>> data = map_data(chain, analyze(chain, as_of="2026-01-01"))
>>> [(n["id"], n["gap_state"]) for n in data["nodes"]]
[('iaas', 'origin'), ('app', 'inherited')]
>>> data["nodes"][0]["y"] > data["nodes"][1]["y"]  # screen y grows downwards: iaas below the app
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from obligraph.graph.analysis import Analysis
from obligraph.graph.chain import Chain
from obligraph.graph.palette import LAYER_ORDER, palette_json
from obligraph.graph.viz.draw import (
    GAP_BORDERS,
    KIND_LIST,
    LAYER_COLOURS,
    ORIGIN_KINDS,
    PHYSICS_UP_TO,
    _full,
    edge_id,
)
from obligraph.graph.viz.groups import (
    GROUP_LIMIT,
    Groups,
    UnknownGroup,
    _aggregated,
    group_edge_id,
    groups_of,
    org_group,
    rest_group,
)
from obligraph.graph.viz.layout import (
    COLUMN_WIDTH,
    ROW_HEIGHT,
    Placement,
    band_layout,
    layered_positions,
    neighbourhood,
)

__all__ = [
    "AGGREGATE_ABOVE",
    "COLUMN_WIDTH",
    "GAP_BORDERS",
    "GROUP_LIMIT",
    "KIND_LIST",
    "LABELS_AT_FIT_UP_TO",
    "LAYER_COLOURS",
    "LAYER_ORDER",
    "ORIGIN_KINDS",
    "PHYSICS_UP_TO",
    "ROW_HEIGHT",
    "Groups",
    "Placement",
    "UnknownGroup",
    "band_layout",
    "edge_id",
    "group_edge_id",
    "groups_of",
    "layered_positions",
    "map_data",
    "neighbourhood",
    "org_group",
    "rest_group",
]

#: Above this many nodes the map shows one node per (layer, org) group instead.
AGGREGATE_ABOVE = 1500
#: Up to this many nodes every label is readable at the first fit; above, labels appear as you zoom.
LABELS_AT_FIT_UP_TO = 150


def _control(chain: Chain, control: str) -> dict[str, Any]:
    entry = chain.catalog[control]
    item = {"id": control, "clause": entry.clause, "title": entry.title}
    if entry.title_ja:
        item["title_ja"] = entry.title_ja
    return item


def map_data(
    chain: Chain,
    analysis: Analysis,
    *,
    aggregate_above: int = AGGREGATE_ABOVE,
    focus: str | None = None,
    depth: int = 1,
    expand: Sequence[str] = (),
) -> dict[str, Any]:
    """``{"mode", "nodes", "edges", "options", "controls", "kinds", "layers", "colours"}`` for the map page.

    ``mode`` is ``full``; ``aggregated`` above the limit; or, with ``focus``, ``focus``: that node's
    neighbourhood up to ``depth`` edges away either way (cut at the limit, nearest first). In the
    aggregated view, ``expand`` names groups to draw node by node instead (see ``_aggregated``);
    an unknown group raises ``UnknownGroup``.
    """
    controls = [_control(chain, c) for c in analysis.controls]
    clauses = {
        c["clause"]: {k: v for k, v in chain.catalog.document.clauses[c["clause"]].model_dump().items() if v}
        for c in controls
    }
    common = {"controls": controls, "clauses": clauses, "kinds": KIND_LIST, "layers": LAYER_ORDER, "colours": LAYER_COLOURS,
              "palette": palette_json(), "limit": aggregate_above, "labels_at_fit": LABELS_AT_FIT_UP_TO}  # fmt: skip
    if focus is not None:
        keep, truncated = neighbourhood(chain.graph, focus, depth, aggregate_above)
        extra = {"focus": focus, "depth": depth, "truncated": truncated}
        return {"mode": "focus", **extra, **common, **_full(chain, analysis, keep)}
    if len(chain) > aggregate_above:
        return {"mode": "aggregated", **common, **_aggregated(chain, analysis, list(expand), aggregate_above)}
    return {"mode": "full", **common, **_full(chain, analysis)}
