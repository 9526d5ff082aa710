"""A deliberately naive reference for the analysis contract: one backwards search per (node, control).

It follows the text of docs/analysis.md word for word and shares nothing with the vectorised engine
(nor with ``graph/evidence.py``) except the chain model's ``responsibility`` lookup, so the property
tests can hold the engine to the contract.
"""

from __future__ import annotations

import calendar
from collections import deque
from datetime import date

from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Layer, Responsibility, Status


def months_later(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    year = day.year + (day.month - 1 + months) // 12
    month = (day.month - 1 + months) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def item_assures(item, c: str, as_of: date) -> bool:
    """An evidence item assures c on as_of: the five conditions of the contract, one by one."""
    if item.kind.value not in ("audit_report", "certification"):
        return False
    independence = item.independence.value if item.independence is not None else "third_party"
    if independence != "third_party":
        return False
    if item.issued is not None and not item.issued <= as_of:
        return False
    if item.expires is not None:
        in_force = as_of <= item.expires
    elif item.issued is not None:
        months = 12 if item.kind.value == "audit_report" else 36
        in_force = as_of <= months_later(item.issued, months)
    else:
        in_force = False
    if not in_force:
        return False
    if item.scope is not None:
        return any(c == entry or c.startswith(entry + ".") for entry in item.scope)
    return True


def naive_analysis(chain: Chain, requirement: Status, as_of: date, controls: list[str]) -> dict:
    graph = chain.graph
    cells = {}
    for c in controls:

        def r(u: str, v: str) -> Responsibility:
            return chain.responsibility(u, v, c)

        def delegating(u: str, v: str) -> bool:
            return r(u, v) in (Responsibility.PROVIDER, Responsibility.SHARED)

        def declared(w: str) -> bool:
            return c in chain.declarations(w)

        def own(w: str) -> Status:
            declaration = chain.declarations(w).get(c)
            if declaration is None:
                return Status.UNKNOWN
            if declaration.status is Status.VERIFIED:
                live = any(item_assures(e, c, as_of) for e in declaration.evidence)
                return Status.VERIFIED if live else Status.DECLARED
            if declaration.status is Status.NOT_APPLICABLE:
                relied_on = any(delegating(w, x) for x in graph.successors(w))
                return Status.UNKNOWN if relied_on else Status.NOT_APPLICABLE
            return declaration.status

        def needs_own_part(w: str) -> bool:
            return (
                declared(w)
                or graph.in_degree(w) == 0
                or any(r(u, w) in (Responsibility.SHARED, Responsibility.CUSTOMER) for u in graph.predecessors(w))
            )

        for v in graph.nodes:
            distance = {v: 0}
            queue = deque([v])
            while queue:
                w = queue.popleft()
                for u in graph.predecessors(w):
                    if delegating(u, w) and u not in distance:
                        distance[u] = distance[w] + 1
                        queue.append(u)
            contributors = [w for w in distance if needs_own_part(w)]
            circular = not contributors
            if circular:
                effective = Status.UNKNOWN
                roots: list[str] = []
            else:
                effective = min((own(w) for w in contributors), key=lambda s: s.rank)
                roots = [w for w in contributors if own(w).rank == effective.rank]
            blockers = [w for w in contributors if own(w).rank < requirement.rank]
            in_scope = graph.in_degree(v) > 0 or any(delegating(v, x) for x in graph.successors(v))
            gap = in_scope and effective.rank < requirement.rank
            kind = None
            orphaned = False
            if gap:
                if circular:
                    kind = "circular"
                elif roots == [v]:
                    kind = "origin"
                elif v not in roots:
                    kind = "inherited"
                else:
                    kind = "mixed"
                orphaned = (
                    v in roots
                    and not declared(v)
                    and any(
                        r(u, v) is Responsibility.CUSTOMER
                        and chain.layer(u) is not Layer.CUSTOMER
                        and chain.catalog.default_responsibility(chain.layer(u), c) is not Responsibility.CUSTOMER
                        for u in graph.predecessors(v)
                    )
                )
            cells[v, c] = {
                "effective": effective,
                "gap": gap,
                "kind": kind,
                "orphaned": orphaned,
                "roots": {w: distance[w] for w in roots},
                "blockers": {w: (own(w), distance[w]) for w in blockers} if gap else {},
            }
    return cells
