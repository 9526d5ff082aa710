"""The language selector: ``GET /language?lang=ja&next=/w/demo`` remembers the choice in a cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse

from obligraph.app.web.i18n import COOKIE, COOKIE_MAX_AGE, DEFAULT, LANGUAGES

router = APIRouter(include_in_schema=False)


@router.get("/language")
def choose_language(
    lang: Annotated[str, Query(max_length=8)] = DEFAULT, next: Annotated[str, Query(max_length=2000)] = "/"
) -> RedirectResponse:
    # Only a path on this site: "//host" or "http://..." would make the selector an open redirect.
    target = next if next.startswith("/") and not next.startswith("//") and "\\" not in next else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="lax", httponly=True)
    return response
