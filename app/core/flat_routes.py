"""``include_flat``: a router's routes added to the app one by one, as ``include_router`` did until FastAPI 0.137.

Since 0.137, ``include_router`` keeps the included router as a branch of ``app.routes``, and every
request walks the branches: a router's routes are matched against the path once to choose the
branch and again inside it, at each level. With our 14 API routers under one ``/api/v1`` router, that
was a fifth of the CPU a declaration ``PUT`` cost in the process (``benchmarks/README.md``, "Flat
routes"). Added flat, the routes form one list that a request is matched against once.

What a route keeps is what ``include_router`` gives it: its own dependencies after those of the
inclusion, its responses over the inclusion's, every other attribute as declared (the OpenAPI
document is the same either way; a test compares them).
"""

from __future__ import annotations

import inspect
from typing import Any, Mapping, Sequence

from fastapi import APIRouter
from fastapi.params import Depends
from fastapi.routing import APIRoute

# The keyword arguments of ``add_api_route`` that an APIRoute keeps as attributes of the same name;
# read from the signature so that a new FastAPI's new route option is carried over too.
_CARRIED = tuple(
    name
    for name in inspect.signature(APIRouter.add_api_route).parameters
    if name not in {"self", "path", "endpoint", "dependencies", "responses", "route_class_override"}
)


def include_flat(
    target: APIRouter,
    router: APIRouter,
    *,
    prefix: str = "",
    dependencies: Sequence[Depends] = (),
    responses: Mapping[int | str, dict[str, Any]] | None = None,
) -> None:
    """Add each route of ``router`` to ``target`` under ``prefix``, as ``target.include_router`` would.

    >>> from fastapi import FastAPI
    >>> app, router = FastAPI(), APIRouter(prefix="/items")
    >>> @router.get("/{item}")
    ... def read(item: str) -> dict[str, str]:
    ...     return {"item": item}
    >>> include_flat(app.router, router, prefix="/api")
    >>> [route.path for route in app.routes if isinstance(route, APIRoute)]
    ['/api/items/{item}']
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"include_flat adds API routes only; {route!r} of {router!r} is not one")
        carried = {name: getattr(route, name) for name in _CARRIED if hasattr(route, name)}
        target.add_api_route(
            prefix + route.path,
            route.endpoint,
            dependencies=[*dependencies, *route.dependencies],
            responses={**(responses or {}), **route.responses},
            **carried,
        )
