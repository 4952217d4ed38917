"""Seeded synthetic datasets of one-tile items whose correct answers are known."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset


class SyntheticItems(Dataset):
    """Items [1 tile, channels, time] with a target per item (class, multi-hot or number)."""

    def __init__(self, values: np.ndarray, targets: np.ndarray, kind: str) -> None:
        self.values, self.targets, self.kind = values.astype(np.float32), targets, kind
        self.multilabel = kind == "multilabel"

    def __len__(self) -> int:
        return len(self.values)

    def valid_lengths(self, index: int) -> list[int]:
        return [self.values.shape[-1]]

    def __getitem__(self, index: int):
        tiles = torch.from_numpy(self.values[index][None])
        target = self.targets[index]
        if self.kind == "classification":
            return tiles, int(target)
        return tiles, torch.tensor(target, dtype=torch.float32)


def channel_items(
    count: int, channels: int, seed: int, time: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Arrays whose per-channel time means are the latent ``means`` [count, channels]."""
    rng = np.random.default_rng(seed)
    means = rng.normal(0, 1, (count, channels))
    values = means[:, :, None] + rng.normal(0, 0.05, (count, channels, time))
    return values, values.mean(axis=2)
