"""Chain edits as data: what a write stores in the change journal, and how a worker replays it.

A write records each ``Chain`` edit it makes as a small JSON mapping (``{"op": "declare", "node":
..., "declaration": {...}}``) and stores the list with the revision it makes, in the same
transaction. A worker holding an older revision replays the entries in order on a copy of its
chain (``apply_change`` is also what the writer itself ran), instead of reading every row again.
Edits with no entry here (imports that replace the content, restores, catalog changes) store a
reload marker (NULL) instead, and a worker that meets one reloads. docs/architecture.md explains
the whole scheme.
"""

from __future__ import annotations

from typing import Any, Mapping

from obligraph.graph.chain import Chain
from obligraph.graph.control_ids import expand_control_ids
from obligraph.graph.document_checks import validate_document
from obligraph.graph.schema import Declaration, Edge, Node, dump_item

Change = dict[str, Any]

#: A merge import with more nodes and edges than this is journaled as a reload, not as its document.
MERGE_ITEMS_JOURNALED = 1000


def add_node(node: Node) -> Change:
    return {"op": "add_node", "node": node.model_dump(mode="json")}


def update_node(node: Node) -> Change:
    return {"op": "update_node", "node": node.model_dump(mode="json")}


def remove_node(node_id: str) -> Change:
    return {"op": "remove_node", "node": node_id}


def add_edge(edge: Edge) -> Change:
    return {"op": "add_edge", "edge": edge.model_dump(mode="json")}


def update_edge(edge: Edge) -> Change:
    return {"op": "update_edge", "edge": edge.model_dump(mode="json")}


def remove_edge(provider: str, consumer: str) -> Change:
    return {"op": "remove_edge", "provider": provider, "consumer": consumer}


def declare(node_id: str, declaration: Declaration) -> Change:
    return {"op": "declare", "node": node_id, "declaration": dump_item(declaration, exclude_none=False)}


def undeclare(node_id: str, control: str) -> Change:
    return {"op": "undeclare", "node": node_id, "control": control}


def merge(document: Mapping[str, Any]) -> Change | None:
    """A merge import's entry: its document, when small enough to be worth storing twice."""
    size = len(document.get("nodes", ())) + len(document.get("edges", ()))
    return {"op": "merge", "document": dict(document)} if size <= MERGE_ITEMS_JOURNALED else None


def apply_change(chain: Chain, change: Mapping[str, Any]) -> Any:
    """Make the edit ``change`` describes on ``chain``; what the ``Chain`` method returns."""
    op = change["op"]
    if op == "add_node":
        return chain.add_node(change["node"])
    if op == "update_node":
        return chain.update_node(change["node"])
    if op == "remove_node":
        return chain.remove_node(change["node"])
    if op == "add_edge":
        return chain.add_edge(change["edge"])
    if op == "update_edge":
        return chain.update_edge(change["edge"])
    if op == "remove_edge":
        return chain.remove_edge(change["provider"], change["consumer"])
    if op == "declare":
        return chain.declare(change["node"], change["declaration"])
    if op == "undeclare":
        return chain.undeclare(change["node"], change["control"])
    if op == "merge":
        from obligraph.app.services.merge import merge_into  # merge.py imports this module

        document = change["document"]
        parsed = expand_control_ids(validate_document(document), chain.catalog)[0]
        return merge_into(chain, document, parsed)
    raise ValueError(f"unknown journal operation {op!r}")
