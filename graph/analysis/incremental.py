"""``AnalysisCache``: the latest analysis of each chain, so the next one recomputes only what edits touched.

``analyze()`` itself is a pure function of its arguments: it reads the chain and, when given one,
a ``previous`` analysis of the same chain to borrow unchanged controls from. Whoever analyses the
same chain again and again (the service, per workspace revision) keeps an ``AnalysisCache``; after
declaration edits, its next analysis recomputes only the edited controls.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Iterable

from obligraph.graph.analysis.result import Analysis, analyze
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Status


class AnalysisCache:
    """The latest analysis of up to ``max_chains`` chains (the least recently analysed go first)."""

    def __init__(self, max_chains: int = 16) -> None:
        self.max_chains = max_chains
        # Keyed by the chain's lineage, which its forks share: the analysis of the revision before an
        # edit lends its results to the fork that holds the edit.
        self._latest: OrderedDict[object, Analysis] = OrderedDict()
        self._lock = threading.Lock()

    def analyze(
        self,
        chain: Chain,
        *,
        requirement: Status | str | None = None,
        as_of: date | str | None = None,
        controls: Iterable[str] | None = None,
    ) -> Analysis:
        with self._lock:
            previous = self._latest.get(chain.lineage)
        result = analyze(chain, requirement=requirement, as_of=as_of, controls=controls, previous=previous)
        with self._lock:
            self._latest[chain.lineage] = result
            self._latest.move_to_end(chain.lineage)
            while len(self._latest) > self.max_chains:
                self._latest.popitem(last=False)
        return result

    def forget(self, chain: Chain) -> None:
        with self._lock:
            self._latest.pop(chain.lineage, None)
