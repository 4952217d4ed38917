"""The three pretext transforms of Yuan et al. 2024, applied on a batch along the last dim.

"Self-supervised learning for human activity recognition using 700,000
person-days of wearable data" (npj Digital Medicine 2024; code: OxWearables/
ssl-wearables): arrow of time (reverse the window), permutation (cut the window
into segments of a minimum length and shuffle them) and time warp (resample along
a smooth random time curve, Um et al. 2017).  Each is applied to each sample
independently with probability ``p``; the labels say which were applied.  Every
random number comes from the given ``torch.Generator`` (or the global RNG), drawn
on the CPU, so results do not depend on the device.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

PRETEXT_TASKS = ("arrow_of_time", "permutation", "time_warp")


def gather_time(x: Tensor, index: Tensor) -> Tensor:
    """x [B, C, T] sampled at integer time indices [B, T'] -> [B, C, T']."""
    return torch.gather(x, -1, index[:, None, :].expand(-1, x.shape[1], -1))


def reverse_time(x: Tensor, selected: Tensor) -> Tensor:
    """Flip the time axis of the samples where ``selected`` [B] is True."""
    return torch.where(selected[:, None, None], x.flip(-1), x)


def segment_lengths(
    length: int, num_segments: int, min_length: int, generator: torch.Generator | None
) -> list[int]:
    """Random segment lengths summing to ``length``, each at least ``min_length``."""
    spare = length - num_segments * min_length
    weights = torch.rand(num_segments, generator=generator)
    extra = torch.floor(weights / weights.sum() * spare).long()
    extra[-1] += spare - int(extra.sum())
    return [min_length + int(e) for e in extra]


def shuffled_order(num_segments: int, generator: torch.Generator | None) -> list[int]:
    """A random order of the segments that is never the original one."""
    order = torch.randperm(num_segments, generator=generator).tolist()
    if order == sorted(order):
        order.reverse()
    return order


def permutation_index(
    length: int, num_segments: int, min_length: int, generator: torch.Generator | None
) -> Tensor:
    """Time indices [T] that reorder one window's segments."""
    segments = torch.arange(length).split(
        segment_lengths(length, num_segments, min_length, generator)
    )
    return torch.cat([segments[i] for i in shuffled_order(num_segments, generator)])


def permute_segments(
    x: Tensor,
    selected: Tensor,
    num_segments: int,
    min_length: int,
    generator: torch.Generator | None,
) -> Tensor:
    """Shuffle ``num_segments`` segments of the selected samples (each its own cut)."""
    length = x.shape[-1]
    if num_segments < 2 or num_segments * min_length > length:
        raise ValueError(
            f"permutation needs num_segments >= 2 and num_segments * min_segment_length = "
            f"{num_segments} * {min_length} <= window length {length}; lower "
            "min_segment_length or num_segments, or use longer windows."
        )
    rows = [
        permutation_index(length, num_segments, min_length, generator)
        if bool(chosen)
        else torch.arange(length)
        for chosen in selected.cpu()
    ]
    return gather_time(x, torch.stack(rows).to(x.device))


def warp_positions(
    batch: int, length: int, sigma: float, knots: int, generator: torch.Generator | None
) -> Tensor:
    """Monotone sample positions [B, T] from 0 to T-1 whose local speed varies smoothly.

    The speed at ``knots + 2`` evenly spaced points is drawn from N(1, sigma) (kept
    positive), interpolated over time and integrated, then rescaled to span [0, T-1].
    """
    speeds = (1.0 + sigma * torch.randn(batch, 1, knots + 2, generator=generator)).clamp_min(0.05)
    speed = F.interpolate(speeds, size=length, mode="linear", align_corners=True)[:, 0]
    elapsed = torch.cumsum(speed, dim=1) - speed[:, :1]
    return elapsed / elapsed[:, -1:] * (length - 1)


def time_warp(
    x: Tensor, selected: Tensor, sigma: float, knots: int, generator: torch.Generator | None
) -> Tensor:
    """Resample the selected samples at warped positions (linear interpolation)."""
    batch, _, length = x.shape
    positions = warp_positions(batch, length, sigma, knots, generator).to(x.device, x.dtype)
    left = positions.floor().long().clamp(0, length - 1)
    right = (left + 1).clamp(max=length - 1)
    fraction = (positions - left.to(x.dtype))[:, None, :]
    warped = gather_time(x, left) * (1 - fraction) + gather_time(x, right) * fraction
    return torch.where(selected[:, None, None], warped, x)


def apply_pretext_tasks(
    x: Tensor,
    probability: float = 0.5,
    num_segments: int = 4,
    min_segment_length: int = 10,
    warp_sigma: float = 0.2,
    warp_knots: int = 4,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """Transform x [B, C, T] -> (transformed, labels [B, 3] float in ``PRETEXT_TASKS`` order)."""
    if x.ndim != 3:
        raise ValueError(
            f"the multitask pretext transforms need [batch, channel, time] with time last, "
            f"got shape {tuple(x.shape)}; reorder the dims so time is the last one."
        )
    labels = torch.rand(x.shape[0], len(PRETEXT_TASKS), generator=generator) < probability
    chosen = labels.to(x.device)
    x = reverse_time(x, chosen[:, 0])
    x = permute_segments(x, chosen[:, 1], num_segments, min_segment_length, generator)
    x = time_warp(x, chosen[:, 2], warp_sigma, warp_knots, generator)
    return x, labels.to(x.device, x.dtype)
