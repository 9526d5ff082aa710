"""Helpers every format module shares: decoding input, layer styling, gap counts.

The document's parts come from ``Chain.head_document`` / ``node_documents`` / ``edge_documents``,
so every lossless writer produces exactly what ``Chain.to_dict`` would, one item at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.palette import LAYER_RGB

if TYPE_CHECKING:  # annotations only: the analysis package is imported where an analysis is run
    from obligraph.graph.analysis.result import Analysis

LAYER_COLOURS = LAYER_RGB  # one palette for the app and every export
GAP_KINDS = ("origin", "inherited", "mixed", "circular")


def as_text(data: bytes | str, what: str) -> str:
    """Decode input as UTF-8 (a BOM is dropped), or say where it stops being UTF-8."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChainError(
            f"{what} is not UTF-8 text (byte {exc.start} is {data[exc.start : exc.start + 1]!r}); save it as UTF-8"
        ) from None


def hex_colour(layer: str) -> str:
    return "#%02x%02x%02x" % LAYER_COLOURS[layer]


def gap_counts(analysis: Analysis) -> dict[str, dict[str, int]]:
    """Per node: total gaps and gaps by kind, counted over the analysis arrays (no per-gap objects)."""
    from obligraph.graph.analysis.engine import KIND_NAMES

    kinds = analysis.kind
    per_kind = {name: np.count_nonzero(kinds == code, axis=1) for code, name in KIND_NAMES.items()}
    total = np.count_nonzero(analysis.gap_mask, axis=1)
    counts: dict[str, dict[str, int]] = {}
    for i, node_id in enumerate(analysis.compiled.node_ids):
        row = {"gaps": int(total[i])}
        row.update({f"gaps_{name}": int(per_kind[name][i]) for name in GAP_KINDS})
        counts[node_id] = row
    return counts


def ensure_analysis(chain: Chain, analysis: Analysis | None) -> Analysis:
    """Formats that report gaps analyse with the document's parameters when no analysis is passed."""
    if analysis is not None:
        return analysis
    from obligraph.graph.analysis import analyze

    return analyze(chain)
