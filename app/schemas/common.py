"""Shared pieces: the input base (unknown fields rejected), the error shape, pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

T = TypeVar("T")


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("cannot be null; give a value, or leave the field out to keep the current one")
    return value


#: For a field of an update that may be left out but not cleared: ``name: NotNull[ShortText] = None``.
#: The schema says "a string, optional" (no null), and null is refused as the schema says.
if TYPE_CHECKING:
    # Left out, the field holds its default None, so code reading it sees ``T | None``; the
    # schema stays ``T`` (below), as null is refused on input.
    NotNull = Annotated[T | None, BeforeValidator(_refuse_null)]
else:
    NotNull = Annotated[
        T, BeforeValidator(_refuse_null), Field(json_schema_extra=lambda schema: schema.pop("default", None))
    ]


class ErrorDetail(BaseModel):
    location: str = Field(examples=["body.layer"])
    message: str = Field(
        examples=["'cloud' is not allowed here (expected 'infra', 'iaas', 'paas', 'saas' or 'customer')"]
    )


class ErrorInfo(BaseModel):
    code: str = Field(examples=["invalid_request"])
    message: str
    details: list[ErrorDetail] | list[Any] = []


class ErrorResponse(BaseModel):
    error: ErrorInfo

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "not_found",
                        "message": "workspace 'demo' has no node 'acme-dns'",
                        "details": [],
                    }
                }
            ]
        }
    )


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(default=None, description="Pass as `cursor` to get the next page; null on the last page.")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


#: Error responses every /api/v1 route can give, in the one error shape; listed on each router.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("bad_request: a malformed value the schema cannot describe, e.g. a `cursor` not from `next`."),
    401: _error("unauthorized: no valid token; send `Authorization: Bearer obg_...`."),
    403: _error("forbidden: the token's role is too low for this route."),
    404: _error(
        "not_found: the workspace, node, edge, declaration or snapshot does not exist (or the token may not see it)."
    ),
    409: _error("conflict: it exists already, or the data changed meanwhile; reload and retry."),
    413: _error("body_too_large: the body is over the server's limit (OBLIGRAPH_MAX_BODY_BYTES)."),
    415: _error("unsupported_media_type: the body's Content-Type is not one this route reads."),
    422: _error("The request is invalid; `details` says where and how to fix it."),
    503: {
        **_error("unavailable: the database is busy or unreachable; retry after `Retry-After` seconds."),
        "headers": {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}},
    },
}


def page_example(item: Any) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a list route: one page holding ``item``."""
    return {200: {"content": {"application/json": {"example": {"items": [item], "next": "WzEwMF0"}}}}}


def links(path: str, operations: dict[str, str], parameters: dict[str, str]) -> dict[str, Any]:
    """OpenAPI links from a create route's answer to the operations on what it created.

    ``path`` is the full path template of the target (``/api/v1/workspaces/{ws}/nodes/{node}``),
    ``operations`` maps a link name to its method there, ``parameters`` maps each path parameter
    to a runtime expression (``$request.path.ws``, ``$response.body#/id``). Clients, and
    schemathesis' state machine, follow them: create, then get, change and delete that object.
    """
    ref = "#/paths/" + path.replace("~", "~0").replace("/", "~1")
    return {name: {"operationRef": f"{ref}/{method}", "parameters": parameters} for name, method in operations.items()}


#: The usual set: read, change, delete the object.
CRUD = {"Get": "get", "Update": "patch", "Delete": "delete"}
