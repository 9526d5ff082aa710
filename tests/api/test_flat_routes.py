"""``include_flat``: routes added flat behave and are documented as ``include_router`` would have them."""

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

import obligraph.app.core.flat_routes as flat_routes
import obligraph.app.main as main
from obligraph.app.core.flat_routes import include_flat
from obligraph.app.main import create_app

calls: list[str] = []


async def outer() -> None:
    calls.append("outer")


async def inner(x_token: Annotated[str, Header()]) -> None:
    calls.append(f"inner {x_token}")


class Item(BaseModel):
    id: str
    size: int = 0


def items_router() -> APIRouter:
    router = APIRouter(prefix="/items", tags=["items"], dependencies=[Depends(inner)], responses={404: {"model": Item}})

    @router.post("", status_code=201, response_model=Item, summary="Make one", responses={409: {"description": "x"}})
    def make(item: Item) -> Item:
        return item

    @router.get("/{item}", response_model=Item, response_model_exclude_defaults=True, deprecated=True)
    def read(item: str) -> dict[str, object]:
        """Read one item."""
        return {"id": item, "size": 0}

    return router


def both_ways() -> tuple[FastAPI, FastAPI]:
    nested, flat = FastAPI(), FastAPI()
    options = {"prefix": "/api", "dependencies": [Depends(outer)], "responses": {400: {"description": "bad"}}}
    nested.include_router(items_router(), **options)  # type: ignore[arg-type]
    include_flat(flat.router, items_router(), **options)  # type: ignore[arg-type]
    return nested, flat


def test_the_openapi_document_is_the_one_include_router_gives():
    nested, flat = both_ways()
    assert flat.openapi() == nested.openapi()


def test_routes_answer_alike_with_the_dependencies_in_order():
    for app in both_ways():
        calls.clear()
        with TestClient(app) as client:
            made = client.post("/api/items", json={"id": "a", "size": 2}, headers={"x-token": "t"})
            read = client.get("/api/items/a", headers={"x-token": "t"})
            missing = client.get("/api/items/a")
        assert (made.status_code, made.json()) == (201, {"id": "a", "size": 2})
        assert (read.status_code, read.json()) == (200, {"id": "a"})
        assert missing.status_code == 422
        assert calls == ["outer", "inner t"] * 2 + ["outer"]


def test_anything_but_an_api_route_is_refused():
    router = APIRouter()
    router.add_route("/plain", lambda request: None)
    with pytest.raises(TypeError, match="API routes only"):
        include_flat(FastAPI().router, router)


def test_the_service_routes_are_flat_and_documented_as_when_included(settings, monkeypatch):
    app = create_app(settings)
    try:
        assert all(not type(route).__name__.startswith("_Included") for route in app.routes)
        api = [route.path for route in app.routes if isinstance(route, APIRoute) and route.path.startswith("/api/v1/")]
        assert len(api) == sum(len(module.router.routes) for module in main.ROUTERS)
        flat_document = app.openapi()
    finally:
        app.state.service.close()

    def include(target, router, **options):
        target.include_router(router, **options)

    monkeypatch.setattr(main, "include_flat", include)
    monkeypatch.setattr(flat_routes, "include_flat", include)
    nested = create_app(settings)
    try:
        assert any(type(route).__name__.startswith("_Included") for route in nested.routes)
        assert nested.openapi() == flat_document
    finally:
        nested.state.service.close()
