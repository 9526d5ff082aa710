"""Root causes and blockers on demand: a backwards breadth-first search from one (node, control) cell.

The engine knows every effective status; which contributors caused it (root causes: own status
equal to the effective one) or hold it below the requirement (blockers), and by which delegating
path, is only needed for the gaps a person looks at, so it is computed per gap.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, NotRequired, TypedDict

import numpy as np

from obligraph.graph.compiled import CUSTOMER, CompiledChain


class ContributorDict(TypedDict):
    """A root cause or blocker as the analysis document gives it."""

    node: str
    status: str
    path: list[str]
    note: NotRequired[str]


@dataclass(frozen=True)
class RootCause:
    """A contributor of a gap (a root cause or a blocker), with its own status and one shortest path."""

    node: str
    status: str
    path: list[str]  # from the contributor down to the node with the gap, over delegating edges
    note: str | None = None  # why its status counts lower than it was declared, when it does

    def to_dict(self) -> ContributorDict:
        data: ContributorDict = {"node": self.node, "status": self.status, "path": list(self.path)}
        if self.note is not None:
            data["note"] = self.note
        return data


#: A blocker has the same shape: a contributor whose own status is below the requirement.
Blocker = RootCause


def find_contributors(
    compiled: CompiledChain,
    responsibility: np.ndarray,
    wanted: Callable[[int], bool],
    node: int,
) -> list[tuple[int, list[int]]]:
    """Contributors of ``node`` for which ``wanted(contributor)`` is true, each with one shortest delegating path.

    ``responsibility`` is r per edge in document order for the control; ``wanted`` decides, per
    node reached, whether to report it (callers fold "needs its own part" into it). It is asked
    only about the nodes the search reaches, so a query costs what is upstream of ``node``, not
    the chain's size. Paths run from the contributor to ``node``, in breadth-first order of distance.
    """
    s = compiled.structure
    parent = {node: -1}
    queue = deque([node])
    found: list[tuple[int, list[int]]] = []
    while queue:
        w = queue.popleft()
        if wanted(w):
            path = [w]
            while parent[path[-1]] != -1:
                path.append(parent[path[-1]])
            found.append((w, path))
        for e in s.in_edges[s.in_ptr[w] : s.in_ptr[w + 1]]:
            if responsibility[e] != CUSTOMER:
                u = int(compiled.src[e])
                if u not in parent:
                    parent[u] = w
                    queue.append(u)
    return found


def reachable_over_delegation(compiled: CompiledChain, responsibility: np.ndarray, start: int) -> list[int]:
    """Nodes that rely on ``start`` through a delegating path of one or more edges (forward search)."""
    s = compiled.structure
    seen = {start}
    queue = deque([start])
    reached: list[int] = []
    while queue:
        u = queue.popleft()
        for pos in s.out_pos[s.out_ptr[u] : s.out_ptr[u + 1]]:
            e = int(s.order[pos])
            if responsibility[e] != CUSTOMER:
                v = int(compiled.dst[e])
                if v not in seen:
                    seen.add(v)
                    reached.append(v)
                    queue.append(v)
    return reached
