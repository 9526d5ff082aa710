"""Declarations: what a node says about one control (status, evidence, assigns), under the node."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from obligraph.app.api.deps import (
    AssessedOn,
    ControlPath,
    NodePath,
    PageDep,
    ServiceDep,
    WorkspaceId,
)
from obligraph.app.core.exceptions import Conflict, InvalidInput, NotFound
from obligraph.app.core.paging import decode_cursor, encode_cursor
from obligraph.app.repository import declaration_rows
from obligraph.app.schemas.common import CRUD, ERROR_RESPONSES, Page, links, page_example
from obligraph.app.schemas.graph import DECLARATION_EXAMPLE, DeclarationOut, DeclarationPut, DeclarationUpdate
from obligraph.app.services import journal
from obligraph.app.services.assessed import assessed
from obligraph.app.services.undo import snapshot_before, undo_headers
from obligraph.app.services.workspace import Edit
from obligraph.graph.crosswalk import ControlIdError, is_typed, resolve_control_id
from obligraph.graph.schema import Declaration, dump_item, parse_declaration

router = APIRouter(
    prefix="/workspaces/{ws}/nodes/{node}/declarations", tags=["declarations"], responses=ERROR_RESPONSES
)

DeclarationBody = Annotated[
    Declaration,
    Body(openapi_examples={"verified": {"summary": "Verified by a certification", "value": DECLARATION_EXAMPLE}}),
]


def _require_node(edit: Edit, ws: str, node: str) -> None:
    if node not in edit.chain:
        raise NotFound(f"workspace '{ws}' has no node '{node}'")


def _catalog_controls(edit: Edit, control: str, location: str) -> tuple[str, ...]:
    """The catalog ids ``control`` stands for (a typed id such as ``ccm:BCR-08`` may stand for several)."""
    try:
        return resolve_control_id(control, edit.chain.catalog)
    except ControlIdError as exc:
        raise InvalidInput(str(exc), details=[{"location": location, "message": str(exc)}]) from None


def _one_catalog_control(edit: Edit, control: str) -> None:
    """Reading, changing or removing one stored declaration needs its catalog id; say which it is."""
    if is_typed(control):
        ids = _catalog_controls(edit, control, "path.control")
        message = f"'{control}' stands for catalog control(s) {', '.join(ids)}; use the catalog id on this route"
        raise InvalidInput(message, details=[{"location": "path.control", "message": message}])


def _current(edit: Edit, ws: str, node: str, control: str) -> Declaration:
    _one_catalog_control(edit, control)
    _require_node(edit, ws, node)
    declaration = edit.chain.declarations(node).get(control)
    if declaration is None:
        raise NotFound(f"node '{node}' of workspace '{ws}' has no declaration for control '{control}'")
    return declaration


def _store(edit: Edit, node: str) -> None:
    """The node's declarations as this write's chain now holds them."""
    edit.rows.store_declarations(node, edit.chain.declarations(node).values())


DECLARATION_LINKS = links(
    "/api/v1/workspaces/{ws}/nodes/{node}/declarations/{control}",
    {**CRUD, "Replace": "put"},
    {"ws": "$request.path.ws", "node": "$request.path.node", "control": "$response.body#/control"},
)


@router.post(
    "",
    status_code=201,
    response_model=DeclarationOut,
    summary="Declare a control for a node",
    responses={201: {"links": DECLARATION_LINKS}},
)
def create_declaration(ws: WorkspaceId, node: NodePath, declaration: DeclarationBody, service: ServiceDep) -> Any:
    """A typed id (``27002:2013/A.12.3.1``) declares each catalog control it maps to; the response
    shows the first."""
    with service.edit(ws) as edit:
        _require_node(edit, ws, node)
        controls = _catalog_controls(edit, declaration.control, "body.control")
        for control in controls:
            if control in edit.chain.declarations(node):
                raise Conflict(
                    f"node '{node}' already declares control '{control}'; "
                    f"change it with PUT or PATCH .../declarations/{control}",
                )
        edit.change(journal.declare(node, declaration))
        stored = [replace(declaration, control=control) for control in controls]
        _store(edit, node)
    return assessed(stored[0])


@router.get(
    "",
    response_model=Page[DeclarationOut],
    summary="List a node's declarations",
    responses=page_example(DECLARATION_EXAMPLE),
)
def list_declarations(
    ws: WorkspaceId, node: NodePath, service: ServiceDep, page: PageDep, as_of: AssessedOn = None
) -> Any:
    after = decode_cursor(page.cursor, int)
    with service.db.read() as session:
        service.workspace(session, ws)
        if not declaration_rows.node_exists(session, ws, node):
            raise NotFound(f"workspace '{ws}' has no node '{node}'")
        items, last = declaration_rows.declaration_page(session, ws, node, page.limit, after)
    return {
        "items": [assessed(item, as_of) for item in items],
        "next": encode_cursor(last) if last is not None else None,
    }


@router.get("/{control}", response_model=DeclarationOut, summary="Get a node's declaration for one control")
def get_declaration(
    ws: WorkspaceId, node: NodePath, control: ControlPath, service: ServiceDep, as_of: AssessedOn = None
) -> Any:
    with service.db.read() as session:
        service.workspace(session, ws)
        found = declaration_rows.find_declaration(session, ws, node, control)
        if found is None:
            if not declaration_rows.node_exists(session, ws, node):
                raise NotFound(f"workspace '{ws}' has no node '{node}'")
            raise NotFound(f"node '{node}' of workspace '{ws}' has no declaration for control '{control}'")
    return assessed(found, as_of)


@router.put(
    "/{control}",
    response_model=DeclarationOut,
    summary="Create or replace a node's declaration for one control",
    responses={
        201: {
            "model": DeclarationOut,
            "description": "There was no declaration for the control: created.",
            "links": DECLARATION_LINKS,
        }
    },
)
def put_declaration(
    ws: WorkspaceId, node: NodePath, control: ControlPath, body: DeclarationPut, service: ServiceDep, response: Response
) -> Any:
    declaration = parse_declaration({**body.model_dump(), "control": control})
    with service.edit(ws) as edit:
        _require_node(edit, ws, node)
        controls = _catalog_controls(edit, control, "path.control")
        created = any(c not in edit.chain.declarations(node) for c in controls)
        edit.change(journal.declare(node, declaration))
        stored = [replace(declaration, control=c) for c in controls]
        _store(edit, node)
    response.status_code = 201 if created else 200
    return assessed(stored[0])


@router.patch("/{control}", response_model=DeclarationOut, summary="Change part of a node's declaration")
def update_declaration(
    ws: WorkspaceId, node: NodePath, control: ControlPath, body: DeclarationUpdate, service: ServiceDep
) -> Any:
    changes = body.model_dump(exclude_unset=True)
    if changes.get("evidence") is None:
        changes.pop("evidence", None)
    with service.edit(ws) as edit:
        current = _current(edit, ws, node, control)
        declaration = parse_declaration({**dump_item(current, mode="python", exclude_none=False), **changes})
        edit.change(journal.declare(node, declaration))
        _store(edit, node)
    return assessed(declaration)


@router.delete("/{control}", status_code=204, response_class=Response, summary="Remove a node's declaration")
def delete_declaration(ws: WorkspaceId, node: NodePath, control: ControlPath, service: ServiceDep) -> Response:
    with service.edit(ws) as edit:
        _current(edit, ws, node, control)
        undo = snapshot_before(service, edit, f"deleting the declaration of {control} by {node}")
        edit.change(journal.undeclare(node, control))
        _store(edit, node)
    return undo_headers(Response(status_code=204), undo)
