"""Bool matrices kept as the bits of one byte matrix.

An analysis holds several bool results per (node, control): whether the node must do its own
part, whether a gap is orphaned, in scope, circular. At a million nodes and 133 controls each of
them is 133 MB as a numpy bool matrix (a byte per cell). Kept as bits of one ``uint8`` matrix,
four of them take the room of one.

A ``BitPlane`` reads as the bool matrix it stands for: indexing gives bools (only the cells
indexed are unpacked), assignment sets or clears the bit, and numpy's functions and operators take
it as the whole bool array.

>>> bits = np.zeros((2, 3), dtype=np.uint8)
>>> orphaned, circular = BitPlane(bits, 0), BitPlane(bits, 1)
>>> orphaned[0, 1] = True
>>> circular[:, 2] = [True, False]
>>> bits.tolist()
[[0, 1, 2], [0, 0, 0]]
>>> bool(orphaned[0, 1]), circular[:, 2].tolist(), int((circular | orphaned).sum())
(True, [True, False], 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin
from numpy.typing import NDArray

#: Cells unpacked at once by a whole count.
_BLOCK_CELLS = 1 << 23


class BitPlane(NDArrayOperatorsMixin):
    """Bit ``bit`` of every cell of ``bits``, as a bool matrix of the same shape."""

    __slots__ = ("bits", "mask", "shift")

    def __init__(self, bits: NDArray[np.uint8], bit: int):
        if bits.dtype != np.uint8 or not 0 <= bit < 8:
            raise ValueError("a BitPlane is one of the 8 bits of a uint8 array")
        self.bits = bits
        self.mask = np.uint8(1 << bit)
        self.shift = np.uint8(bit)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.bits.shape

    @property
    def ndim(self) -> int:
        return self.bits.ndim

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(bool)

    def __len__(self) -> int:
        return len(self.bits)

    def __getitem__(self, key: Any) -> Any:
        return (self.bits[key] & self.mask) != 0

    def __setitem__(self, key: Any, value: Any) -> None:
        cells = self.bits[key]
        self.bits[key] = np.where(np.asarray(value, dtype=bool), cells | self.mask, cells & ~self.mask)

    def __array__(self, dtype: Any = None, copy: Any = None) -> NDArray[Any]:
        # One new array, not two: the bit shifted down to 0 or 1, which is a valid bool byte.
        plane = self.bits >> self.shift
        plane &= 1
        return plane.view(bool) if dtype is None else plane.view(bool).astype(dtype)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if any(isinstance(out, BitPlane) for out in kwargs.get("out", ())):
            return NotImplemented  # an ufunc's output must be a real array
        arrays = [np.asarray(x) if isinstance(x, BitPlane) else x for x in inputs]
        return getattr(ufunc, method)(*arrays, **kwargs)

    def copy(self) -> NDArray[np.bool_]:
        """The bool matrix, as a new array."""
        return np.asarray(self)

    def any(self, axis: Any = None) -> Any:
        return np.asarray(self).any(axis=axis) if axis is not None else bool(self.sum())

    def sum(self, axis: Any = None) -> Any:
        """How many cells are set, in all or along ``axis``; a whole count is taken a block of rows
        at a time, without unpacking the whole matrix."""
        if axis is not None:
            return np.count_nonzero(np.asarray(self), axis=axis)
        rows = max(1, _BLOCK_CELLS // max(1, self.bits[:1].size))
        return sum(int(np.count_nonzero(self[start : start + rows])) for start in range(0, len(self.bits), rows))

    def ravel(self) -> NDArray[np.bool_]:
        return np.asarray(self).ravel()

    def __repr__(self) -> str:
        return f"BitPlane(bit {int(self.mask).bit_length() - 1} of a {self.bits.shape} uint8 array)"


def pack(planes: list[NDArray[np.bool_]]) -> NDArray[np.uint8]:
    """One uint8 array whose bit i holds ``planes[i]`` (at most 8 bool arrays of one shape).

    >>> pack([np.array([True, False]), np.array([True, True])]).tolist()
    [3, 2]
    """
    if not 0 < len(planes) <= 8:
        raise ValueError("pack takes 1 to 8 bool arrays")
    bits = planes[0].astype(np.uint8)
    for bit, plane in enumerate(planes[1:], start=1):
        bits |= plane.view(np.uint8) << np.uint8(bit)
    return bits
