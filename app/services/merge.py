"""Merge imports: upsert a chain@1 document into a workspace, writing only the rows it touches.

A node or edge of the document that exists has the fields the document gives replaced
(declarations per control, overrides per control) and keeps the rest; new ones are appended; the
top-level ``description``, ``requirement`` and ``controls`` replace the workspace's when present.

The whole document is checked first, against the workspace's other nodes as stand-ins, so every
problem carries the document's own indices (``nodes[3].declarations[0].status``) and nothing
changes when anything is wrong. Then the edits go into the workspace's chain in place, so a merge
that only changes declarations keeps the compiled arrays and the next analysis recomputes only the
touched controls (``Chain.declare``), and only the touched rows are written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from obligraph.app.repository.merge_rows import write_touched_rows
from obligraph.app.services import journal
from obligraph.graph.chain import Chain
from obligraph.graph.control_ids import expand_control_ids
from obligraph.graph.document_checks import validate_document
from obligraph.graph.errors import ChainError
from obligraph.graph.schema import ChainDocument

if TYPE_CHECKING:
    from obligraph.app.services.workspace import Edit

SOURCE = "request body"
#: Above this share of the workspace touched, rewriting every row is cheaper than row-by-row updates.
REWRITE_ABOVE = 0.5


def store_merge(edit: Edit, document: Any) -> tuple[Chain, dict[str, int]]:
    """Merge ``document`` into the edited workspace and store the change; ``(chain, counts)``."""
    parsed = checked_document(document, edit.chain)
    touched = edit.change(journal.merge(document), run=lambda chain: merge_into(chain, document, parsed))
    chain = edit.chain
    nodes_touched = len(touched["nodes_added"]) + len(touched["nodes_updated"])
    if nodes_touched > REWRITE_ABOVE * max(1, len(chain)):
        edit.rewrite_rows()
    else:
        write_touched_rows(edit, chain, touched)
        workspace = edit.workspace
        workspace.description = chain.description
        workspace.requirement = chain.requirement.value if chain.requirement else None
        workspace.controls = list(chain.controls) if chain.controls is not None else None
    return chain, {name: len(items) for name, items in touched.items()}


def checked_document(document: Any, current: Chain) -> ChainDocument:
    """The document validated on its own terms, with the workspace's other nodes standing in for
    the ones its edges name; raise ``ChainError`` listing every problem by its place in the document."""
    parsed = validate_document(document, source=SOURCE)
    if "catalog" in document and parsed.catalog != current.catalog.id:
        raise ChainError.at(
            ("catalog",),
            f"the workspace uses catalog '{current.catalog.id}', the document '{parsed.catalog}'; "
            "merge a document of the same catalog, or import with mode=replace",
        )
    incoming_ids = {node.id for node in parsed.nodes}
    named = {end for edge in parsed.edges for end in (edge.provider, edge.consumer)} - incoming_ids
    # Only the nodes the edges name need stand-ins (this runs under the workspace's write lock, and
    # standing in every node costs time in the workspace's size); an unknown one brings in all of
    # them, so its message can suggest the closest id.
    standing = named if all(node_id in current for node_id in named) else current.node_ids()
    stand_ins = [
        {"id": node_id, "layer": current.layer(node_id).value} for node_id in standing if node_id not in incoming_ids
    ]
    Chain.from_dict(
        {**document, "catalog": current.catalog.id, "nodes": [*document.get("nodes", []), *stand_ins]}, source=SOURCE
    )
    # Typed ids (27002:2013/A.12.3.1) become catalog ids, so a merge replaces the declaration they name.
    return expand_control_ids(parsed, current.catalog)[0]


def merge_into(chain: Chain, document: Mapping[str, Any], parsed: ChainDocument) -> dict[str, list]:
    """Apply a checked document to ``chain`` in place; the node ids and edge pairs added and updated."""
    touched: dict[str, list] = {"nodes_added": [], "nodes_updated": [], "edges_added": [], "edges_updated": []}
    for raw, node in zip(document.get("nodes", []), parsed.nodes, strict=True):
        given = node.model_dump()
        if node.id in chain:
            target = chain.node(node.id).model_dump()
            target.update({key: given[key] for key in raw if key not in ("id", "declarations")})
            declarations = {d["control"]: d for d in target["declarations"]}
            declarations.update({d["control"]: d for d in given["declarations"]})
            target["declarations"] = list(declarations.values())
            chain.update_node(target)
            touched["nodes_updated"].append(node.id)
        else:
            chain.add_node(given)
            touched["nodes_added"].append(node.id)
    for raw, edge in zip(document.get("edges", []), parsed.edges, strict=True):
        given = edge.model_dump()
        pair = (edge.provider, edge.consumer)
        if pair in chain.edge_attributes():
            target = chain.edge(*pair).model_dump()
            target.update({key: given[key] for key in raw if key in ("criticality", "notes")})
            target["responsibility"] = {**target["responsibility"], **given["responsibility"]}
            chain.update_edge(target)
            touched["edges_updated"].append(pair)
        else:
            chain.add_edge(given)
            touched["edges_added"].append(pair)
    if "description" in document:
        chain.description = parsed.description
    if "requirement" in document:
        chain.requirement = parsed.requirement
    if "controls" in document:
        chain.controls = list(parsed.controls) if parsed.controls is not None else None
    return touched
