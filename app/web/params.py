"""The analysis a page shows: requirement and date, chosen on the page and kept in its URL.

Every analysis page (map, node, gaps, heat map, impact) reads ``?require=``, ``?as_of=`` and
``?guided=1`` (only the controls with cloud guidance) the way the API does, and its links and downloads carry them on, so a shared URL shows the same
numbers. A bad value is a 400 page that names the field and the fix, not the API's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query

from obligraph.graph.lattice import Status


class PageBadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PageAnalysis:
    requirement: str | None
    as_of: date | None
    cloud_guidance_only: bool = False

    def args(self) -> tuple[str | None, date | None, None, bool]:
        """For ``View.analysis(*args)``: the workspace's controls, narrowed when asked."""
        return (self.requirement, self.as_of, None, self.cloud_guidance_only)

    def cache_key(self) -> tuple[str | None, date, bool]:
        return (self.requirement, self.as_of or date.today(), self.cloud_guidance_only)

    @property
    def query(self) -> str:
        """``?require=...&as_of=...&guided=1`` (empty when all are the defaults), for links and downloads."""
        pairs = [
            (k, v)
            for k, v in (("require", self.requirement), ("as_of", self.as_of), ("guided", self.cloud_guidance_only))
            if v
        ]
        return "?" + urlencode([(k, "1" if v is True else str(v)) for k, v in pairs]) if pairs else ""


def page_analysis(
    require: Annotated[str | None, Query(max_length=32)] = None,
    as_of: Annotated[str | None, Query(max_length=32)] = None,
    guided: Annotated[str | None, Query(max_length=8)] = None,
) -> PageAnalysis:
    requirement = (require or "").strip() or None
    if requirement is not None and requirement not in Status._value2member_map_:
        choices = ", ".join(s.value for s in Status)
        raise PageBadRequest(f"require: '{requirement}' is not a status; choose one of {choices}")
    day = None
    if (as_of or "").strip():
        try:
            day = date.fromisoformat(as_of.strip())  # type: ignore[union-attr]
        except ValueError:
            raise PageBadRequest(f"as_of: '{as_of}' is not a date; write it as YYYY-MM-DD") from None
    flag = (guided or "").strip().lower()
    if flag not in ("", "0", "1", "true", "false", "on"):
        raise PageBadRequest(f"guided: '{guided}' is not a yes or no; write guided=1 or leave it out")
    return PageAnalysis(requirement, day, flag in ("1", "true", "on"))


PageAnalysisDep = Annotated[PageAnalysis, Depends(page_analysis)]


def analysis_context(analysis: Any, choice: PageAnalysis) -> dict[str, Any]:
    """What the requirement and date chooser (base.html) shows, and the query its links carry."""
    return {
        "choice": choice,
        "analysis_query": choice.query,
        "requirement": analysis.requirement.value,
        "cloud_guidance_only": choice.cloud_guidance_only,
        "as_of": analysis.as_of.isoformat(),
    }
