"""Deterministic tiles of labelled items, for frozen-embedding evaluation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from sslsci.data.standardize import Standardizer
from sslsci.data.tiles import (
    DEFAULT_MAX_TILES,
    pad_tile,
    tile_slices,
    tile_starts,
    valid_last,
)
from sslsci.data.windows import window_sizes
from sslsci.store import ArrayStore, ItemRow

MULTILABEL_SEPARATOR = ";"  # a multi-label item's classes, joined: "forest;water"


def item_target(item: ItemRow, label_key: str | None) -> str | None:
    """The item's catalog label, or the label named ``label_key`` (a plugin task's)."""
    return item.label if label_key is None else item.labels.get(label_key)


def split_labels(target: str) -> list[str]:
    """The classes of a multi-label target ("a;b" -> ["a", "b"]); empty parts dropped."""
    return [part for part in target.split(MULTILABEL_SEPARATOR) if part]


class LabelledWindows(Dataset):
    """Deterministic tiles of each labelled item, for frozen-embedding evaluation.

    Each sample is (tiles [K, ...window], target): the item cut into its tiles as
    ``sslsci.data.tiles`` defines them (at most ``max_tiles``), standardised, so an
    item's embedding is the mean over its tiles. The target is a class index, or with
    ``multilabel`` a multi-hot vector over ``classes``, with ``regression`` the label as a
    number (``classes`` is then empty). ``label_key`` reads the target
    from the item's labels (a plugin task's key) instead of its catalog label.
    """

    def __init__(
        self,
        store: ArrayStore,
        items: Sequence[ItemRow],
        window: Mapping[str, int],
        standardizer: Standardizer,
        classes: Sequence[str],
        max_tiles: int = DEFAULT_MAX_TILES,
        *,
        label_key: str | None = None,
        multilabel: bool = False,
        regression: bool = False,
    ) -> None:
        unlabelled = [i.uri for i in items if item_target(i, label_key) is None]
        if unlabelled:
            where = f"label {label_key!r}" if label_key else "label"
            raise ValueError(
                f"{len(unlabelled)} items have no {where} (e.g. {unlabelled[0]}); give the "
                "catalog entry a `labels:` block, or use a reader that reads them"
            )
        self.store, self.items, self.window = store, list(items), dict(window)
        self.standardizer, self.max_tiles = standardizer, max_tiles
        self.class_index = {c: k for k, c in enumerate(classes)}
        self.label_key, self.multilabel, self.regression = label_key, multilabel, regression

    def target(self, item: ItemRow) -> int | torch.Tensor:
        """The class index, the multi-hot float vector of a multi-label item, or the
        number a regression label holds (a 0-d float tensor)."""
        value = item_target(item, self.label_key)
        if self.regression:
            return torch.tensor(float(value))
        if not self.multilabel:
            return self.class_index[value]
        hot = torch.zeros(len(self.class_index))
        for name in split_labels(value):
            hot[self.class_index[name]] = 1.0
        return hot

    def __len__(self) -> int:
        return len(self.items)

    def tile_starts(self, item: ItemRow) -> list[tuple[int, ...]]:
        """The item's tiles, as ``sslsci.data.tiles`` defines them for every embedding."""
        return tile_starts(item.shape, window_sizes(item, self.window), self.max_tiles)

    def valid_lengths(self, index: int) -> list[int]:
        """Each tile's samples along the last dim before padding (for ``lengths=``)."""
        item = self.items[index]
        sizes = window_sizes(item, self.window)
        return [valid_last(item.shape, sizes, starts) for starts in self.tile_starts(item)]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        item = self.items[index]
        sizes = window_sizes(item, self.window)
        tiles = [
            pad_tile(
                self.standardizer(
                    self.store.read(item.store_key, tile_slices(item.shape, sizes, starts))
                ),
                sizes,
            )
            for starts in self.tile_starts(item)
        ]
        return torch.from_numpy(np.stack(tiles)), self.target(item)


def collate_tiles(
    batch: list[tuple[torch.Tensor, int | torch.Tensor]],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Flatten variable tile counts: (all tiles, owner index per tile, targets); targets
    are class indices [B], or multi-hot rows [B, K] for multi-label items."""
    tiles = torch.cat([t for t, _ in batch])
    owner = torch.cat(
        [torch.full((len(t),), k, dtype=torch.long) for k, (t, _) in enumerate(batch)]
    )
    targets = [label for _, label in batch]
    if targets and isinstance(targets[0], torch.Tensor):
        return tiles, owner, torch.stack(targets)
    return tiles, owner, torch.tensor(targets, dtype=torch.long)
