"""Nodes (providers and customers) of a workspace's chain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from obligraph.app.api.deps import AssessedOn, NodePath, PageDep, ServiceDep, WorkspaceId
from obligraph.app.core.exceptions import Conflict, NotFound
from obligraph.app.core.paging import decode_cursor, encode_cursor
from obligraph.app.repository import node_rows, store
from obligraph.app.schemas.common import CRUD, ERROR_RESPONSES, Page, links, page_example
from obligraph.app.schemas.graph import NODE_EXAMPLE, NodeOut, NodeUpdate
from obligraph.app.services import journal
from obligraph.app.services.assessed import assessed_node
from obligraph.app.services.undo import snapshot_before, undo_headers
from obligraph.graph.lattice import Layer
from obligraph.graph.schema import Node

router = APIRouter(prefix="/workspaces/{ws}/nodes", tags=["nodes"], responses=ERROR_RESPONSES)
NODES = store.NODES

NodeBody = Annotated[Node, Body(openapi_examples={"provider": {"summary": "An IaaS provider", "value": NODE_EXAMPLE}})]


NODE_LINKS = {
    **links("/api/v1/workspaces/{ws}/nodes/{node}", CRUD, {"ws": "$request.path.ws", "node": "$response.body#/id"}),
    **links(
        "/api/v1/workspaces/{ws}/nodes/{node}/declarations",
        {"ListDeclarations": "get", "Declare": "post"},
        {"ws": "$request.path.ws", "node": "$response.body#/id"},
    ),
}


@router.post(
    "",
    status_code=201,
    response_model=NodeOut,
    summary="Add a node (with its declarations)",
    responses={201: {"links": NODE_LINKS}},
)
def create_node(ws: WorkspaceId, node: NodeBody, service: ServiceDep) -> Any:
    with service.edit(ws) as edit:
        if node.id in edit.chain:
            raise Conflict(f"workspace '{ws}' already has a node '{node.id}'; PATCH it, or pick another id")
        edit.change(journal.add_node(node))
        node = edit.chain.node(node.id)  # typed declaration ids are catalog ids now
        edit.rows.insert_node(node, edit.next_position(NODES))
    return assessed_node(node)


@router.get(
    "", response_model=Page[NodeOut], summary="List nodes in document order", responses=page_example(NODE_EXAMPLE)
)
def list_nodes(
    ws: WorkspaceId,
    service: ServiceDep,
    page: PageDep,
    layer: Annotated[Layer | None, Query(description="Only nodes of this layer.")] = None,
    as_of: AssessedOn = None,
) -> Any:
    after = decode_cursor(page.cursor, int)
    with service.db.read() as session:
        service.workspace(session, ws)
        items, last = node_rows.node_page(session, ws, page.limit, after, layer.value if layer else None)
    next_cursor = encode_cursor(last) if last is not None else None
    return {"items": [assessed_node(item, as_of) for item in items], "next": next_cursor}


@router.get("/{node}", response_model=NodeOut, summary="Get a node and its declarations")
def get_node(ws: WorkspaceId, node: NodePath, service: ServiceDep, as_of: AssessedOn = None) -> Any:
    with service.view(ws) as view:
        view.require_node(node)
        return assessed_node(view.chain.node(node), as_of)


@router.patch("/{node}", response_model=NodeOut, summary="Change a node's name, layer, org or description")
def update_node(ws: WorkspaceId, node: NodePath, body: NodeUpdate, service: ServiceDep) -> Any:
    changes = body.model_dump(exclude_unset=True)
    with service.edit(ws) as edit:
        if node not in edit.chain:
            raise NotFound(f"workspace '{ws}' has no node '{node}'")
        current = edit.chain.node(node)
        updated = current.model_copy(update=changes)
        edit.change(journal.update_node(updated))
        values = {key: getattr(value, "value", value) for key, value in changes.items()}
        node_rows.update_node(edit.session, ws, node, values)
    return assessed_node(updated)


@router.delete("/{node}", status_code=204, response_class=Response, summary="Remove a node, its edges and declarations")
def delete_node(ws: WorkspaceId, node: NodePath, service: ServiceDep) -> Response:
    with service.edit(ws) as edit:
        if node not in edit.chain:
            raise NotFound(f"workspace '{ws}' has no node '{node}'")
        undo = snapshot_before(service, edit, f"deleting the node {node}")
        edit.change(journal.remove_node(node))
        node_rows.delete_node(edit.session, ws, node)
    return undo_headers(Response(status_code=204), undo)
