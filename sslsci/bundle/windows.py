"""Cut an array into the model's window size along its window dims.

Windows are non-overlapping and cover the whole array; when the length is not a
multiple of the window, one last window ends exactly at the end (overlapping its
neighbour) so no sample is ignored.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

from sslsci.bundle.errors import BundleError


def window_starts(length: int, size: int) -> list[int]:
    """Start offsets of windows of ``size`` covering ``range(length)``."""
    starts = list(range(0, length - size + 1, size))
    if starts and starts[-1] + size < length:
        starts.append(length - size)
    return starts


def pad_to_window(values: np.ndarray, axes: Sequence[int], sizes: Sequence[int]) -> np.ndarray:
    """Zero-pad (at the end) every window axis shorter than its window."""
    widths = [(0, 0)] * values.ndim
    for axis, size in zip(axes, sizes, strict=True):
        widths[axis] = (0, max(0, size - values.shape[axis]))
    return np.pad(values, widths)


def check_long_enough(
    values: np.ndarray, axes: Sequence[int], sizes: Sequence[int], names: Sequence[str]
) -> None:
    """Refuse an array shorter than one window, saying how to pad it."""
    for axis, size, name in zip(axes, sizes, names, strict=True):
        if values.shape[axis] < size:
            raise BundleError(
                f"the array has {values.shape[axis]} samples along {name!r} but the model "
                f"takes windows of {size}; pass a longer array, or embed(..., pad=True) to "
                "zero-pad it (after standardisation, zero is the training mean)."
            )


def iter_windows(
    values: np.ndarray, axes: Sequence[int], sizes: Sequence[int]
) -> Iterator[np.ndarray]:
    """Every window of ``values`` (all axes kept), over the product of window starts."""
    per_axis = [window_starts(values.shape[a], s) for a, s in zip(axes, sizes, strict=True)]
    for starts in itertools.product(*per_axis):
        index = [slice(None)] * values.ndim
        for axis, start, size in zip(axes, starts, sizes, strict=True):
            index[axis] = slice(start, start + size)
        yield values[tuple(index)]
