"""Look up an analysis function of ``obligraph.graph.analysis`` by name, with a 501 if this build lacks it."""

from __future__ import annotations

from typing import Any, Callable

from obligraph.app.errors import ApiError


def engine_function(name: str) -> Callable[..., Any]:
    import obligraph.graph.analysis as analysis

    function = getattr(analysis, name, None)
    if function is None:
        raise ApiError(501, f"'{name}' is not available in this build of obligraph; upgrade it")
    return function
