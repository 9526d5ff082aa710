"""Dependencies shared by the routers: the service, path and paging parameters, analysis parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request

from obligraph.app.services.evidence_watch import MAX_EXPIRING_DAYS
from obligraph.app.services.workspace import Service
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Status


async def get_service(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]

WorkspaceId = Annotated[str, Path(description="Workspace id.", max_length=64, examples=["demo"])]
NodePath = Annotated[str, Path(description="Node id.", max_length=128, examples=["acme-compute"])]
ProviderPath = Annotated[str, Path(description="Provider node id.", max_length=128, examples=["acme-compute"])]
ConsumerPath = Annotated[str, Path(description="Consumer node id.", max_length=128, examples=["hr-saas"])]
ControlPath = Annotated[str, Path(description="Control id of the catalog.", max_length=64, examples=["10.5.1"])]

MAX_PAGE = 1000


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.", examples=[100])] = 100,
    cursor: Annotated[str | None, Query(max_length=512, description="The `next` value of the previous page.")] = None,
) -> PageParams:
    return PageParams(limit, cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


@dataclass(frozen=True)
class AnalysisParams:
    requirement: str | None
    as_of: date | None
    controls: tuple[str, ...] | None
    cloud_guidance_only: bool = False

    def key(self) -> tuple[Any, ...]:
        return (self.requirement, self.as_of, self.controls, self.cloud_guidance_only)

    def key_today(self) -> tuple[Any, ...]:
        """For response caches: a default date means today, which changes at midnight."""
        return (self.requirement, self.as_of or date.today(), self.controls, self.cloud_guidance_only)

    def arguments(self, chain: Chain) -> tuple[str | None, date | None, tuple[str, ...] | None]:
        """``analyze``'s requirement, date and controls, narrowed to the controls with cloud guidance when asked."""
        controls = self.controls
        if self.cloud_guidance_only:
            controls = tuple(chain.analysed_controls(controls, cloud_guidance_only=True))
        return self.requirement, self.as_of, controls


async def analysis_params(
    require: Annotated[
        Status | None,
        Query(description="Lowest effective status that counts as assured (default: the workspace's, else declared)."),
    ] = None,
    as_of: Annotated[date | None, Query(description="Analysis date, YYYY-MM-DD (default: today).")] = None,
    controls: Annotated[
        str | None,
        Query(
            max_length=100_000,
            description="Comma-separated control ids to analyse (default: the workspace's list, else the catalog's)."
            " Catalog ids (10.5.1) or newer numbers: 27002:2022/8.13, 27002:2013/A.12.3.1, ccm:BCR-08.",
            examples=["10.5.1,6.1.3"],
        ),
    ] = None,
    cloud_guidance_only: Annotated[
        bool,
        Query(
            description="Analyse only the chosen controls (default: every catalog control) that carry cloud guidance."
        ),
    ] = False,
) -> AnalysisParams:
    chosen = split_list(controls)
    return AnalysisParams(
        require.value if require else None, as_of, tuple(chosen) if chosen is not None else None, cloud_guidance_only
    )


AnalysisDep = Annotated[AnalysisParams, Depends(analysis_params)]

#: The day the API assesses evidence items for (``assures``, ``reason``) where it lists declarations.
AssessedOn = Annotated[
    date | None, Query(description="The day each evidence item's assures/reason is for, YYYY-MM-DD (default: today).")
]

#: Days after the analysis date within which lapsing evidence is listed (``GET .../evidence``).
ExpiringWithin = Annotated[
    int,
    Query(
        ge=0,
        le=MAX_EXPIRING_DAYS,
        description="List evidence whose last day in force is at most this many days after as_of.",
        examples=[90],
    ),
]


def split_list(value: str | list[str] | None) -> list[str] | None:
    """``a,b`` or a repeated parameter, as one list; None when not given."""
    if value is None:
        return None
    parts = value if isinstance(value, list) else [value]
    items = [item.strip() for part in parts for item in part.split(",") if item.strip()]
    return list(dict.fromkeys(items)) if items else None


async def raw_body(request: Request) -> bytes:
    # BodyLimitMiddleware stops this read with a 413 once the body passes the cap.
    return await request.body()


#: The request body as bytes, for routes that parse it themselves (JSON, YAML, CSV, GraphML ...).
RawBody = Annotated[bytes, Depends(raw_body)]
