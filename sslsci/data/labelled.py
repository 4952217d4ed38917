"""Deterministic tiles of labelled items, for frozen-embedding evaluation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from sslsci.data.standardize import Standardizer
from sslsci.data.windows import cut_window, window_sizes
from sslsci.store import ArrayStore, ItemRow


class LabelledWindows(Dataset):
    """Deterministic tiles of each labelled item, for frozen-embedding evaluation.

    Each sample is (tiles [K, ...window], class index): the item cut into up to
    ``max_tiles`` evenly spaced windows along the window dims, so an item's
    embedding can be the mean over its tiles.
    """

    def __init__(
        self,
        store: ArrayStore,
        items: Sequence[ItemRow],
        window: Mapping[str, int],
        standardizer: Standardizer,
        classes: Sequence[str],
        max_tiles: int = 8,
    ) -> None:
        unlabelled = [i.uri for i in items if i.label is None]
        if unlabelled:
            raise ValueError(
                f"{len(unlabelled)} items have no label (e.g. {unlabelled[0]}); give the "
                "catalog entry a `labels:` block"
            )
        self.store, self.items, self.window = store, list(items), dict(window)
        self.standardizer, self.max_tiles = standardizer, max_tiles
        self.class_index = {c: k for k, c in enumerate(classes)}

    def __len__(self) -> int:
        return len(self.items)

    def tile_starts(self, item: ItemRow) -> list[list[int]]:
        """Evenly spaced window starts along the (first) window dim; centred in the others."""
        sizes = window_sizes(item, self.window)
        axes = [k for k, d in enumerate(item.dims) if d in self.window]
        centre = [max(0, (n - s) // 2) for n, s in zip(item.shape, sizes, strict=True)]
        if not axes:
            return [centre]
        axis = axes[0]
        room = max(0, item.shape[axis] - sizes[axis])
        count = min(self.max_tiles, room // max(1, sizes[axis]) + 1)
        positions = np.linspace(0, room, count).round().astype(int) if count > 1 else [room // 2]
        starts = []
        for position in positions:
            start = list(centre)
            start[axis] = int(position)
            starts.append(start)
        return starts

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        item = self.items[index]
        tiles = [
            self.standardizer(cut_window(self.store, item, self.window, starts))
            for starts in self.tile_starts(item)
        ]
        return torch.from_numpy(np.stack(tiles)), self.class_index[item.label]


def collate_tiles(
    batch: list[tuple[torch.Tensor, int]],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Flatten variable tile counts: (all tiles, owner index per tile, labels)."""
    tiles = torch.cat([t for t, _ in batch])
    owner = torch.cat(
        [torch.full((len(t),), k, dtype=torch.long) for k, (t, _) in enumerate(batch)]
    )
    labels = torch.tensor([label for _, label in batch], dtype=torch.long)
    return tiles, owner, labels
