"""Where the map's nodes go: one horizontal band per layer (customer on top, infra at the bottom),
each node given a slot as wide as its label, organisations kept together, and wide bands wrapped
into rows so the whole picture keeps roughly a screen's shape. Labels are wrapped by the page to
the width given here (``label_width``), so no two labels overlap at any zoom the layout was made for.

Not the exports' layout (``formats/_layout.py``, one plain row per layer for Gephi and Cytoscape,
which lay the graph out again): this one is for reading the page itself, and its crossing
reduction and row fitting cost too much for the 100k-node chains an export handles (the map
groups nodes above ``AGGREGATE_ABOVE``, so it never lays out more than that).

>>> import networkx as nx
>>> g = nx.DiGraph([("dc", "app")])
>>> placed = band_layout(g, {"dc": "infra", "app": "saas"}, {"dc": "Data centre", "app": "App"})
>>> placed.positions["app"][1] < placed.positions["dc"][1]  # screen y grows downwards: customers up
True
>>> [band["layer"] for band in placed.bands]
['saas', 'infra']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypedDict

import networkx as nx

from obligraph.graph.palette import LAYER_ORDER  # infra ... customer, bottom to top

#: Canvas font size of labels (world units; the page draws them at this size times the zoom).
FONT_SIZE = 14.0
#: Lines a label may wrap into (a group's label has a line of counts more).
LABEL_LINES = 2
LINE_HEIGHT = FONT_SIZE * 1.2
#: A label is wrapped to at most this width; a slot is its label (or its marker) plus a gap.
LABEL_MAX_WIDTH = 104.0
LABEL_MIN_WIDTH = 36.0
SLOT_GAP = 14.0
#: Largest marker radius (``draw.node_size``); rows are spaced for it.
MARKER_MAX = 15.0
ROW_HEIGHT = 2 * MARKER_MAX + 8 + LABEL_LINES * LINE_HEIGHT + 10
BAND_GAP = 30.0  # between bands, where the band's title sits
#: The shape (width / height) the layout aims for: a typical map area on a laptop screen.
ASPECT = 1.3
# Kept for callers that still read the old grid constants.
COLUMN_WIDTH = LABEL_MAX_WIDTH + SLOT_GAP


class Band(TypedDict):
    """One layer's band on the map: its extent in map coordinates and how many rows it wraps to."""

    layer: str
    top: float
    bottom: float
    left: float
    right: float
    rows: int


@dataclass
class Placement:
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    label_width: dict[str, float] = field(default_factory=dict)
    #: Top to bottom, in map coordinates.
    bands: list[Band] = field(default_factory=list)


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """A generous estimate of ``text``'s width in a sans-serif font: wide (CJK) characters count as
    one em, capitals and digits as 0.74 em, the rest as 0.62 em. The page measures the real width
    and wraps to the slot, so an estimate on the wide side only costs some space."""
    em = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            em += 1.0
        elif char.isupper() or char.isdigit():
            em += 0.74
        else:
            em += 0.62
    return em * font_size


def label_width(text: str, lines: int = LABEL_LINES) -> float:
    """The slot width a label wraps into: its one-line width if that fits, else the wrapped width."""
    one_line = text_width(text)
    if one_line <= LABEL_MAX_WIDTH:
        return max(LABEL_MIN_WIDTH, one_line)
    return LABEL_MAX_WIDTH


def band_layout(
    graph: nx.DiGraph[str],
    layer_of: dict[str, str],
    label_of: dict[str, str] | None = None,
    org_of: Mapping[str, str | None] | None = None,
    widths: dict[str, float] | None = None,
) -> Placement:
    """Bands top (customer) to bottom (infra); in a band, organisations ordered by where their
    providers sit (fewer crossings), nodes of one organisation side by side; rows wrap at one
    width chosen for all bands so the picture comes close to ``ASPECT``."""
    label_of = label_of or {node: str(node) for node in graph.nodes}
    org_of = org_of or {}
    slot = {
        node: max(2 * MARKER_MAX, (widths or {}).get(node) or label_width(label_of.get(node, str(node)))) + SLOT_GAP
        for node in graph.nodes
    }
    bands: dict[str, list[str]] = {}
    for node in graph.nodes:
        bands.setdefault(layer_of[node], []).append(node)
    if not bands:
        return Placement()
    order = _band_orders(graph, bands, org_of, slot)
    row_width = _row_width([order[layer] for layer in order], slot)
    placement = Placement(label_width={node: slot[node] - SLOT_GAP for node in graph.nodes})
    y = 0.0
    for layer in reversed(LAYER_ORDER):  # customer first: the top of the screen
        if layer not in order:
            continue
        rows = _wrap(order[layer], slot, row_width)
        top = y
        for row in rows:
            used = sum(slot[node] for node in row)
            x = -used / 2
            for node in row:
                placement.positions[node] = (x + slot[node] / 2, y + MARKER_MAX + 4)
                x += slot[node]
            y += ROW_HEIGHT
        widest = max(sum(slot[node] for node in row) for row in rows)
        placement.bands.append({"layer": layer, "top": top - BAND_GAP, "bottom": y, "left": -widest / 2,
                                "right": widest / 2, "rows": len(rows)})  # fmt: skip
        y += BAND_GAP
    return placement


def layered_positions(graph: nx.DiGraph[str], layer_of: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Positions only (node ids as labels): see ``band_layout``."""
    return band_layout(graph, layer_of).positions


def _band_orders(
    graph: nx.DiGraph[str], bands: dict[str, list[str]], org_of: Mapping[str, str | None], slot: dict[str, float]
) -> dict[str, list[str]]:
    """Bottom band up: each organisation goes where the mean of its members' placed neighbours is,
    so dependency edges run mostly upwards instead of across."""
    placed: dict[str, float] = {}
    order: dict[str, list[str]] = {}
    for layer in LAYER_ORDER:
        nodes = bands.get(layer)
        if not nodes:
            continue
        by_org: dict[str | None, list[str]] = {}
        for node in nodes:
            by_org.setdefault(org_of.get(node), []).append(node)

        def centre(members: list[str]) -> float:
            around = [placed[p] for m in members for p in graph.predecessors(m) if p in placed]
            return sum(around) / len(around) if around else float("inf")

        groups = sorted(by_org.values(), key=lambda members: (centre(members), nodes.index(members[0])))
        ordered = [node for members in groups for node in sorted(members, key=lambda m: centre([m]))]
        order[layer] = ordered
        x = 0.0
        for node in ordered:
            placed[node] = x / max(1.0, sum(slot[n] for n in ordered))  # 0..1 across the band
            x += slot[node]
    return order


def _row_width(bands: list[list[str]], slot: dict[str, float]) -> float:
    """The narrowest row width whose picture is no taller than ``ASPECT`` allows (at least the
    widest slot): wider than that the picture gets flat and the fit zoom small, narrower it gets tall."""
    widest_slot = max(slot.values())
    total = max(sum(slot[n] for n in band) for band in bands)
    best, best_score = total, float("inf")
    width = widest_slot
    while True:
        rows = sum(len(_wrap(band, slot, width)) for band in bands)
        height = rows * ROW_HEIGHT + len(bands) * BAND_GAP
        used = max(max(sum(slot[n] for n in row) for row in _wrap(band, slot, width)) for band in bands)
        score = max(used, height * ASPECT)  # the larger side decides the zoom when fitted
        if score < best_score:
            best, best_score = width, score
        if width >= total:
            return best
        width = min(total, width * 1.08 + 1)


def _wrap(nodes: list[str], slot: dict[str, float], width: float) -> list[list[str]]:
    rows: list[list[str]] = [[]]
    used = 0.0
    for node in nodes:
        if rows[-1] and used + slot[node] > width:
            rows.append([])
            used = 0.0
        rows[-1].append(node)
        used += slot[node]
    # Even rows: the last row of a wrapped band takes some from the ones before, not a lone node.
    if len(rows) > 1:
        per_row = -(-len(nodes) // len(rows))
        balanced = [nodes[i : i + per_row] for i in range(0, len(nodes), per_row)]
        if all(sum(slot[n] for n in row) <= width for row in balanced) and len(balanced) == len(rows):
            return balanced
    return rows


def neighbourhood(graph: nx.DiGraph[str], start: str, depth: int, limit: int) -> tuple[list[str], bool]:
    """Nodes within ``depth`` edges of ``start`` (providers and consumers alike), breadth first, at most ``limit``."""
    seen = {start: 0}
    queue = [start]
    for node in queue:  # the list grows while it is walked: a breadth-first search
        if seen[node] == depth:
            continue
        for other in list(graph.predecessors(node)) + list(graph.successors(node)):
            if other not in seen:
                if len(seen) >= limit:
                    return list(seen), True
                seen[other] = seen[node] + 1
                queue.append(other)
    return list(seen), False
