"""Access control and hardening: API tokens, roles, the session cookie, CSRF and security headers.

``install(app, settings, page_not_found)`` adds the middlewares (the login pages are in ``web``). With no token in the
database and ``OBLIGRAPH_AUTH`` not ``required``, everything passes: the single-user local mode.
"""

from __future__ import annotations

from typing import Callable

from fastapi import FastAPI
from starlette.responses import Response

from obligraph.app.core.settings import Settings


def install(app: FastAPI, settings: Settings, page_not_found: Callable[[str], Response] | None = None) -> None:
    from obligraph.app.security.headers import HeadersMiddleware
    from obligraph.app.security.middleware import AuthMiddleware
    from obligraph.app.security.session import Sessions

    app.state.sessions = Sessions(settings)
    # Added last = outermost: the headers wrap the auth middleware's own 401/403/404 answers too.
    app.add_middleware(AuthMiddleware, required=settings.auth == "required", page_not_found=page_not_found)
    app.add_middleware(HeadersMiddleware)


def visible_only(request) -> "str | None":
    """The one workspace a request's token may see, for lists; None when it may see all (admin, local mode)."""
    principal = getattr(request.state, "principal", None)
    if principal is None or principal.is_admin:
        return None
    return principal.workspace_id
