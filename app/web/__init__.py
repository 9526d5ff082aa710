"""The browser UI: HTML pages (Jinja2, autoescaped), their static assets and vis-network served locally.

``install(app)`` mounts everything on the FastAPI app: ``/static`` (our JS and
CSS, and under ``/static/vendor/`` the vendored vis-network, so the map works with no internet)
and the page routers.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from obligraph.app.web.render import PageNotFound, not_found_page

STATIC_DIR = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    from obligraph.app.web.pages import (
        analysis_pages,
        login,
        snapshot_pages,
        table_pages,
        workspace_pages,
    )

    app.add_exception_handler(PageNotFound, lambda _request, exc: not_found_page(exc.message))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(login.router)
    app.include_router(workspace_pages.router)
    app.include_router(table_pages.router)
    app.include_router(analysis_pages.router)
    app.include_router(snapshot_pages.router)
