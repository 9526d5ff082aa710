"""The one palette: every colour and marker shape the map, its legend and every export use.

The map marks a node's *gap state* by shape, fill and a count badge, and its *layer* by the
horizontal band it sits in; so no meaning hangs on colour alone, and the layer colour is never a
node's fill. Selection and path highlight use a blue that no state or status colour is close to
(``tests/web/test_palette.py`` checks the distances).

>>> gap_state({"inherited"}), gap_state({"origin", "inherited"}), gap_state({"circular", "origin"}), gap_state(set())
('inherited', 'mixed', 'circular', 'none')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from obligraph.graph.lattice import Layer

#: Layers bottom to top (the lattice's order); bands are drawn customer on top, infra at the bottom.
#: The one layer order of the map, its layout and every export.
LAYER_ORDER = [layer.value for layer in Layer]
LAYERS = tuple(LAYER_ORDER)
LAYER_TITLES = {"infra": "Infrastructure", "iaas": "IaaS", "paas": "PaaS", "saas": "SaaS", "customer": "Customer"}

#: A layer's colour: the fill in exports that colour by layer (GEXF, DOT, Cytoscape, the HTML map's
#: band labels), and the tint of its band on the map.
LAYER_RGB: dict[str, tuple[int, int, int]] = {
    "infra": (96, 125, 139),
    "iaas": (33, 150, 243),
    "paas": (0, 150, 136),
    "saas": (156, 39, 176),
    "customer": (255, 152, 0),
}

#: Gap states, worst first: the order of the legend and of the label priority.
GAP_STATES = ("circular", "origin", "mixed", "inherited", "none")
GAP_STATE_TEXT = {
    "circular": "circular: in a delegation loop nobody closes",
    "origin": "origin: the node's own part is missing",
    "mixed": "mixed: own gaps and inherited ones",
    "inherited": "inherited only: the cause is upstream",
    "none": "no gap",
}
#: Fill of a node by its gap state (and of a gap kind in the lens).
GAP_STATE_COLOURS = {
    "circular": "#6a1b9a",
    "origin": "#c62828",
    "mixed": "#e65100",
    "inherited": "#f9a825",
    "none": "#2e7d32",
}
#: vis-network shapes per gap state: a reader without colour still tells them apart.
GAP_STATE_SHAPES = {
    "circular": "star",
    "origin": "diamond",
    "mixed": "square",
    "inherited": "triangle",
    "none": "dot",
}

#: Effective status colours for the control lens, worst to best.
STATUS_COLOURS = {
    "not_implemented": "#b71c1c",
    "unknown": "#616161",
    "partial": "#ef6c00",
    "declared": "#9e9d24",
    "verified": "#1b5e20",
    "not_applicable": "#8d6e63",
}

#: Selection and highlighted blocker paths.
HIGHLIGHT = "#0077ff"
#: Nodes and edges pushed back (out of the lens's scope, off a highlighted path).
DIMMED = "#e0e0e0"
DIMMED_BORDER = "#bdbdbd"
EDGE = "#90a4ae"
#: Text on the canvas (labels, band titles, badges).
INK = "#212121"
BADGE_FILL = "#ffffff"


def layer_hex(layer: str) -> str:
    r, g, b = LAYER_RGB[layer]
    return f"#{r:02x}{g:02x}{b:02x}"


def band_tint(layer: str, strength: float = 0.1) -> str:
    """The layer colour mixed into white: a band's background, light enough for dark text on it."""
    r, g, b = (round(255 - (255 - c) * strength) for c in LAYER_RGB[layer])
    return f"#{r:02x}{g:02x}{b:02x}"


def gap_state(kinds: Iterable[str]) -> str:
    """A node's state from the kinds of its gaps: any circular gap makes it ``circular``; origin
    (or mixed) and inherited together make it ``mixed``."""
    present = set(kinds)
    if not present:
        return "none"
    if "circular" in present:
        return "circular"
    if "mixed" in present or {"origin", "inherited"} <= present:
        return "mixed"
    return "origin" if "origin" in present else "inherited"


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.2 contrast ratio of two ``#rrggbb`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def palette_json() -> dict[str, Any]:
    """What the pages' scripts read: one source for the map, its legend and the exported HTML map."""
    return {
        "layers": {
            layer: {"colour": layer_hex(layer), "band": band_tint(layer), "title": LAYER_TITLES[layer]}
            for layer in LAYERS
        },
        "states": {
            state: {"colour": GAP_STATE_COLOURS[state], "shape": GAP_STATE_SHAPES[state], "text": GAP_STATE_TEXT[state]}
            for state in GAP_STATES
        },
        "statuses": dict(STATUS_COLOURS),
        "highlight": HIGHLIGHT,
        "dimmed": DIMMED,
        "dimmed_border": DIMMED_BORDER,
        "edge": EDGE,
        "ink": INK,
        "badge": BADGE_FILL,
    }
