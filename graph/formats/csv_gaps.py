"""The CSV bundle's analysis tables: ``gaps.csv`` from the analysis arrays, and the per-cause tables.

A 100k-node chain has over ten million gaps, so ``gaps.csv`` is never built from one ``Gap``
object per row: the rows come block by block from the analysis's numpy arrays, each line joined
from three precomputed pieces (the node's cell, the control's cells, and the tail its effective
status, kind and orphan flag select). The lines are exactly what ``csv.writer`` would write.

Root causes and blockers need a search per gap (``Analysis.root_causes``), tens of microseconds
each: fine for thousands of gaps, minutes for millions. ``causes_by_default`` says whether a
bundle carries them when the caller did not say.
"""

from __future__ import annotations

import csv
import io
from typing import IO, TYPE_CHECKING, Callable, Iterable, Iterator

import numpy as np

from obligraph.graph.formats._cells import neutralise
from obligraph.graph.formats.csv_layout import PATH_SEPARATOR
from obligraph.graph.lattice import Status

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis
    from obligraph.graph.analysis.rootcause import RootCause
    from obligraph.graph.chain import Chain

#: A CSV row before writing: text, numbers or None (an empty cell).
Row = list[str | int | None]

#: Bundles of an analysis with at most this many gaps carry root_causes.csv and blockers.csv
#: unless the caller says otherwise (about 10 s of searching at this size).
CAUSES_DEFAULT_LIMIT = 200_000
#: Node rows of the analysis arrays turned into lines at a time (bounds the memory of one block).
BLOCK_ROWS = 4096
LINE_END = "\r\n"


def causes_by_default(analysis: Analysis) -> bool:
    return analysis.gap_count <= CAUSES_DEFAULT_LIMIT


def csv_cell(value: str | int | None) -> str:
    """One cell as ``csv.writer`` writes it (minimal quoting), after formula neutralising."""
    if value is None:
        return ""
    text = neutralise(value) if isinstance(value, str) else str(value)
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def gap_lines(chain: Chain, analysis: Analysis) -> Iterator[str]:
    """``gaps.csv``'s data lines in the order of ``Analysis.gaps()`` (node order, then control order), in blocks."""
    from obligraph.graph.analysis.engine import KIND_NAMES

    catalog = chain.catalog
    node_cells = [csv_cell(node_id) for node_id in analysis.compiled.node_ids]
    control_cells = ["," + csv_cell(control) + "," + csv_cell(catalog[control].title) for control in analysis.controls]
    required = analysis.requirement.value
    ranks = len(Status)
    kinds = max(KIND_NAMES) + 1
    # tail[(rank * kinds + kind) * 2 + orphaned]: the row's last four cells and the line end.
    tails = [""] * (ranks * kinds * 2)
    for rank in range(ranks):
        for kind_code, name in KIND_NAMES.items():
            for orphan_flag in (0, 1):
                cells = (Status.from_rank(rank).value, required, name, "yes" if orphan_flag else "no")
                tails[(rank * kinds + kind_code) * 2 + orphan_flag] = "," + ",".join(cells) + LINE_END
    mask, effective, kind, orphaned = analysis.gap_mask, analysis.effective, analysis.kind, analysis.orphaned
    for start in range(0, mask.shape[0], BLOCK_ROWS):
        stop = start + BLOCK_ROWS
        rows, cols = np.nonzero(mask[start:stop])
        if rows.size == 0:
            continue
        codes = (effective[start:stop][rows, cols].astype(np.int64) * kinds + kind[start:stop][rows, cols]) * 2
        codes += orphaned[start:stop][rows, cols]
        rows += start
        yield "".join(
            [
                node_cells[v] + control_cells[k] + tails[code]
                for v, k, code in zip(rows.tolist(), cols.tolist(), codes.tolist())
            ]
        )


def cause_rows(analysis: Analysis, causes_of: Callable[[str, str], Iterable[RootCause]]) -> Iterator[Row]:
    """One row per cause of each gap: (node, control, cause, its own status, path from the cause to the node, note)."""
    for gap in analysis.gaps():
        for cause in causes_of(gap.node, gap.control):
            yield [gap.node, gap.control, cause.node, cause.status, PATH_SEPARATOR.join(cause.path), cause.note]


def write_lines(raw: IO[bytes], header: Iterable[str], blocks: Iterable[str]) -> None:
    """Write a CSV member as UTF-8 with a BOM from a header and blocks of ready lines."""
    raw.write(("\ufeff" + ",".join(header) + LINE_END).encode("utf-8"))
    for block in blocks:
        raw.write(block.encode("utf-8"))


def write_rows(raw: IO[bytes], header: Iterable[str], rows: Iterable[Row]) -> None:
    """Write a CSV member as UTF-8 with a BOM through ``csv.writer`` (every text cell neutralised)."""
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([_cell(value) for value in row] for row in rows)


def _cell(value: str | int | None) -> str:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else str(value)
