"""Templates (autoescape always on), the JSON data block, and opening a workspace for a page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from obligraph.app.core.exceptions import NotFound
from obligraph.app.core.json_encoding import dump_json
from obligraph.app.services.workspace import Service, View
from obligraph.app.web import i18n
from obligraph.app.web.i18n import control_title
from obligraph.app.web.words import choices, word
from obligraph.graph.crosswalk import iso27002_2022_ids

TEMPLATES = Path(__file__).parent / "templates"

# autoescape=True for every template, not select_autoescape: no file name can turn it off.
env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
# newstyle: _("... %(name)s", name=x) formats after translating, and escapes the values.
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]


def json_block(value: Any) -> Markup:
    """JSON for ``<script type="application/json">``; see ``json_text``."""
    return json_text(dump_json(value).decode("utf-8"))


def json_text(text: str) -> Markup:
    """Already-dumped JSON made safe inside a script element: <, >, &, ' and the JS line separators
    become \\u escapes (still the same JSON), so no value can close the block or open a comment."""
    for raw, escaped in _JSON_ESCAPES:
        text = text.replace(raw, escaped)
    return Markup(text)


_JSON_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("'", "\\u0027"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


env.filters["json_block"] = json_block
# A 2005 control id's ISO/IEC 27002:2022 numbers, for pages to show beside it: {{ "10.5.1"|iso2022 }}
# gives ("8.13",); empty for ids no 2022 control maps to (and for other catalogs' ids).
env.filters["iso2022"] = iso27002_2022_ids
env.globals["iso27002_2022_ids"] = iso27002_2022_ids
env.filters["word"] = word
env.globals["choices"] = choices
env.globals["languages"] = i18n.LANGUAGES
env.globals["current_language"] = i18n.current_language
env.globals["current_path"] = i18n.current_path


env.filters["control_title"] = control_title


class PageNotFound(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("lang", i18n.current_language())  # templates pick titles and texts by it
    return HTMLResponse(env.get_template(name).render(**context), status_code=status)


def not_found_page(message: str) -> HTMLResponse:
    return render("error.html", status=404, title=i18n.gettext("Not found"), message=message)


def bad_request_page(message: str) -> HTMLResponse:
    return render("error.html", status=400, title=i18n.gettext("Bad request"), message=message)


def service_of(request: Request) -> Service:
    return request.app.state.service


@contextmanager
def page_view(request: Request, ws: str) -> Iterator[View]:
    """The workspace's view; an unknown workspace becomes ``PageNotFound`` (a 404 page, not JSON)."""
    with pages_not_found(), service_of(request).view(ws) as view:
        yield view


@contextmanager
def pages_not_found() -> Iterator[None]:
    """A NotFound (no such workspace, node, snapshot) raised inside becomes the 404 page."""
    try:
        yield
    except NotFound as exc:
        raise PageNotFound(exc.message) from None
