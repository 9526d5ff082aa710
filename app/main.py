"""``create_app(settings)``: the FastAPI application with every router mounted.

Creating the app migrates the database (unless ``auto_migrate`` is off, as in the worker
processes of ``obligraph serve --workers N``, whose parent has migrated already).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any, AsyncIterator

from fastapi import Depends, FastAPI

from obligraph import __version__
from obligraph.app import security, web
from obligraph.app.api import docs_assets
from obligraph.app.api.routes import (
    analysis,
    catalogs,
    declarations,
    edges,
    evidence,
    exports,
    health,
    imports,
    incidents,
    nodes,
    scenarios,
    snapshots,
    tokens,
    workspaces,
)
from obligraph.app.api.strict_query import reject_unknown_query
from obligraph.app.core import http_errors as errors
from obligraph.app.core.bodylimit import BodyLimitMiddleware
from obligraph.app.core.flat_routes import include_flat
from obligraph.app.core.settings import Settings
from obligraph.app.schemas.common import ERROR_RESPONSES
from obligraph.app.services.workspace import Service
from obligraph.app.web.render import not_found_page
from obligraph.graph.schema import ChainDocument

API_PREFIX = "/api/v1"
# Routes are matched in order: the analysis reads, the hot path, go first (no two paths overlap).
ROUTERS: tuple[ModuleType, ...] = (analysis, scenarios, workspaces, nodes, edges, declarations, imports, catalogs)
ROUTERS += (incidents, tokens, snapshots, exports, evidence)

DESCRIPTION = """\
Map a cloud supply chain and find, for every security control, who actually assures it and where
the chain breaks. A workspace holds one chain (nodes, edges, declarations); the analysis is
recomputed per workspace revision and cached.

Every error has the shape `{"error": {"code", "message", "details"}}`; `details` lists each
problem with its location.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    service = Service(settings)
    if settings.auto_migrate:
        service.db.migrate()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPI(
        title="obligraph",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # docs_assets serves /docs itself: no CDN, no inline script
        redoc_url=None,  # ReDoc needs inline styles, a blob: worker and its CDN (docs_assets)
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.state.service = service
    errors.install(app, settings.max_body_bytes)
    # Every API route: the error responses it can give, and a 422 for a query parameter it does not take.
    for module in ROUTERS:
        include_flat(
            app.router,
            module.router,
            prefix=API_PREFIX,
            responses=ERROR_RESPONSES,
            dependencies=[Depends(reject_unknown_query)],
        )
    include_flat(app.router, health.router)
    docs_assets.install(app)  # before web: its /static mount would take /static/docs too
    web.install(app)  # the browser pages and their assets
    security.install(
        app, settings, not_found_page
    )  # after web: its middlewares (auth, headers with the CSP) wrap the pages too
    _document_chain_schema(app)
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory``: settings from the environment."""
    return create_app(Settings())


def _document_chain_schema(app: FastAPI) -> None:
    """The import route reads its body by hand (JSON or YAML); add the schema its docs refer to."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        document = ChainDocument.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in document.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components["ChainDocument"] = document
        _document_auth(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


BEARER = "bearerAuth"


def _document_auth(schema: dict[str, Any]) -> None:
    """The bearer token (security/middleware.py) in the OpenAPI: every /api/v1 operation needs one.

    Declared so clients and tools (Swagger UI's Authorize, schemathesis' ignored_auth check) know;
    in local mode (no token in the database) the server does not ask for it.
    """
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token, `obg_...` (see `obligraph token create`); "
        "a workspace token sees only its workspace.",
    }
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["security"] = [{BEARER: []}] if path.startswith(API_PREFIX + "/") else []
