"""Authentication and authorization in front of every route (pure ASGI, so streaming is untouched).

It matches the request against the app's routes itself, so the rule in ``policy.need`` applies
to every route, including ones added later without thinking of security. Another workspace is
answered exactly like a missing one (404), so a token cannot learn which workspaces exist.
"""

from __future__ import annotations

import time
from http.cookies import SimpleCookie
from typing import Callable, Optional
from urllib.parse import quote

import anyio
from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from obligraph.app.core.http_errors import error_response
from obligraph.app.security import policy, tokens
from obligraph.app.security.session import COOKIE, CSRF_HEADER
from obligraph.app.security.tokens import Principal

#: Renders the browser's "not found" page for a message.
NotFoundPage = Callable[[str], Response]

#: While auth is off, look again for new tokens (made by the CLI in another process) this often.
RECHECK_S = 1.0


class AuthMiddleware:
    def __init__(self, app: ASGIApp, required: bool = False, page_not_found: NotFoundPage | None = None) -> None:
        self.app = app
        self.required = required
        # The browser's 404 page belongs to the web layer; it is handed in so security does not import it.
        self.page_not_found = page_not_found
        self._on = required
        self._checked = (-1, 0.0)  # (token generation, monotonic time) of the last look

    def known_off(self) -> bool:
        """Off, and looked recently enough: answered without a thread hop, the local-mode fast path."""
        fresh = time.monotonic() - self._checked[1] < RECHECK_S
        return not self._on and self._checked[0] == tokens.generation and fresh

    def enabled(self, service) -> bool:
        """Auth is on once any token exists (revoked ones count: revoking all must not open the door)."""
        if self._on:
            return True
        now = time.monotonic()
        with service.db.read() as session:
            self._on = tokens.any_token(session)
        self._checked = (tokens.generation, now)
        return self._on

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        app = scope["app"]
        service = app.state.service
        state = scope.setdefault("state", {})
        if self.known_off() or not await anyio.to_thread.run_sync(self.enabled, service):
            state["principal"] = None  # local mode: one user, who may do everything
            await self.app(scope, receive, send)
            return
        template, params = _route_of(app, scope)
        if template is None:  # no route: the app's own 404, which reveals nothing
            await self.app(scope, receive, send)
            return
        need = policy.need(scope["method"], template)
        if need.level == policy.PUBLIC:
            await self.app(scope, receive, send)
            return
        page = template == "/" or template.startswith("/w/")
        api = template.startswith("/api/")  # the JSON API: the cookie only counts with the CSRF header
        principal = await anyio.to_thread.run_sync(_principal, app, service, Headers(scope=scope), api)
        if principal is None:
            await _unauthenticated(not page, scope)(scope, receive, send)
            return
        refusal = _refusal(principal, need, params, not page, self.page_not_found)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        state["principal"] = principal
        await self.app(scope, receive, send)


def routes_of(app) -> list:
    """Every route, flattened: this FastAPI keeps included routers as lazy branches in app.routes."""
    return list(iter_route_contexts(app.router.routes))


def _route_of(app, scope: Scope) -> tuple[Optional[str], dict]:
    partial: tuple[Optional[str], dict] = (None, {})
    for route in routes_of(app):
        match, child = route.matches(scope)
        path = route.path_format or route.path or ""
        if match is Match.FULL:
            return path, child.get("path_params", {})
        if match is Match.PARTIAL and partial[0] is None:
            partial = (path, child.get("path_params", {}))  # a method mismatch (405): judged all the same
    return partial


def _principal(app, service, headers: Headers, api: bool) -> Optional[Principal]:
    authorization = headers.get("authorization", "")
    with service.db.read() as session:
        if authorization:
            scheme, _, secret = authorization.partition(" ")
            return tokens.authenticate(session, secret.strip()) if scheme.lower() == "bearer" else None
        cookie = SimpleCookie(headers.get("cookie", "")).get(COOKIE)
        if cookie is None:
            return None
        sessions = app.state.sessions
        token_id = sessions.token_id(cookie.value)
        # The JSON API takes the cookie only with the CSRF header: a cross-site form cannot set it.
        if token_id is None or (api and not sessions.csrf_ok(cookie.value, headers.get(CSRF_HEADER))):
            return None
        return tokens.principal_by_id(session, token_id)


def _unauthenticated(api: bool, scope: Scope) -> Response:
    if not api:
        target = scope["path"] + (("?" + scope["query_string"].decode("latin-1")) if scope["query_string"] else "")
        return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
    return error_response(
        401,
        "unauthorized",
        "this server needs a token: send 'Authorization: Bearer obg_...' (see `obligraph token create`)",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _refusal(
    principal: Principal, need: policy.Need, params: dict, api: bool, page_not_found: NotFoundPage | None
) -> Optional[Response]:
    ws = params.get(need.ws_param) if need.ws_param else None
    if ws is not None and not principal.can_see(ws):
        return _not_found(ws, api, page_not_found)
    if need.level == policy.ANY:
        return None
    if need.level == policy.ADMIN and not principal.is_admin:
        return error_response(403, "forbidden", "this needs an admin token")
    if need.level != policy.ADMIN and not principal.at_least(need.level):
        message = f"this needs the role '{need.level}' or higher; the token is '{principal.role}'"
        return error_response(403, "forbidden", message)
    return None


def _not_found(ws: str, api: bool, page_not_found: NotFoundPage | None) -> Response:
    # The very message of a missing workspace (service.workspace), so the two cannot be told apart.
    message = f"there is no workspace '{ws}'; create it with POST /api/v1/workspaces"
    if api or page_not_found is None:
        return error_response(404, "not_found", message)
    return page_not_found(message)
