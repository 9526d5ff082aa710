"""The rows a merge import touched: updated nodes and edges rewritten in place, new ones appended."""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import update
from sqlmodel import Session

from obligraph.app.repository import store
from obligraph.app.repository.rows import Rows, declaration_list, edge_values
from obligraph.graph.chain import Chain


def write_touched_rows(session: Session, ws: str, chain: Chain, touched: Mapping[str, list]) -> None:
    """Rewrite the updated nodes (their row, declarations within) and edges; append the new ones."""
    rows = Rows(ws)
    for node_id in touched["nodes_updated"]:
        node = chain.node(node_id)
        session.execute(
            update(store.NODES)
            .where(store.NODES.c.workspace_id == ws, store.NODES.c.node_id == node_id)
            .values(
                name=node.name,
                layer=node.layer.value,
                org=node.org,
                description=node.description,
                declarations=declaration_list(node.declarations),
            )
        )
    for provider, consumer in touched["edges_updated"]:
        edge = chain.edge(provider, consumer)
        session.execute(
            update(store.EDGES)
            .where(
                store.EDGES.c.workspace_id == ws,
                store.EDGES.c.provider == provider,
                store.EDGES.c.consumer == consumer,
            )
            .values(**edge_values(edge))
        )
    position = store.next_position(session, store.NODES, ws)
    for offset, node_id in enumerate(touched["nodes_added"]):
        node = chain.node(node_id)
        rows.node(node_id, position + offset, node.name, node.layer, node.org, node.description, node.declarations)
    position = store.next_position(session, store.EDGES, ws)
    for offset, (provider, consumer) in enumerate(touched["edges_added"]):
        attrs = chain.edge_attributes()[provider, consumer]
        rows.edge(provider, consumer, position + offset, attrs["responsibility"], attrs["criticality"], attrs["notes"])
    rows.write(session)
