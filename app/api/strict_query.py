"""Refuse query parameters a route does not declare (``?node=`` on ``GET .../fixes`` was silently ignored).

FastAPI reads the query parameters a route declares and ignores the rest, so a typo or a filter a
route does not have (``?nod=``, ``?node=`` where there is no node filter) returns an unfiltered
answer that looks like a filtered one. ``reject_unknown_query`` is a dependency put once on the
``/api/v1`` router (``main.create_app``): it compares the request's query keys with the names the
matched route declares (its own parameters, its dependencies', and the fields of a Pydantic model
taken as ``Query()``) and answers 422 naming each unknown one, in the API's error shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

_ALLOWED = "obligraph_query_names"


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    """The query parameter names (aliases) a route takes, over all its dependencies."""
    names: set[str] = set()
    pending, seen = [dependant], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        pending.extend(current.dependencies)
        for field in current.query_params:
            annotation = field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                # A model taken as Query(): its fields are the parameters.
                names.update(info.alias or name for name, info in annotation.model_fields.items())
            else:
                names.add(field.alias)
    return frozenset(names)


def _allowed(route: Any) -> frozenset[str] | None:
    allowed = getattr(route, _ALLOWED, None)
    if allowed is None:
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            return None
        allowed = declared_query_names(dependant)
        setattr(route, _ALLOWED, allowed)  # the same for every request to the route: computed once
    return allowed


async def reject_unknown_query(request: Request) -> None:
    allowed = _allowed(request.scope.get("route"))
    if allowed is None:
        return
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in allowed]
    if unknown:
        # The same error entry Pydantic gives an unknown field, so core/http_errors.py words it the same way:
        # "unknown query parameter 'node'; remove it (GET /docs lists the parameters of each route)".
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": "Extra inputs are not permitted",
                    "input": request.query_params.get(name),
                }
                for name in unknown
            ]
        )
