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

from obligraph.graph.errors import Issue, format_location
from obligraph.graph.lattice import Status

if TYPE_CHECKING:
    from obligraph.graph.chain import Chain


def chain_warnings(chain: "Chain") -> list[Issue]:
    """Every ``not_applicable`` declaration for a control some consumer relies on the node for."""
    nodes = chain.node_attributes()
    marked = {
        node
        for node, attrs in nodes.items()
        if any(declaration.status is Status.NOT_APPLICABLE for declaration in attrs["declarations"].values())
    }
    if not marked:
        return []
    _, outgoing = chain.edges_touching(marked)
    issues = []
    for i, node in enumerate(nodes):
        consumers = [consumer for _, consumer in outgoing.get(node, ())]
        if not consumers:
            continue
        for j, (control, declaration) in enumerate(chain.declarations(node).items()):
            if declaration.status is not Status.NOT_APPLICABLE:
                continue
            relying = [v for v in consumers if chain.responsibility(node, v, control).delegates]
            if relying:
                issues.append(
                    Issue(
                        format_location(("nodes", i, "declarations", j, "status")),
                        f"'{node}' declares {control} not_applicable, but '{relying[0]}' relies on it for"
                        f" {control} (edge {node} -> {relying[0]}); the analysis counts it as unknown:"
                        f" declare the status '{node}' actually has",
                    )
                )
    return issues
