"""``analyze()`` and the ``Analysis`` it returns (the ``obligraph/analysis@1`` document)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Iterator

import numpy as np

from obligraph.graph.analysis.engine import KIND_NAMES, KIND_NONE, analyse_block
from obligraph.graph.analysis.rootcause import RootCause, find_root_causes
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.lattice import Status

ANALYSIS_FORMAT = "obligraph/analysis@1"
DEFAULT_REQUIREMENT = Status.DECLARED
#: Columns analysed at once: the whole set unless edges x columns would pass this many cells.
CELL_BUDGET = 64_000_000


@dataclass(frozen=True)
class Gap:
    node: str
    control: str
    effective: Status
    required: Status
    kind: str
    orphaned: bool


class Analysis:
    """Effective statuses and gaps of one chain for one (requirement, as_of, controls)."""

    def __init__(self, chain: Chain, requirement: Status, as_of: date, controls: list[str]):
        self.chain = chain
        self.compiled = chain.compiled()
        self.requirement = requirement
        self.as_of = as_of
        self.controls = controls
        self.column = {control: k for k, control in enumerate(controls)}
        catalog_cols = np.array([chain.catalog.index[c] for c in controls], dtype=np.int64)
        self._catalog_cols = catalog_cols
        k = len(controls)
        block_size = max(8, min(k, CELL_BUDGET // max(1, len(self.compiled.src))))
        blocks = []
        for start in range(0, max(k, 1), block_size):
            cols = catalog_cols[start : start + block_size]
            blocks.append(analyse_block(self.compiled, cols, self.compiled.own_on(as_of, cols), requirement.rank))
        for name in ("own", "needs_own", "effective", "kind", "orphaned", "in_scope", "circular"):
            parts = [getattr(block, name) for block in blocks]
            setattr(self, name, parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1))
        self._responsibility: dict[int, np.ndarray] = {}
        self.gap_mask = self.kind != KIND_NONE

    # -- queries ------------------------------------------------------------------------------

    @property
    def gap_count(self) -> int:
        return int(self.gap_mask.sum())

    def summary(self) -> dict[str, int]:
        return {
            "nodes": self.compiled.n,
            "edges": len(self.compiled.src),
            "controls": len(self.controls),
            "gaps": self.gap_count,
        }

    def effective_status(self, node: str, control: str) -> Status:
        return Status.from_rank(self.effective[self.compiled.node_index[node], self.column[control]])

    def own_status(self, node: str, control: str) -> Status:
        return Status.from_rank(self.own[self.compiled.node_index[node], self.column[control]])

    def gap(self, node: str, control: str) -> Gap | None:
        v, k = self.compiled.node_index[node], self.column[control]
        return self._gap(v, k) if self.gap_mask[v, k] else None

    def gaps(self, nodes: Iterable[str] | None = None, controls: Iterable[str] | None = None) -> Iterator[Gap]:
        """Gaps in node order (as in the document), then control order."""
        mask = self.gap_mask
        if nodes is not None:
            rows = np.zeros(self.compiled.n, dtype=bool)
            rows[[self.compiled.node_index[n] for n in nodes if n in self.compiled.node_index]] = True
            mask = mask & rows[:, None]
        if controls is not None:
            cols = np.zeros(len(self.controls), dtype=bool)
            cols[[self.column[c] for c in controls if c in self.column]] = True
            mask = mask & cols[None, :]
        for v, k in zip(*np.nonzero(mask)):
            yield self._gap(int(v), int(k))

    def root_causes(self, node: str, control: str) -> list[RootCause]:
        """The contributors whose own status equals the effective one, each with a shortest delegating path."""
        v, k = self.compiled.node_index[node], self.column[control]
        ids = self.compiled.node_ids
        return [
            RootCause(ids[w], Status.from_rank(self.own[w, k]).value, [ids[x] for x in path])
            for w, path in self._search(v, k)
        ]

    def responsibility_column(self, control: str) -> np.ndarray:
        """r per edge (document order) for one analysed control, as codes 0/1/2."""
        return self._r(self.column[control])

    def gap_dict(self, gap: Gap, *, root_causes: bool = True) -> dict:
        data = {
            "node": gap.node,
            "control": gap.control,
            "effective": gap.effective.value,
            "required": gap.required.value,
            "kind": gap.kind,
            "orphaned": gap.orphaned,
        }
        if root_causes:
            data["root_causes"] = [cause.to_dict() for cause in self.root_causes(gap.node, gap.control)]
        return data

    def to_dict(self, *, gaps: Iterable[Gap] | None = None, root_causes: bool = True) -> dict:
        """The ``obligraph/analysis@1`` document."""
        chosen = self.gaps() if gaps is None else gaps
        return {
            "format": ANALYSIS_FORMAT,
            "requirement": self.requirement.value,
            "as_of": self.as_of.isoformat(),
            "summary": self.summary(),
            "gaps": [self.gap_dict(gap, root_causes=root_causes) for gap in chosen],
        }

    # -- internals ------------------------------------------------------------------------------

    def _gap(self, v: int, k: int) -> Gap:
        return Gap(
            node=self.compiled.node_ids[v],
            control=self.controls[k],
            effective=Status.from_rank(self.effective[v, k]),
            required=self.requirement,
            kind=KIND_NAMES[int(self.kind[v, k])],
            orphaned=bool(self.orphaned[v, k]),
        )

    def _r(self, k: int) -> np.ndarray:
        if k not in self._responsibility:
            self._responsibility[k] = self.compiled.responsibility_column(int(self._catalog_cols[k]))
        return self._responsibility[k]

    def _search(self, v: int, k: int) -> list[tuple[int, list[int]]]:
        if self.circular[v, k]:
            return []
        target = int(self.effective[v, k])
        return find_root_causes(self.compiled, self._r(k), self.needs_own[:, k], self.own[:, k], target, v)


def resolve_parameters(
    chain: Chain,
    requirement: Status | str | None,
    as_of: date | str | None,
    controls: Iterable[str] | None,
) -> tuple[Status, date, list[str]]:
    """Parameter defaults of DESIGN.md section 3: argument, else the document, else the built-in default."""
    try:
        required = Status(requirement) if requirement is not None else (chain.requirement or DEFAULT_REQUIREMENT)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise ChainError.at(("requirement",), f"'{requirement}' is not a status (expected one of {allowed})") from None
    if as_of is None:
        day = date.today()
    elif isinstance(as_of, date):
        day = as_of
    else:
        try:
            day = date.fromisoformat(str(as_of))
        except ValueError:
            raise ChainError.at(("as_of",), f"'{as_of}' is not a valid date (expected YYYY-MM-DD)") from None
    return required, day, chain.analysed_controls(controls)


def analyze(
    chain: Chain,
    *,
    requirement: Status | str | None = None,
    as_of: date | str | None = None,
    controls: Iterable[str] | None = None,
) -> Analysis:
    """Analyse a chain: effective status of every (node, control), the gaps and their kinds.

    >>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo", "controls": ["10.5.1"],
    ...     "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "app", "layer": "saas",
    ...               "declarations": [{"control": "10.5.1", "status": "declared"}]}],
    ...     "edges": [{"provider": "iaas", "consumer": "app"}]})
    >>> [(g.node, g.kind) for g in analyze(chain, as_of="2026-01-01").gaps()]
    [('iaas', 'origin'), ('app', 'inherited')]
    """
    required, day, chosen = resolve_parameters(chain, requirement, as_of, controls)
    return Analysis(chain, required, day, chosen)
