"""``/login`` and ``/logout``: a token in, an HttpOnly SameSite=Strict session cookie out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from obligraph.app.security import tokens
from obligraph.app.security.session import COOKIE, CSRF_COOKIE, LIFETIME_S
from obligraph.app.web.render import render

router = APIRouter(include_in_schema=False)
MAX_FIELD = 2000


def _safe_next(target: str) -> str:
    # Only a path on this site: "//evil.example" or "https://..." would make /login an open redirect.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(next: str = "/") -> HTMLResponse:
    return render("login.html", title="Sign in", next=_safe_next(next[:MAX_FIELD]))


@router.post("/login")
def login(
    request: Request,
    token: Annotated[str, Form(description="An API token (obg_...).")] = "",
    next: Annotated[str, Form(description="The page to go to after signing in.")] = "/",
) -> Response:
    # Form() reads urlencoded and multipart bodies (python-multipart); the body size is capped by
    # the app's body limit, and over-long fields are cut here rather than refused.
    target = _safe_next(next[:MAX_FIELD])
    service = request.app.state.service
    with service.db.read() as session:
        principal = tokens.authenticate(session, token[:MAX_FIELD].strip())
    if principal is None:
        return render("login.html", status=401, title="Sign in", next=target, message="That token is not valid.")
    cookie, csrf = request.app.state.sessions.issue(principal.token_id)
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(COOKIE, cookie, max_age=LIFETIME_S, httponly=True, samesite="strict", secure=secure, path="/")
    # Readable by the page's script, which echoes it in X-CSRF-Token; useless without the session.
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=LIFETIME_S, httponly=False, samesite="strict", secure=secure, path="/"
    )
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
