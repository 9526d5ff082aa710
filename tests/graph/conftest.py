"""Fixtures of the core tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

import obligraph.graph.analysis.result as analysis_result


@pytest.fixture(scope="session")
def monkeypatch_budget() -> Callable[[int], AbstractContextManager[None]]:
    """``with monkeypatch_budget(cells):`` analyses in blocks of at most that many cells (at least 8
    controls a block); session-scoped so Hypothesis tests can use it."""

    @contextmanager
    def budget(cells: int) -> Iterator[None]:
        saved = analysis_result.CELL_BUDGET
        analysis_result.CELL_BUDGET = cells
        try:
            yield
        finally:
            analysis_result.CELL_BUDGET = saved

    return budget
