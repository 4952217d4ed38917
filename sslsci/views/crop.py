"""A random crop along the window dims of an N-D window, for every modality.

The window dims are the trailing dims of a ``[channel, ...]`` window; the crop
size names one extent per trailing dim. A shorter input is padded at a random split
of before and after, so every view of a batch has one shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F

from sslsci.views.rng import randint

PadMode = Literal["constant", "replicate"]


def crop_or_pad_axis(
    x: torch.Tensor, axis: int, size: int, g: torch.Generator, pad: PadMode, value: float
) -> torch.Tensor:
    """A random ``size``-long span of ``x`` along ``axis`` (one draw), padded if short."""
    length = x.shape[axis]
    if length >= size:
        start = randint(g, 0, length - size + 1)
        return x.narrow(axis, start, size)
    missing = size - length
    before = randint(g, 0, missing + 1)
    if pad == "replicate":
        index = torch.arange(-before, size - before, device=x.device).clamp(0, length - 1)
        return x.index_select(axis, index)
    widths = [0, 0] * (x.ndim - 1 - axis) + [before, missing - before]
    return F.pad(x, widths, mode="constant", value=value)


@dataclass(frozen=True)
class RandomCrop:
    """A random window of ``size`` (one extent per trailing dim) from a ``[C, ...]`` window.

    ``pad`` fills a short input: ``"constant"`` with ``value`` (0 is the standardised
    mean, or silence for audio) or ``"replicate"`` with its edge values.
    """

    size: tuple[int, ...]
    pad: PadMode = "constant"
    value: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.size, int):
            object.__setattr__(self, "size", (self.size,))
        if not self.size or any(
            isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in self.size
        ):
            raise ValueError(f"RandomCrop size {self.size!r} must be positive ints, one per dim")
        if self.pad not in ("constant", "replicate"):
            raise ValueError(f"RandomCrop pad {self.pad!r} must be 'constant' or 'replicate'")

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        if x.ndim < len(self.size) + 1:
            raise ValueError(
                f"RandomCrop of size {self.size} needs a [channel, ...] window with "
                f"{len(self.size)} window dims, got shape {tuple(x.shape)}"
            )
        first = x.ndim - len(self.size)
        for offset, size in enumerate(self.size):
            x = crop_or_pad_axis(x, first + offset, size, g, self.pad, self.value)
        return x
