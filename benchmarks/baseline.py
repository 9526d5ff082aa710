"""The straightforward way to write the analysis with networkx: one backwards search per (node, control).

Used only as the yardstick in ``benchmarks/run.py``; the engine must agree with it and beat it.
"""

from __future__ import annotations

from collections import deque
from datetime import date

from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Responsibility, Status


def effective_status(chain: Chain, node: str, control: str, as_of: date) -> Status:
    graph = chain.graph

    def r(u: str, v: str) -> Responsibility:
        return chain.responsibility(u, v, control)

    def needs_own(w: str) -> bool:
        return (
            control in chain.declarations(w)
            or graph.in_degree(w) == 0
            or any(r(u, w) is not Responsibility.PROVIDER for u in graph.predecessors(w))
        )

    def own(w: str) -> Status:
        declaration = chain.declarations(w).get(control)
        return declaration.status_on(as_of) if declaration else Status.UNKNOWN

    seen = {node}
    queue = deque([node])
    best: Status | None = None
    while queue:
        w = queue.popleft()
        if needs_own(w):
            status = own(w)
            if best is None or status.rank < best.rank:
                best = status
        for u in graph.predecessors(w):
            if u not in seen and r(u, w) is not Responsibility.CUSTOMER:
                seen.add(u)
                queue.append(u)
    return best if best is not None else Status.UNKNOWN
