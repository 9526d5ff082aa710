"""Every failure as HTTP, in one place, with one shape: ``{"error": {"code", "message", "details"}}``.

``message`` is one sentence that says what to fix; ``details`` lists every problem with its
``location`` (``query.limit``, ``body.declarations[0].status``, ``nodes[3].layer`` ...).
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from obligraph.app.core.exceptions import (
    BadRequest,
    Conflict,
    DomainError,
    InvalidInput,
    NotAcceptable,
    NotFound,
    TooLarge,
    UnsupportedMediaType,
)
from obligraph.graph.errors import ChainError, format_location, validation_sentence

log = logging.getLogger("obligraph.app")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    501: "not_implemented",
    503: "unavailable",
}


#: The one translation of the services' failures into HTTP statuses.
_STATUS_OF = {
    BadRequest: 400,
    NotFound: 404,
    NotAcceptable: 406,
    Conflict: 409,
    TooLarge: 413,
    UnsupportedMediaType: 415,
    InvalidInput: 422,
}


def status_of(exc: DomainError) -> int:
    return next((status for kind, status in _STATUS_OF.items() if isinstance(exc, kind)), 400)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details if details is not None else []}}


def error_response(status: int, code: str, message: str, details: Any = None, headers=None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def summary(issues: list[dict[str, str]]) -> str:
    first = f"{issues[0]['location']}: {issues[0]['message']}"
    if len(issues) == 1:
        return first
    return f"{len(issues)} problems; the first: {first} (all are listed in details)"


def install(app: FastAPI, max_body_bytes: int) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return error_response(status_of(exc), exc.code, exc.message, exc.details)

    @app.exception_handler(ChainError)
    async def _chain_error(_request: Request, exc: ChainError) -> JSONResponse:
        issues = exc.to_dict()
        return error_response(422, "invalid_chain", summary(issues), issues)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        model = _body_model(request)
        issues = [_issue(error, model) for error in exc.errors()]
        return error_response(422, "invalid_request", summary(issues), issues)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        if status == 404 and exc.detail == "Not Found":
            message = f"there is no {request.url.path}; the API is under /api/v1 and described at /docs"
        elif status == 405:
            message = f"{request.method} is not allowed on {request.url.path}; see /docs for the methods it takes"
        elif status == 413:
            message = (
                f"the request body is larger than this server accepts ({max_body_bytes} bytes); "
                "send less, or raise OBLIGRAPH_MAX_BODY_BYTES"
            )
        else:
            message = str(exc.detail)
        return error_response(status, _CODES.get(status, "error"), message, headers=exc.headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc.orig)
        return error_response(409, "conflict", "the change conflicts with data stored meanwhile; reload and retry")

    @app.exception_handler(DataError)
    @app.exception_handler(psycopg.DataError)
    async def _bad_value(_request: Request, exc: Exception) -> JSONResponse:
        log.info("value refused by the database: %s", exc)
        return error_response(
            422,
            "invalid_request",
            "a value in the request cannot be stored (for example, it contains a NUL character); remove it",
        )

    # A lock not granted in time (SQLite busy_timeout, PostgreSQL lock_timeout) is an OperationalError;
    # so is a lost connection. All connections of the pool busy past its timeout is the same
    # overload seen from this process. Each is worth a retry, none is the client's fault.
    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeoutError)
    async def _operational(_request: Request, exc: Exception) -> JSONResponse:
        log.warning("database error: %s", getattr(exc, "orig", None) or exc)
        return error_response(
            503, "unavailable", "the database is busy or unreachable; retry shortly", headers={"Retry-After": "1"}
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        # The client gets the request id, never the traceback; the log line ties the two together.
        request_id = getattr(request.state, "request_id", None) or "-"
        log.exception("unhandled error (request %s)", request_id, exc_info=exc)
        return error_response(
            500,
            "internal_error",
            f"internal error; the server log has the details (request {request_id})",
            headers={"X-Request-ID": request_id},
        )


def _body_model(request: Request) -> type[BaseModel] | None:
    route = request.scope.get("route")
    field = getattr(route, "body_field", None)
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _issue(error: dict[str, Any], model: type[BaseModel] | None) -> dict[str, str]:
    loc = tuple(error.get("loc", ()))
    field = next((part for part in reversed(loc) if isinstance(part, str)), "value")
    if error.get("type") == "extra_forbidden" and loc[:1] == ("query",):
        message = f"unknown query parameter '{field}'; remove it (GET /docs lists the parameters of each route)"
    elif loc[:1] == ("body",):
        message = validation_sentence(error, model, model_loc=loc[1:])
    else:
        message = validation_sentence(error)
    return {"location": format_location(loc), "message": message}
