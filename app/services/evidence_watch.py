"""The evidence watch list as the API and the evidence page give it, from ``graph.analysis.lapsing_evidence``."""

from __future__ import annotations

from typing import Any

from obligraph.graph.analysis import Analysis, lapsing_evidence

#: The longest look-ahead: each distinct lapse day in it costs one analysis of the controls concerned.
MAX_EXPIRING_DAYS = 3660


def evidence_watch(analysis: Analysis, revision: int, within_days: int) -> dict[str, Any]:
    items = lapsing_evidence(analysis, within_days)
    return {
        "requirement": analysis.requirement.value,
        "as_of": analysis.as_of.isoformat(),
        "expiring_within": within_days,
        "revision": revision,
        "count": len(items),
        "items": items,
    }
