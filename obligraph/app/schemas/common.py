"""Shared pieces: the input base (unknown fields rejected), the error shape, pages."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


#: Error responses every route can give; listed in the OpenAPI document of each router.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "The workspace, node, edge or declaration does not exist."},
    422: {"model": ErrorResponse, "description": "The request is invalid; `details` says where and how to fix it."},
}


def page_example(item: Any) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a list route: one page holding ``item``."""
    return {200: {"content": {"application/json": {"example": {"items": [item], "next": "WzEwMF0"}}}}}
