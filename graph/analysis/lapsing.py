"""Evidence about to stop assuring (or already not assuring), and the gaps each lapse would open.

An item *lapses* the day after its last day in force (``graph.evidence.assess``'s ``lapses``).
``lapsing_evidence(analysis, within_days)`` lists, for the analysed controls:

* every item that assures on ``as_of`` and is in force until at most ``within_days`` days later;
* every item of a ``verified`` declaration that does not assure on ``as_of``, with the reason.

``gaps_opened`` of a lapsing item of a ``verified`` declaration: the gaps present in the analysis
on the day after its last day in force (same requirement) and absent on ``as_of``, for its
control, of which its node is a blocker. Only a ``verified`` declaration's status depends on its
evidence, so other items open nothing; an item already not assuring has lapsed and opens nothing
more. Items already not assuring come first (by the day they stopped, undated first), then the
others by the day they lapse, then by node order, control and position in the declaration.

>>> from obligraph.graph.chain import Chain
>>> from obligraph.graph.analysis import analyze
>>> cert = {"kind": "certification", "ref": "ISO 27001", "expires": "2026-02-28"}
>>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo", "controls": ["10.5.1"],
...     "nodes": [{"id": "iaas", "layer": "iaas",
...                "declarations": [{"control": "10.5.1", "status": "verified", "evidence": [cert]}]},
...               {"id": "app", "layer": "saas", "declarations": [{"control": "10.5.1", "status": "verified",
...                "evidence": [{**cert, "ref": "SOC 2", "expires": "2030-01-01"}]}]}],
...     "edges": [{"provider": "iaas", "consumer": "app"}]})
>>> [item] = lapsing_evidence(analyze(chain, requirement="verified", as_of="2026-01-01"), 90)
>>> item["ref"], item["in_force_until"], [(g["node"], g["kind"]) for g in item["gaps_opened"]]
('ISO 27001', '2026-02-28', [('iaas', 'origin'), ('app', 'inherited')])
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import TypedDict

from obligraph.graph.analysis.result import Analysis, GapDict, analyze
from obligraph.graph.evidence import SOON_DAYS, assess
from obligraph.graph.lattice import Independence, Status


class LapsingItem(TypedDict):
    """One evidence item of a node's declaration, its assessment on ``as_of`` and what its lapse opens."""

    node: str
    control: str
    title: str
    declared: str  # the declaration's status
    position: int  # the item's place in the declaration's evidence list
    kind: str
    ref: str
    independence: str
    scope: list[str] | None
    issued: str | None
    expires: str | None
    in_force_until: str | None
    assures: bool
    reason: str
    gaps_opened: list[GapDict]


def lapsing_evidence(analysis: Analysis, within_days: int = SOON_DAYS) -> list[LapsingItem]:
    """The evidence that lapses within ``within_days`` days after ``analysis.as_of``, and the
    ``verified`` declarations' evidence that already does not assure, with the gaps each lapse opens."""
    if within_days < 0:
        raise ValueError(f"within_days must be 0 or more, not {within_days}")
    chain, as_of = analysis.chain, analysis.as_of
    horizon = as_of + timedelta(days=within_days) if (date.max - as_of).days > within_days else date.max
    order = analysis.compiled.node_index
    found: list[tuple[tuple[bool, date, int, int, int], LapsingItem]] = []
    pending: dict[date, list[LapsingItem]] = defaultdict(list)  # lapse day -> items whose lapse may open gaps
    for node in analysis.compiled.node_ids:
        for control, declaration in chain.declarations(node).items():
            if control not in analysis.column:
                continue
            verified = declaration.status is Status.VERIFIED
            for position, proof in enumerate(declaration.evidence):
                check = assess(proof, control, as_of)
                lapsing = check.assures and check.lapses is not None and check.lapses <= horizon
                if not lapsing and not (verified and not check.assures):
                    continue
                entry: LapsingItem = {
                    "node": node,
                    "control": control,
                    "title": chain.catalog[control].title,
                    "declared": declaration.status.value,
                    "position": position,
                    "kind": proof.kind.value,
                    "ref": proof.ref,
                    "independence": (proof.independence or Independence.THIRD_PARTY).value,
                    "scope": list(proof.scope) if proof.scope is not None else None,
                    "issued": proof.issued.isoformat() if proof.issued else None,
                    "expires": proof.expires.isoformat() if proof.expires else None,
                    "in_force_until": check.lapses.isoformat() if check.lapses else None,
                    "assures": check.assures,
                    "reason": check.reason,
                    "gaps_opened": [],
                }
                key = (check.assures, check.lapses or date.min, order[node], analysis.column[control], position)
                found.append((key, entry))
                if lapsing and verified and check.lapses is not None and check.lapses < date.max:
                    pending[check.lapses].append(entry)
    for last_day, entries in pending.items():
        _attribute_opened_gaps(analysis, last_day + timedelta(days=1), entries)
    found.sort(key=lambda pair: pair[0])
    return [entry for _key, entry in found]


def _attribute_opened_gaps(before: Analysis, day: date, entries: list[LapsingItem]) -> None:
    """Fill ``gaps_opened`` of the items that lapse the day before ``day``: one analysis of their controls on it."""
    controls = [c for c in before.controls if c in {entry["control"] for entry in entries}]
    after = analyze(before.chain, requirement=before.requirement, as_of=day, controls=controls)
    opened: dict[str, list[tuple[GapDict, set[str]]]] = defaultdict(list)
    for gap in after.gaps():
        if before.gap(gap.node, gap.control) is None:
            blockers = {blocker.node for blocker in after.blockers(gap.node, gap.control)}
            opened[gap.control].append((after.gap_dict(gap, root_causes=False), blockers))
    for entry in entries:
        entry["gaps_opened"] = [gap for gap, blockers in opened[entry["control"]] if entry["node"] in blockers]
