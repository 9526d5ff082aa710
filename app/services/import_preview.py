"""What an import would change, said before it is sent: the confirmation of a replace import.

``replace`` removes every node, edge and declaration the document does not have (nodes added by
hand since the file was exported, say); ``merge`` removes nothing. The preview counts both sides
and lists what would go.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from obligraph.app.schemas.transfer import ImportMode
from obligraph.graph.chain import Chain

#: Ids listed per kind; the counts are always complete.
LISTED = 50


class ImportPreview(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mode": "replace",
                    "nodes": 61,
                    "edges": 152,
                    "document_nodes": 60,
                    "document_edges": 150,
                    "nodes_removed": 3,
                    "edges_removed": 4,
                    "declarations_removed": 9,
                    "removed_node_ids": ["vendor-a", "vendor-b", "vendor-c"],
                    "name": "HR platform",
                    "document_name": "HR platform (export)",
                }
            ]
        }
    )

    mode: ImportMode
    nodes: int = Field(description="Nodes in the workspace now.")
    edges: int = Field(description="Edges in the workspace now.")
    document_nodes: int
    document_edges: int
    nodes_removed: int = Field(description="Nodes of the workspace the document lacks: a replace removes them.")
    edges_removed: int
    declarations_removed: int
    removed_node_ids: list[str] = Field(description=f"The first {LISTED} of the removed nodes.")
    name: str = Field(description="The workspace's name (a replace keeps it unless rename=true).")
    document_name: str


def preview(current: Chain, document: dict[str, Any], mode: ImportMode) -> ImportPreview:
    nodes = {n.get("id") for n in document.get("nodes") or [] if isinstance(n, dict)}
    edges = {(e.get("provider"), e.get("consumer")) for e in document.get("edges") or [] if isinstance(e, dict)}
    declared = {
        (n.get("id"), d.get("control"))
        for n in document.get("nodes") or []
        if isinstance(n, dict)
        for d in n.get("declarations") or []
        if isinstance(d, dict)
    }
    removed_nodes: list[str] = []
    removed_edges = removed_declarations = 0
    if mode is ImportMode.REPLACE:
        removed_nodes = [n for n in current.node_ids() if n not in nodes]
        removed_edges = sum(1 for edge in current.edge_attributes() if edge not in edges)
        removed_declarations = sum(
            1
            for node in current.node_ids()
            for control in current.declarations(node)
            if (node, control) not in declared
        )
    return ImportPreview(
        mode=mode,
        nodes=len(current),
        edges=current.number_of_edges(),
        document_nodes=len(nodes),
        document_edges=len(edges),
        nodes_removed=len(removed_nodes),
        edges_removed=removed_edges,
        declarations_removed=removed_declarations,
        removed_node_ids=removed_nodes[:LISTED],
        name=current.name,
        document_name=str(document.get("name") or ""),
    )
