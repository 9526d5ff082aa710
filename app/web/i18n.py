"""The page language: English or Japanese, from Babel message catalogs.

The strings live in ``app/web/locale/<lang>/LC_MESSAGES/messages.po`` (in the repository);
``make install`` compiles them to ``.mo`` files (``pybabel compile``), which are never committed.
Templates use Jinja2's i18n extension (``{% trans %}``, ``_()``); Python code (the pages, the CLI)
calls ``gettext`` here. A missing ``.mo`` falls back to English with a warning in the log.

The language of a request: the ``obligraph_lang`` cookie (set by the language selector), else
the best match of ``Accept-Language``, else English. ``LanguageMiddleware`` puts it in a context
variable for the request, so rendering needs no request object.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.support import NullTranslations, Translations

if TYPE_CHECKING:  # the CLI uses this module too, without the web stack
    from starlette.types import ASGIApp, Receive, Scope, Send

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
#: Each language in its own words, for the selector.
LANGUAGES = {"en": "English", "ja": "日本語"}
COOKIE = "obligraph_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

log = logging.getLogger(__name__)
_current: ContextVar[str] = ContextVar("obligraph_language", default=DEFAULT)
_path: ContextVar[str] = ContextVar("obligraph_path", default="/")


@functools.cache
def translations(language: str) -> gettext_module.NullTranslations:
    if language == DEFAULT:
        return NullTranslations()
    found = Translations.load(str(LOCALE_DIR), [language], DOMAIN)
    if not isinstance(found, Translations):
        log.warning(
            "no compiled messages for '%s' under %s: pages stay in English (run `make install` to compile them)",
            language,
            LOCALE_DIR,
        )
    return found


def current_language() -> str:
    return _current.get()


def current_path() -> str:
    """The request's path and query: where the language selector sends the user back to."""
    return _path.get()


def set_language(language: str) -> Token[str]:
    """Make ``language`` the current one; returns the token for ``reset_language``."""
    return _current.set(language if language in LANGUAGES else DEFAULT)


def reset_language(token: Token[str]) -> None:
    _current.reset(token)


@contextmanager
def language(code: str) -> Iterator[None]:
    """Run a block (a CLI command, say) in ``code``'s language."""
    token = set_language(code)
    try:
        yield
    finally:
        reset_language(token)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


_ = gettext


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language if it is one we have, else the best of Accept-Language, else English.

    >>> negotiate(None, "ja,en-US;q=0.9")
    'ja'
    >>> negotiate("en", "ja")
    'en'
    >>> negotiate(None, "fr-FR, ja-JP;q=0.5, en;q=0.4")
    'ja'
    >>> negotiate(None, "de")
    'en'
    """
    if cookie in LANGUAGES:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT


class LanguageMiddleware:
    """Pure ASGI: sets the request's language before the app runs (threads inherit the context)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        token = set_language(negotiate(_cookie(headers.get("cookie", ""), COOKIE), headers.get("accept-language")))
        query = scope.get("query_string", b"").decode("latin-1")
        path_token = _path.set(scope.get("path", "/") + (f"?{query}" if query else ""))
        try:
            await self.app(scope, receive, send)
        finally:
            _path.reset(path_token)
            reset_language(token)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def control_title(control: Any) -> str:
    """A catalog control's title in the page's language (English when the catalog has no translation)."""
    if current_language() == "ja" and getattr(control, "title_ja", None):
        return control.title_ja
    return control.title


def localized(control: Any, field: str) -> Any:
    """``field`` of a catalog control in the page's language: ``<field>_ja`` on a Japanese page, when given."""
    if current_language() == "ja":
        value = getattr(control, f"{field}_ja", None)
        if value:
            return value
    return getattr(control, field, None)
