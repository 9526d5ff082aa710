"""``/login`` and ``/logout``: a token in, an HttpOnly SameSite=Strict session cookie out."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from obligraph.app.security import tokens
from obligraph.app.security.session import COOKIE, CSRF_COOKIE, LIFETIME_S
from obligraph.app.web.render import render

router = APIRouter(include_in_schema=False)
MAX_FORM = 4096


def _safe_next(target: str) -> str:
    # Only a path on this site: "//evil.example" or "https://..." would make /login an open redirect.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(next: str = "/") -> HTMLResponse:
    return render("login.html", title="Sign in", next=_safe_next(next[:2000]))


@router.post("/login")
async def login(request: Request) -> Response:
    body = (await request.body())[:MAX_FORM].decode("utf-8", "replace")
    form = {key: values[0] for key, values in parse_qs(body).items()}
    target = _safe_next(form.get("next", "/")[:2000])
    service = request.app.state.service
    with service.db.read() as session:
        principal = tokens.authenticate(session, form.get("token", "").strip())
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
