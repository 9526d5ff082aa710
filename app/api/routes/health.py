"""Liveness and readiness, outside /api/v1 where load balancers and orchestrators look."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from obligraph import __version__
from obligraph.app.api.deps import ServiceDep
from obligraph.app.core.http_errors import error_response

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    summary="The process is up",
    responses={200: {"content": {"application/json": {"example": {"status": "ok", "version": "0.1.0"}}}}},
)
async def healthz() -> Any:
    # async and free of I/O: this is the framework's floor that benchmarks compare against.
    return {"status": "ok", "version": __version__}


@router.get(
    "/readyz",
    summary="The database is reachable",
    responses={
        200: {"content": {"application/json": {"example": {"status": "ok", "database": "sqlite"}}}},
        503: {"description": "The database cannot be reached."},
    },
)
def readyz(service: ServiceDep) -> Any:
    try:
        service.db.ping()
    except Exception as exc:  # any failure means "not ready", and the reason goes to the caller
        return error_response(503, "unavailable", f"the database is not reachable: {type(exc).__name__}")
    return JSONResponse({"status": "ok", "database": service.db.backend})
