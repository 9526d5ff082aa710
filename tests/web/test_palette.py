"""One palette: state colours apart from each other and from the highlight; text on the map's
bands and badges readable (WCAG AA); exports take their layer colours from it."""

from __future__ import annotations

import pytest

from obligraph.graph import palette
from obligraph.graph.formats import _common


def distance(a: str, b: str) -> float:
    rgb = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (a, b)]
    return sum((x - y) ** 2 for x, y in zip(*rgb)) ** 0.5


def test_highlight_collides_with_no_state_or_status_colour():
    for colour in [*palette.GAP_STATE_COLOURS.values(), *palette.STATUS_COLOURS.values(), palette.DIMMED]:
        assert distance(colour, palette.HIGHLIGHT) > 120, colour


def test_states_differ_by_shape_as_well_as_colour():
    assert len(set(palette.GAP_STATE_SHAPES.values())) == len(palette.GAP_STATES)
    colours = list(palette.GAP_STATE_COLOURS.values())
    assert all(distance(a, b) > 60 for i, a in enumerate(colours) for b in colours[i + 1 :])


@pytest.mark.parametrize("layer", palette.LAYERS)
def test_band_text_is_readable(layer):
    assert palette.contrast_ratio(palette.INK, palette.band_tint(layer)) >= 4.5
    assert palette.contrast_ratio(palette.INK, palette.BADGE_FILL) >= 4.5


def test_exports_use_the_palette():
    assert _common.LAYER_COLOURS == palette.LAYER_RGB
    assert _common.hex_colour("iaas") == palette.layer_hex("iaas")


def test_gap_state_rule():
    assert palette.gap_state([]) == "none"
    assert palette.gap_state(["inherited"]) == "inherited"
    assert palette.gap_state(["origin"]) == "origin"
    assert palette.gap_state(["origin", "inherited"]) == "mixed"
    assert palette.gap_state(["mixed"]) == "mixed"
    assert palette.gap_state(["circular", "inherited"]) == "circular"
