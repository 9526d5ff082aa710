"""Warnings about a valid chain: things the analysis accepts but reads differently from what was written.

A warning never stops a load or an import (errors do); the CLI prints warnings, the API returns them.

>>> from obligraph.graph.chain import Chain
>>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo",
...     "nodes": [{"id": "iaas", "layer": "iaas",
...                "declarations": [{"control": "10.5.1", "status": "not_applicable"}]},
...               {"id": "app", "layer": "saas"}],
...     "edges": [{"provider": "iaas", "consumer": "app"}]})
>>> [str(issue) for issue in chain_warnings(chain)]  # doctest: +NORMALIZE_WHITESPACE
["nodes[0].declarations[0].status: 'iaas' declares 10.5.1 not_applicable, but 'app' relies on it
  for 10.5.1 (edge iaas -> app); the analysis counts it as unknown: declare the status 'iaas'
  actually has"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from obligraph.graph.errors import Issue, format_location

if TYPE_CHECKING:
    from obligraph.graph.chain import Chain


def chain_warnings(chain: "Chain") -> list[Issue]:
    """Every ``not_applicable`` declaration for a control some consumer relies on the node for.

    Read from the compiled arrays (the chain is compiled if it is not yet): the sparse list of
    not_applicable declarations, each expanded to its node's outgoing edges, whose r is looked up
    as the engine does (``CompiledChain.delegations``). An import runs this
    under the workspace's write lock, so it must not cost a walk over every declaration.
    """
    compiled = chain.compiled()
    cell_node, cell_col = compiled.not_applicable_node, compiled.not_applicable_col
    # One entry per (not_applicable cell, outgoing edge of its node).
    cell, edge, relying = compiled.delegations(cell_node, cell_col)
    if not cell.size:
        return []
    # The consumer named is the first relying one in document order, as the edges are listed.
    edges = compiled.src.size
    first_edge = np.full(cell_node.size, edges, dtype=np.int64)
    np.minimum.at(first_edge, cell[relying], edge[relying])
    warned = np.flatnonzero(first_edge < edges)
    issues = []
    for c in warned.tolist():
        i, control = int(cell_node[c]), chain.catalog.ids[int(cell_col[c])]
        node, consumer = compiled.node_ids[i], compiled.node_ids[int(compiled.dst[first_edge[c]])]
        j = list(chain.declarations(node)).index(control)
        issue = Issue(
            format_location(("nodes", i, "declarations", j, "status")),
            f"'{node}' declares {control} not_applicable, but '{consumer}' relies on it for"
            f" {control} (edge {node} -> {consumer}); the analysis counts it as unknown:"
            f" declare the status '{node}' actually has",
        )
        issues.append(((i, j), issue))
    return [issue for _, issue in sorted(issues, key=lambda item: item[0])]
