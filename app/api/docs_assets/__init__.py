"""``/docs`` (Swagger UI) served from this process: no CDN, and within the app's CSP.

FastAPI's own page loads Swagger UI from a CDN (so it breaks offline) and starts it with an inline
script (so it needs ``script-src 'unsafe-inline'``). Here the JS and CSS come from the
``fastapi-offline`` package (``fastapi_offline/static``: swagger-ui-bundle.js, swagger-ui.css,
favicon.png) and the init script from this package's ``static/``, all under ``/static/docs/``
(public, like ``/static``); the page is built here with no inline script or style and carries the
same ``Content-Security-Policy`` as every page (tests/browser/test_docs_page.py: no violation).

There is no ``/redoc``: ReDoc 2.5 writes its CSS into ``<style>`` elements, starts its search in a
``blob:`` worker and loads its logo from Redocly's CDN, none of which the CSP allows; Swagger UI
shows the same OpenAPI document.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from obligraph.app.security.csp import POLICY

ASSETS_URL = "/static/docs"
#: Searched in order: this package's own files, then the Swagger UI build fastapi-offline ships.
PACKAGES: list[str | tuple[str, str]] = [("obligraph.app.api.docs_assets", "static"), ("fastapi_offline", "static")]


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="icon" type="image/png" href="{ASSETS_URL}/favicon.png">\n{head}'
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )
    # Also set by the middlewares; set here too so the page keeps it wherever it is mounted.
    return HTMLResponse(html, headers={"Content-Security-Policy": POLICY})


def swagger_ui_html(title: str, openapi_url: str) -> HTMLResponse:
    return _page(
        f"{title} - Swagger UI",
        f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">\n',
        f'<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>\n'
        f'<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>\n'
        f'<script src="{ASSETS_URL}/swagger-init.js"></script>\n',
    )


def install(app: FastAPI, docs_url: str = "/docs") -> None:
    """Mount the assets and add the page; create the app with ``docs_url=None, redoc_url=None``.

    Call before ``web.install``: its ``/static`` mount would otherwise take ``/static/docs`` too.
    """
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title
    app.mount(ASSETS_URL, StaticFiles(packages=PACKAGES), name="docs-assets")

    # The endpoint closes over the two strings, never over ``app``: FastAPI keeps endpoints in a
    # module-level cache, and one that held the app kept every app (and its service) alive.
    @app.get(docs_url, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return swagger_ui_html(title, openapi_url)
