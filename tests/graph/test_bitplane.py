"""Bool matrices kept as bits: a BitPlane must read and write as the bool array it stands for."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from obligraph.graph.analysis.bitplane import BitPlane, pack

shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=9)
planes = shapes.flatmap(lambda shape: st.lists(hnp.arrays(bool, shape), min_size=1, max_size=8))


@given(planes)
def test_each_plane_reads_back_what_was_packed(arrays):
    bits = pack(arrays)
    for bit, array in enumerate(arrays):
        plane = BitPlane(bits, bit)
        assert plane.shape == array.shape
        assert np.array_equal(np.asarray(plane), array)
        assert plane.copy().tolist() == array.tolist()
        assert plane.sum() == array.sum()
        assert plane.any() == array.any()
        assert np.array_equal(plane.sum(axis=1), array.sum(axis=1))
        assert np.array_equal(plane.ravel(), array.ravel())


@given(planes, st.data())
def test_indexing_and_assignment_act_as_on_the_bool_array(arrays, data):
    bits = pack(arrays)
    bit = data.draw(st.integers(0, len(arrays) - 1))
    plane, mirror = BitPlane(bits, bit), arrays[bit].copy()
    rows, cols = mirror.shape
    row = data.draw(st.integers(0, rows - 1))
    picked = np.array(data.draw(st.lists(st.integers(0, cols - 1), max_size=5)), dtype=np.int64)
    for key in ((row, 0), (slice(None), cols - 1), (row, picked), (np.arange(rows), np.zeros(rows, dtype=np.int64))):
        assert np.array_equal(plane[key], mirror[key])
        value = data.draw(hnp.arrays(bool, np.shape(mirror[key])))
        plane[key] = value
        mirror[key] = value
        assert np.array_equal(np.asarray(plane), mirror)
    # The other planes are untouched.
    for other, array in enumerate(arrays):
        if other != bit:
            assert np.array_equal(np.asarray(BitPlane(bits, other)), array)


@given(planes)
def test_operators_and_numpy_functions_take_the_bool_array(arrays):
    plane, array = BitPlane(pack(arrays), 0), arrays[0]
    assert np.array_equal(plane & ~array, array & ~array)
    assert np.array_equal(~plane[:, :], ~array)
    assert np.array_equal(plane == True, array)  # noqa: E712  # the gap filter compares this way
    assert np.array_equal(np.flatnonzero(plane), np.flatnonzero(array))


def test_a_plane_is_one_bit_of_a_byte_array():
    with pytest.raises(ValueError, match="uint8"):
        BitPlane(np.zeros(3, dtype=np.int64), 0)
    with pytest.raises(ValueError, match="uint8"):
        BitPlane(np.zeros(3, dtype=np.uint8), 8)
    with pytest.raises(ValueError, match="1 to 8"):
        pack([np.zeros(2, dtype=bool)] * 9)
    with pytest.raises(TypeError):
        np.logical_not(np.zeros((1, 1), dtype=bool), out=(BitPlane(np.zeros((1, 1), dtype=np.uint8), 0),))
