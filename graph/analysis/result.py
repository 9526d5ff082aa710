"""``analyze()`` and the ``Analysis`` it returns (the ``obligraph/analysis@1`` document)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Iterator, NotRequired, TypedDict

import numpy as np

from obligraph.graph.analysis.appended import AffectedPart, affected_part, analyse_appended
from obligraph.graph.analysis.bitplane import BitPlane, pack
from obligraph.graph.analysis.engine import KIND_NAMES, KIND_NONE, BlockResult, analyse_block
from obligraph.graph.analysis.rootcause import Blocker, ContributorDict, RootCause, find_contributors
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.evidence import counted_note
from obligraph.graph.lattice import Status

ANALYSIS_FORMAT = "obligraph/analysis@1"
DEFAULT_REQUIREMENT = Status.DECLARED
#: Columns analysed at once: the whole set unless edges x columns would pass this many cells.
CELL_BUDGET = 32_000_000
#: The per-(node, control) results an analysis holds, with their types (see ``engine.BlockResult``).
RESULT_ARRAYS = {
    "own": np.uint8,
    "needs_own": bool,
    "effective": np.uint8,
    "kind": np.int8,
    "orphaned": bool,
    "in_scope": bool,
    "circular": bool,
}
#: The bool results, each kept as one bit of the analysis's ``flags`` (the bit is the index here),
#: and after them whether the cell is a gap (``kind`` is not KIND_NONE), as ``gap_mask``.
FLAG_RESULTS = ("needs_own", "orphaned", "in_scope", "circular")
#: The results kept as arrays of their own.
BYTE_RESULTS = tuple(name for name in RESULT_ARRAYS if name not in FLAG_RESULTS)


class GapDict(TypedDict):
    """One gap as the ``obligraph/analysis@1`` document gives it."""

    node: str
    control: str
    effective: str
    required: str
    kind: str
    orphaned: bool
    root_causes: NotRequired[list[ContributorDict]]
    blockers: NotRequired[list[ContributorDict]]


class AnalysisDocument(TypedDict):
    """The ``obligraph/analysis@1`` document."""

    format: str
    requirement: str
    as_of: str
    summary: dict[str, int]
    gaps: list[GapDict]


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

    # The per-(node, control) results: rows follow ``compiled.node_ids``, columns ``controls``
    # (what ``engine.BlockResult`` holds for a block of columns, here for all of them). The bool
    # ones are bits of ``flags``, a quarter of their room as bool arrays (532 MB less at a million
    # nodes); each reads as a bool matrix.
    own: np.ndarray  # uint8: own status rank on ``as_of``
    effective: np.ndarray  # uint8: effective status rank (unknown where circular)
    kind: np.ndarray  # int8: gap kind, KIND_NONE where there is no gap
    flags: np.ndarray  # uint8: bit i is FLAG_RESULTS[i], the next one gap_mask
    needs_own: BitPlane  # the node must do its own part
    orphaned: BitPlane
    in_scope: BitPlane
    circular: BitPlane  # no contributor at all (a pure delegation loop)
    gap_mask: BitPlane  # kind is not KIND_NONE

    def __init__(
        self,
        chain: Chain,
        requirement: Status,
        as_of: date,
        controls: list[str],
        previous: "Analysis | None" = None,
    ):
        self.chain = chain
        self.revision = chain.revision
        self.compiled = chain.compiled()
        self.requirement = requirement
        self.as_of = as_of
        self.controls = controls
        self.column = {control: k for k, control in enumerate(controls)}
        self._catalog_cols = np.array([chain.catalog.index[c] for c in controls], dtype=np.int64)
        self._responsibility: dict[int, np.ndarray] = {}
        reuse = self._reuse(previous)
        if reuse is None:
            self._fill(np.arange(len(controls)), None, None)
        else:
            stale, appended = reuse
            self._fill(stale, previous, appended)

    def _reuse(self, previous: "Analysis | None") -> "tuple[np.ndarray, AffectedPart | None] | None":
        """What ``previous`` can lend: (the columns to recompute, the rows to recompute when nodes
        and edges were added), or None when everything must be computed.

        Each control is analysed on its own, so after edits that only changed declarations the
        untouched controls' results still hold. The shared ``structure`` object proves the graph's
        shape is the one ``previous`` saw (a recompile makes a new one); after added nodes and
        edges only the rows ``appended.affected_part`` finds can differ. ``previous`` may be of the
        chain this one was forked from: ``edits_since`` then follows the edits since the fork.
        """
        if previous is None or previous.chain.lineage is not self.chain.lineage:
            return None
        same_question = (previous.requirement, previous.as_of, previous.controls) == (
            self.requirement,
            self.as_of,
            self.controls,
        )
        if not same_question:
            return None
        edits = self.chain.edits_since(previous.revision)
        if edits is None:
            return None
        stale = np.array([k for k, control in enumerate(self.controls) if control in edits.controls], dtype=np.int64)
        if previous.compiled.structure is self.compiled.structure:
            return stale, None
        if not edits.appended:
            return None
        found = affected_part(previous.compiled, self.compiled, self._catalog_cols)
        return None if found is None else (stale, found)

    def _fill(self, columns: np.ndarray, previous: "Analysis | None", appended: "AffectedPart | None") -> None:
        """Compute ``columns`` (block by block, within the cell budget); take the others from
        ``previous``, with the rows ``appended`` names recomputed."""
        compiled = self.compiled
        k = len(self.controls)
        block_size = max(8, min(k, CELL_BUDGET // max(1, len(compiled.src))))
        if previous is None:  # every column (``columns`` is 0..k-1), block after block
            starts = range(0, k, block_size)
            if len(starts) <= 1:  # one block, or none at all: an analysis of no controls is empty, not an error
                cols = self._catalog_cols
                self._keep(analyse_block(compiled, cols, compiled.own_on(self.as_of, cols), self.requirement.rank))
                return
            # Each block goes into its slice of the whole arrays as soon as it is computed: holding
            # every block until the end and then joining them held the results twice (1.9 GB more
            # at a million nodes). The whole arrays come after the first block, whose working
            # arrays (a cell per edge and control) are gone by then.
            kept: dict[str, np.ndarray] = {}
            for start in starts:
                cols = self._catalog_cols[start : start + block_size]
                block = analyse_block(compiled, cols, compiled.own_on(self.as_of, cols), self.requirement.rank)
                if not kept:
                    shape = (compiled.n, k)
                    kept = {name: np.empty(shape, dtype=RESULT_ARRAYS[name]) for name in BYTE_RESULTS}
                    kept["flags"] = np.empty(shape, dtype=np.uint8)
                span = slice(start, start + cols.size)
                for name in BYTE_RESULTS:
                    kept[name][:, span] = getattr(block, name)
                kept["flags"][:, span] = _packed_flags(block)
                del block
            self._keep_packed(**kept)
            return
        # Bool arrays again, fresh (the byte arrays are copied where they are written in place).
        before = BlockResult(
            **{name: getattr(previous, name) for name in BYTE_RESULTS},
            **{name: np.asarray(getattr(previous, name)) for name in FLAG_RESULTS},
        )
        if appended is None:
            whole = BlockResult(
                **{name: getattr(before, name).copy() for name in BYTE_RESULTS},
                **{name: getattr(before, name) for name in FLAG_RESULTS},
            )
            fresh = set(columns.tolist())
            self._responsibility = {j: r for j, r in previous._responsibility.items() if j not in fresh}
        else:
            # New arrays with the affected rows recomputed; r per edge is not kept, the edges changed.
            own = appended.part.own_on(self.as_of, self._catalog_cols)
            whole = analyse_appended(appended, before, compiled.n, self._catalog_cols, own, self.requirement.rank)
        for start in range(0, columns.size, block_size):
            chosen = columns[start : start + block_size]
            cols = self._catalog_cols[chosen]
            block = analyse_block(compiled, cols, compiled.own_on(self.as_of, cols), self.requirement.rank)
            for name in RESULT_ARRAYS:
                getattr(whole, name)[:, chosen] = getattr(block, name)
        self._keep(whole)

    def _keep(self, result: BlockResult) -> None:
        flags = _packed_flags(result)
        self._keep_packed(own=result.own, effective=result.effective, kind=result.kind, flags=flags)

    def _keep_packed(self, *, own: np.ndarray, effective: np.ndarray, kind: np.ndarray, flags: np.ndarray) -> None:
        self.own, self.effective, self.kind, self.flags = own, effective, kind, flags
        for bit, name in enumerate(FLAG_RESULTS):
            setattr(self, name, BitPlane(flags, bit))
        self.gap_mask = BitPlane(flags, len(FLAG_RESULTS))

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
        if self.circular[v, k]:
            return []
        effective = int(self.effective[v, k])
        return self._contributors(v, k, lambda rank: rank == effective)

    def blockers(self, node: str, control: str) -> list[Blocker]:
        """The contributors whose own status is below the requirement, each with a shortest delegating path.

        Raising all of them to the requirement closes the gap, and nothing less does; the root
        causes of a gap are among them.
        """
        v, k = self.compiled.node_index[node], self.column[control]
        if self.circular[v, k]:
            return []
        required = self.requirement.rank
        return self._contributors(v, k, lambda rank: rank < required)

    def status_note(self, node: str, control: str) -> str | None:
        """Why the node's own status for ``control`` counts lower than it declared, when it does."""
        attrs = self.chain.node_attributes().get(node)
        declaration = attrs["declarations"].get(control) if attrs else None
        if declaration is None:
            return None
        own = self.own_status(node, control)
        if declaration.status is Status.NOT_APPLICABLE and own is Status.UNKNOWN:
            return "declared not_applicable, but a consumer relies on it for this control: counts as unknown"
        if declaration.status is Status.VERIFIED and own is Status.DECLARED:
            return counted_note(declaration, self.as_of)
        return None

    def responsibility_column(self, control: str) -> np.ndarray:
        """r per edge (document order) for one analysed control, as codes 0/1/2."""
        return self._r(self.column[control])

    def gap_dict(self, gap: Gap, *, root_causes: bool = True) -> GapDict:
        data: GapDict = {
            "node": gap.node,
            "control": gap.control,
            "effective": gap.effective.value,
            "required": gap.required.value,
            "kind": gap.kind,
            "orphaned": gap.orphaned,
        }
        if root_causes:
            data["root_causes"] = [cause.to_dict() for cause in self.root_causes(gap.node, gap.control)]
            data["blockers"] = [blocker.to_dict() for blocker in self.blockers(gap.node, gap.control)]
        return data

    def to_dict(self, *, gaps: Iterable[Gap] | None = None, root_causes: bool = True) -> AnalysisDocument:
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

    def prefetch_responsibility(self, ks: Iterable[int]) -> None:
        """Compute r for several analysis columns at once, for a page that lists gaps of many controls."""
        missing = sorted({int(k) for k in ks} - self._responsibility.keys())
        if len(missing) > 1:
            block = self.compiled.responsibility_by_column(self._catalog_cols[missing])
            for i, k in enumerate(missing):
                self._responsibility[k] = block[i]

    def _r(self, k: int) -> np.ndarray:
        if k not in self._responsibility:
            self._responsibility[k] = self.compiled.responsibility_column(int(self._catalog_cols[k]))
        return self._responsibility[k]

    def _contributors(self, v: int, k: int, counted: Callable[[int], bool]) -> list[RootCause]:
        """The contributors of ``v`` for column ``k`` that need their own part and whose own status
        rank is ``counted``."""
        ids = self.compiled.node_ids
        control = self.controls[k]
        # Views of column k: only the nodes the search reaches are read (a BitPlane column would
        # unpack every node's cell, a strided read of the whole matrix, for each gap).
        own, flags, needs_own = self.own[:, k], self.flags[:, k], self.needs_own.mask
        found = find_contributors(
            self.compiled, self._r(k), lambda w: bool(flags[w] & needs_own) and counted(int(own[w])), v
        )
        return [
            RootCause(
                ids[w],
                Status.from_rank(self.own[w, k]).value,
                [ids[x] for x in path],
                self.status_note(ids[w], control),
            )
            for w, path in found
        ]


def resolve_parameters(
    chain: Chain,
    requirement: Status | str | None,
    as_of: date | str | None,
    controls: Iterable[str] | None,
    cloud_guidance_only: bool = False,
) -> tuple[Status, date, list[str]]:
    """Parameter defaults (docs/analysis.md): the argument, else the document's, else the built-in default.

    ``controls`` defaults to the document's list, else every control of the catalog;
    ``cloud_guidance_only`` keeps only the chosen controls the catalog gives cloud guidance for.
    """
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
    return required, day, chain.analysed_controls(controls, cloud_guidance_only=cloud_guidance_only)


def _packed_flags(result: BlockResult) -> np.ndarray:
    return pack([*(getattr(result, name) for name in FLAG_RESULTS), result.kind != KIND_NONE])


def analyze(
    chain: Chain,
    *,
    requirement: Status | str | None = None,
    as_of: date | str | None = None,
    controls: Iterable[str] | None = None,
    previous: Analysis | None = None,
    cloud_guidance_only: bool = False,
) -> Analysis:
    """Analyse a chain: effective status of every (node, control), the gaps and their kinds.

    ``previous``, an earlier analysis of this chain (or of the chain it was forked from), lends the results of the controls
    no edit has touched since (see ``AnalysisCache``); the chain itself is only read.

    >>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo", "controls": ["10.5.1"],
    ...     "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "app", "layer": "saas",
    ...               "declarations": [{"control": "10.5.1", "status": "declared"}]}],
    ...     "edges": [{"provider": "iaas", "consumer": "app"}]})
    >>> [(g.node, g.kind) for g in analyze(chain, as_of="2026-01-01").gaps()]
    [('iaas', 'origin'), ('app', 'inherited')]
    """
    required, day, chosen = resolve_parameters(chain, requirement, as_of, controls, cloud_guidance_only)
    return Analysis(chain, required, day, chosen, previous=previous)
