"""The rows a merge import touched: updated nodes and edges rewritten in place, new ones appended,
all left pending for the write's group to send (``pending_rows.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from obligraph.app.repository import store
from obligraph.graph.chain import Chain

if TYPE_CHECKING:
    from obligraph.app.services.workspace import Edit


def write_touched_rows(edit: Edit, chain: Chain, touched: Mapping[str, list]) -> None:
    """Rewrite the updated nodes (their row, declarations within) and edges; append the new ones."""
    rows = edit.rows
    for node_id in touched["nodes_updated"]:
        rows.update_node(chain.node(node_id))
    for provider, consumer in touched["edges_updated"]:
        rows.update_edge(chain.edge(provider, consumer))
    for node_id in touched["nodes_added"]:
        rows.insert_node(chain.node(node_id), edit.next_position(store.NODES))
    for provider, consumer in touched["edges_added"]:
        rows.insert_edge(chain.edge(provider, consumer), edit.next_position(store.EDGES))
