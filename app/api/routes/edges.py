"""Edges: "consumer uses provider", with per-control responsibility overrides and criticality."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from obligraph.app.api.deps import (
    ConsumerPath,
    PageDep,
    ProviderPath,
    ServiceDep,
    WorkspaceId,
)
from obligraph.app.core.exceptions import Conflict, NotFound
from obligraph.app.core.paging import decode_cursor, encode_cursor
from obligraph.app.repository import edge_rows, store
from obligraph.app.repository.rows import edge_values
from obligraph.app.schemas.common import CRUD, ERROR_RESPONSES, Page, links, page_example
from obligraph.app.schemas.graph import EDGE_EXAMPLE, EdgeOut, EdgeUpdate
from obligraph.app.services import journal
from obligraph.app.services.undo import snapshot_before, undo_headers
from obligraph.graph.schema import Edge

router = APIRouter(prefix="/workspaces/{ws}/edges", tags=["edges"], responses=ERROR_RESPONSES)
EDGES = store.EDGES

EdgeBody = Annotated[
    Edge, Body(openapi_examples={"dependency": {"summary": "HR SaaS runs on Acme", "value": EDGE_EXAMPLE}})
]
NodeFilter = Annotated[str | None, Query(max_length=128, description="Only edges with this node in that role.")]


def _missing(ws: str, provider: str, consumer: str) -> NotFound:
    return NotFound(f"workspace '{ws}' has no edge {provider} -> {consumer}")


EDGE_LINKS = links(
    "/api/v1/workspaces/{ws}/edges/{provider}/{consumer}",
    CRUD,
    {"ws": "$request.path.ws", "provider": "$response.body#/provider", "consumer": "$response.body#/consumer"},
)


@router.post(
    "",
    status_code=201,
    response_model=EdgeOut,
    summary="Add an edge (the consumer uses the provider)",
    responses={201: {"links": EDGE_LINKS}},
)
def create_edge(ws: WorkspaceId, edge: EdgeBody, service: ServiceDep) -> Any:
    with service.edit(ws) as edit:
        if (edge.provider, edge.consumer) in edit.chain.edge_attributes():
            raise Conflict(f"edge {edge.provider} -> {edge.consumer} already exists; PATCH it instead")
        edit.change(journal.add_edge(edge))
        edge = edit.chain.edge(edge.provider, edge.consumer)  # typed override ids are catalog ids now
        edit.rows.insert_edge(edge, edit.next_position(EDGES))
    return edge


@router.get(
    "", response_model=Page[EdgeOut], summary="List edges in document order", responses=page_example(EDGE_EXAMPLE)
)
def list_edges(
    ws: WorkspaceId, service: ServiceDep, page: PageDep, provider: NodeFilter = None, consumer: NodeFilter = None
) -> Any:
    after = decode_cursor(page.cursor, int)
    with service.db.read() as session:
        service.workspace(session, ws)
        items, last = edge_rows.edge_page(session, ws, page.limit, after, provider, consumer)
    return {"items": items, "next": encode_cursor(last) if last is not None else None}


@router.get("/{provider}/{consumer}", response_model=EdgeOut, summary="Get an edge")
def get_edge(ws: WorkspaceId, provider: ProviderPath, consumer: ConsumerPath, service: ServiceDep) -> Any:
    with service.db.read() as session:
        service.workspace(session, ws)
        found = edge_rows.find_edge(session, ws, provider, consumer)
    if found is None:
        raise _missing(ws, provider, consumer)
    return found


@router.patch(
    "/{provider}/{consumer}", response_model=EdgeOut, summary="Change an edge's overrides, criticality or notes"
)
def update_edge(
    ws: WorkspaceId, provider: ProviderPath, consumer: ConsumerPath, body: EdgeUpdate, service: ServiceDep
) -> Any:
    changes = body.model_dump(exclude_unset=True)
    if "responsibility" in changes and changes["responsibility"] is None:
        changes["responsibility"] = {}
    with service.edit(ws) as edit:
        if (provider, consumer) not in edit.chain.edge_attributes():
            raise _missing(ws, provider, consumer)
        updated = edit.chain.edge(provider, consumer).model_copy(update=changes)
        edit.change(journal.update_edge(updated))
        updated = edit.chain.edge(provider, consumer)  # typed override ids are catalog ids now
        values = {key: value for key, value in edge_values(updated).items() if key in changes}
        edge_rows.update_edge(edit.session, ws, provider, consumer, values)
    return updated


@router.delete("/{provider}/{consumer}", status_code=204, response_class=Response, summary="Remove an edge")
def delete_edge(ws: WorkspaceId, provider: ProviderPath, consumer: ConsumerPath, service: ServiceDep) -> Response:
    with service.edit(ws) as edit:
        if (provider, consumer) not in edit.chain.edge_attributes():
            raise _missing(ws, provider, consumer)
        undo = snapshot_before(service, edit, f"removing the dependency {provider} -> {consumer}")
        edit.change(journal.remove_edge(provider, consumer))
        edge_rows.delete_edge(edit.session, ws, provider, consumer)
    return undo_headers(Response(status_code=204), undo)
