"""Control catalogs (read-only): the shipped ones, each in full, one control."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from obligraph.app.core.exceptions import NotFound
from obligraph.app.schemas.common import ERROR_RESPONSES
from obligraph.graph.catalog import Catalog, CatalogJSON, available_catalogs, load_catalog
from obligraph.graph.crosswalk import unknown_control_message, with_iso27002_2022

router = APIRouter(prefix="/catalogs", tags=["catalogs"], responses=ERROR_RESPONSES)

CatalogPath = Annotated[str, Path(max_length=100, examples=["meti-2011"])]
ControlPath = Annotated[str, Path(max_length=64, examples=["10.5.1"])]

CONTROL_EXAMPLE = {
    "id": "10.5.1",
    "clause": "10",
    "objective_id": "10.5",
    "objective_title": "Back-up",
    "title": "Information back-up",
    "title_ja": "情報のバックアップ",
    "user_guidance": "...",
    "user_guidance_ja": "...",
    "provider_expectation": "...",
    "provider_expectation_ja": "...",
    "notes": {"iaas": "..."},
    "responsibility": {"infra": "customer", "iaas": "shared", "paas": "shared", "saas": "shared"},
    "rationale": "...",
    "cloud_guidance": True,
    "incidents": ["hosting-data-loss"],
    "iso27002_2022": ["8.13"],
}


def _catalog_dict(catalog: Catalog) -> CatalogJSON:
    """The catalog as ``Catalog.to_dict`` gives it, each control with its ISO/IEC 27002:2022 ids."""
    return with_iso27002_2022(catalog.to_dict(), catalog)


def _catalog(catalog_id: str) -> Catalog:
    # Only shipped ids: load_catalog also takes file paths, which must never come from a request.
    if catalog_id not in available_catalogs():
        raise NotFound(f"there is no catalog '{catalog_id}' (known: {', '.join(available_catalogs())})")
    return load_catalog(catalog_id)


@router.get(
    "",
    summary="List the catalogs",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "items": [
                            {
                                "id": "meti-2011",
                                "title": "METI ... Use of Cloud Computing Services (2011 guideline, FY2013 edition)",
                                "title_ja": "クラウドサービス利用のための情報セキュリティマネジメントガイドライン 2013年度版",
                                "version": "FY2013 edition of the 2011 guideline",
                                "controls": 133,
                                "cloud_guidance": 106,
                            }
                        ],
                        "next": None,
                    }
                }
            }
        }
    },
)
def list_catalogs() -> Any:
    items = []
    for catalog_id in available_catalogs():
        catalog = load_catalog(catalog_id)
        items.append(
            {
                "id": catalog.id,
                "title": catalog.title,
                "title_ja": catalog.document.title_ja,
                "version": catalog.document.version,
                "controls": len(catalog),
                "cloud_guidance": len(catalog.cloud_guidance_ids),
            }
        )
    return {"items": items, "next": None}


@router.get(
    "/{catalog_id}",
    summary="A catalog in full",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "id": "meti-2011",
                        "title": "...",
                        "title_ja": "...",
                        "version": "FY2013 edition of the 2011 guideline",
                        "source": "...",
                        "clauses": {"10": {"title": "Communications and operations management"}},
                        "controls": [CONTROL_EXAMPLE],
                    }
                }
            }
        }
    },
)
def get_catalog(catalog_id: CatalogPath) -> Any:
    return _catalog_dict(_catalog(catalog_id))


@router.get(
    "/{catalog_id}/controls/{control}",
    summary="One control with its guidance",
    responses={200: {"content": {"application/json": {"example": CONTROL_EXAMPLE}}}},
)
def get_control(catalog_id: CatalogPath, control: ControlPath) -> Any:
    catalog = _catalog(catalog_id)
    if control not in catalog:
        raise NotFound(unknown_control_message(control, catalog))
    return next(item for item in _catalog_dict(catalog)["controls"] if item["id"] == control)
