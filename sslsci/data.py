"""Window datasets over the store: random windows for pretraining, fixed ones for evaluation.

Every random draw comes from a generator seeded by (seed, epoch, rank, worker),
so runs repeat exactly and no two DDP ranks or DataLoader workers see the same
stream of windows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

from sslsci.manifest import ItemRow
from sslsci.plugin import Transform
from sslsci.store import ArrayStore
from sslsci.validation import combine_statistics


@dataclass(frozen=True)
class Standardizer:
    """Per-channel (x - mean) / std, computed over the training items at ingest."""

    mean: tuple[float, ...]
    std: tuple[float, ...]

    @classmethod
    def from_items(cls, items: Sequence[ItemRow]) -> Standardizer:
        mean, std = combine_statistics([item.stats for item in items])
        return cls(tuple(mean), tuple(std))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        shape = (-1,) + (1,) * (x.ndim - 1)
        mean = np.asarray(self.mean, dtype=np.float32).reshape(shape)
        std = np.asarray(self.std, dtype=np.float32).reshape(shape)
        return (x.astype(np.float32) - mean) / std

    def as_dict(self) -> dict[str, list[float]]:
        return {"mean": list(self.mean), "std": list(self.std)}


def window_sizes(item: ItemRow, window: Mapping[str, int]) -> tuple[int, ...]:
    """The window's extent along every dim of an item (whole extent off the window dims)."""
    return tuple(window.get(dim, n) for dim, n in zip(item.dims, item.shape, strict=True))


def cut_window(
    store: ArrayStore, item: ItemRow, window: Mapping[str, int], starts: Sequence[int]
) -> np.ndarray:
    """Read a window starting at ``starts``; zero-pad where the item is shorter."""
    sizes = window_sizes(item, window)
    index = tuple(
        slice(s, min(s + size, n)) for s, size, n in zip(starts, sizes, item.shape, strict=True)
    )
    values = store.read(item.store_key, index)
    if values.shape == sizes:
        return values
    padded = np.zeros(sizes, dtype=values.dtype)
    padded[tuple(slice(0, n) for n in values.shape)] = values
    return padded


def random_starts(item: ItemRow, window: Mapping[str, int], g: torch.Generator) -> list[int]:
    sizes = window_sizes(item, window)
    return [
        int(torch.randint(0, n - size + 1, (1,), generator=g)) if n > size else 0
        for n, size in zip(item.shape, sizes, strict=True)
    ]


def _rank_and_world() -> tuple[int, int]:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


class RandomWindows(IterableDataset):
    """Random windows, weighted across archives, transformed into a method's views.

    Yields a list of view tensors (one per view in ``views``) per sample. Items
    are drawn in proportion to their length along the window dims, times the
    weight of their archive.
    """

    def __init__(
        self,
        store: ArrayStore,
        items: Sequence[ItemRow],
        window: Mapping[str, int],
        views: Sequence[Sequence[Transform]],
        standardizer: Standardizer,
        samples_per_epoch: int,
        seed: int = 0,
        entry_weights: Mapping[str, float] | None = None,
    ) -> None:
        if not items:
            raise ValueError("no stored items to sample from; ingest the catalog entries first")
        self.store, self.items, self.window = store, list(items), dict(window)
        self.views, self.standardizer = [list(v) for v in views], standardizer
        self.samples_per_epoch, self.seed, self.epoch = samples_per_epoch, seed, 0
        self.probabilities = _item_probabilities(self.items, self.window, entry_weights or {})

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _stream_id(self) -> tuple[int, int, int, int]:
        rank, world = _rank_and_world()
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info else (0, 1)
        return rank, world, worker, workers

    def __len__(self) -> int:
        _, world, _, _ = self._stream_id()
        return math.ceil(self.samples_per_epoch / world)

    def __iter__(self) -> Iterator[list[torch.Tensor]]:
        # Count the epoch when iteration starts: the trainer stops after len(self)
        # batches and never exhausts the generator, so code after the loop never runs.
        epoch, self.epoch = self.epoch, self.epoch + 1
        rank, world, worker, workers = self._stream_id()
        stream = (rank * workers + worker) if workers else rank
        g = torch.Generator().manual_seed(_mix(self.seed, epoch, stream))
        count = math.ceil(self.samples_per_epoch / world)
        mine = range(worker, count, workers)
        probabilities = torch.as_tensor(self.probabilities, dtype=torch.float64)
        for _ in mine:
            index = int(torch.multinomial(probabilities, 1, generator=g))
            item = self.items[index]
            values = cut_window(self.store, item, self.window, random_starts(item, self.window, g))
            x = torch.from_numpy(self.standardizer(values))
            yield [_apply(x, transforms, g) for transforms in self.views]


def worker_context(num_workers: int) -> str | None:
    """Start DataLoader workers from a fresh forkserver, never by forking this process.

    A forked worker inherits the parent's threads' exit hooks: after a Prefect flow
    ran in-process, its events worker's hook fails in every forked child (exit 1).
    """
    return "forkserver" if num_workers > 0 else None


def _apply(x: torch.Tensor, transforms: Sequence[Transform], g: torch.Generator) -> torch.Tensor:
    for transform in transforms:
        x = transform(x, g)
    return x.contiguous()


def _mix(*parts: int) -> int:
    """Combine integers into one 63-bit seed, so nearby seeds give unrelated streams."""
    value = 0x9E3779B97F4A7C15
    for part in parts:
        value = ((value ^ (part + 0x632BE59BD9B4E019)) * 0xBF58476D1CE4E5B9) % (1 << 63)
    return value


def _item_probabilities(
    items: Sequence[ItemRow], window: Mapping[str, int], entry_weights: Mapping[str, float]
) -> np.ndarray:
    lengths = np.array(
        [
            max(
                1.0,
                math.prod(
                    n / window[d] for d, n in zip(i.dims, i.shape, strict=True) if d in window
                ),
            )
            for i in items
        ]
    )
    per_entry: dict[str, float] = {}
    for item, length in zip(items, lengths, strict=True):
        per_entry[item.entry] = per_entry.get(item.entry, 0.0) + length
    weights = np.array(
        [
            length / per_entry[item.entry] * entry_weights.get(item.entry, 1.0)
            for item, length in zip(items, lengths, strict=True)
        ]
    )
    return weights / weights.sum()


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
