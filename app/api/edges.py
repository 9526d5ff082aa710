"""Edges: "consumer uses provider", with per-control responsibility overrides and criticality."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from sqlalchemy import delete, select, update

from obligraph.app import store
from obligraph.app.api.deps import (
    ConsumerPath,
    PageDep,
    ProviderPath,
    ServiceDep,
    WorkspaceId,
)
from obligraph.app.errors import ApiError, not_found
from obligraph.app.paging import decode_cursor, encode_cursor
from obligraph.app.rows import edge_values, insert_edge
from obligraph.app.schemas.common import CRUD, ERROR_RESPONSES, Page, links, page_example
from obligraph.app.schemas.graph import EDGE_EXAMPLE, EdgeOut, EdgeUpdate
from obligraph.graph.schema import Edge

router = APIRouter(prefix="/workspaces/{ws}/edges", tags=["edges"], responses=ERROR_RESPONSES)
EDGES = store.EDGES

EdgeBody = Annotated[
    Edge, Body(openapi_examples={"dependency": {"summary": "HR SaaS runs on Acme", "value": EDGE_EXAMPLE}})
]
NodeFilter = Annotated[str | None, Query(max_length=128, description="Only edges with this node in that role.")]


def _missing(ws: str, provider: str, consumer: str):
    return not_found(f"workspace '{ws}' has no edge {provider} -> {consumer}")


def _where(ws: str, provider: str, consumer: str):
    return (EDGES.c.workspace_id == ws, EDGES.c.provider == provider, EDGES.c.consumer == consumer)


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
        if (edge.provider, edge.consumer) in edit.chain.graph.edges:
            raise ApiError(409, f"edge {edge.provider} -> {edge.consumer} already exists; PATCH it instead")
        edit.apply(lambda chain: chain.add_edge(edge))
        edge = edit.chain.edge(edge.provider, edge.consumer)  # typed override ids are catalog ids now
        insert_edge(edit.session, ws, edge, store.next_position(edit.session, EDGES, ws))
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
        query = select(EDGES).where(EDGES.c.workspace_id == ws).order_by(EDGES.c.position).limit(page.limit + 1)
        if after is not None:
            query = query.where(EDGES.c.position > after)
        if provider is not None:
            query = query.where(EDGES.c.provider == provider)
        if consumer is not None:
            query = query.where(EDGES.c.consumer == consumer)
        rows = list(session.execute(query))
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return {"items": [store.edge_dict(row) for row in rows], "next": encode_cursor(rows[-1].position) if more else None}


@router.get("/{provider}/{consumer}", response_model=EdgeOut, summary="Get an edge")
def get_edge(ws: WorkspaceId, provider: ProviderPath, consumer: ConsumerPath, service: ServiceDep) -> Any:
    with service.db.read() as session:
        service.workspace(session, ws)
        row = session.execute(select(EDGES).where(*_where(ws, provider, consumer))).first()
    if row is None:
        raise _missing(ws, provider, consumer)
    return store.edge_dict(row)


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
        if (provider, consumer) not in edit.chain.graph.edges:
            raise _missing(ws, provider, consumer)
        updated = edit.chain.edge(provider, consumer).model_copy(update=changes)
        edit.apply(lambda chain: chain.update_edge(updated))
        updated = edit.chain.edge(provider, consumer)  # typed override ids are catalog ids now
        values = {key: value for key, value in edge_values(updated).items() if key in changes}
        if values:
            edit.session.execute(update(EDGES).where(*_where(ws, provider, consumer)).values(**values))
    return updated


@router.delete("/{provider}/{consumer}", status_code=204, response_class=Response, summary="Remove an edge")
def delete_edge(ws: WorkspaceId, provider: ProviderPath, consumer: ConsumerPath, service: ServiceDep) -> Response:
    with service.edit(ws) as edit:
        if (provider, consumer) not in edit.chain.graph.edges:
            raise _missing(ws, provider, consumer)
        edit.apply(lambda chain: chain.remove_edge(provider, consumer))
        edit.session.execute(delete(EDGES).where(*_where(ws, provider, consumer)))
    return Response(status_code=204)
