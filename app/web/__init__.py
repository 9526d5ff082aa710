"""The browser UI: HTML pages (Jinja2, autoescaped), their static assets and vis-network served locally.

``install(app)`` mounts everything on the FastAPI app: ``/static`` (our JS and
CSS, and under ``/static/vendor/`` the vendored vis-network, so the map works with no internet)
and the page routers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

STATIC_DIR = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    # Imported here, not above: the CLI uses this package's i18n and words, and should not pay
    # for FastAPI and the service stack to print a table of gaps.
    from fastapi.staticfiles import StaticFiles

    from obligraph.app.core.flat_routes import include_flat
    from obligraph.app.web import language, warnings_view
    from obligraph.app.web.i18n import LanguageMiddleware
    from obligraph.app.web.pages import (
        analysis_pages,
        evidence_pages,
        login,
        snapshot_pages,
        table_pages,
        workspace_pages,
    )
    from obligraph.app.web.params import PageBadRequest
    from obligraph.app.web.render import PageNotFound, bad_request_page, not_found_page

    app.add_exception_handler(PageNotFound, lambda _request, exc: not_found_page(exc.message))
    app.add_exception_handler(PageBadRequest, lambda _request, exc: bad_request_page(exc.message))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(LanguageMiddleware)
    pages = (language, warnings_view, login, workspace_pages, table_pages, analysis_pages, evidence_pages)
    for module in (*pages, snapshot_pages):
        include_flat(app.router, module.router)
