"""Root causes on demand: a backwards breadth-first search from one (node, control) cell.

The engine knows every effective status; which contributors caused it, and by which delegating
path, is only needed for the gaps a person looks at, so it is computed per gap.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from obligraph.graph.compiled import CUSTOMER, CompiledChain


@dataclass(frozen=True)
class RootCause:
    node: str
    status: str
    path: list[str]  # from the root cause down to the node with the gap, over delegating edges

    def to_dict(self) -> dict:
        return {"node": self.node, "status": self.status, "path": list(self.path)}


def find_root_causes(
    compiled: CompiledChain,
    responsibility: np.ndarray,
    needs_own: np.ndarray,
    own: np.ndarray,
    target_rank: int,
    node: int,
) -> list[tuple[int, list[int]]]:
    """Contributors of ``node`` whose own status rank is ``target_rank``, each with one shortest path.

    ``responsibility`` is r per edge in document order for the control; ``needs_own`` and ``own``
    are that control's columns. Paths run from the root cause to ``node``.
    """
    s = compiled.structure
    parent = {node: -1}
    queue = deque([node])
    found: list[tuple[int, list[int]]] = []
    while queue:
        w = queue.popleft()
        if needs_own[w] and own[w] == target_rank:
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
