"""Random windows for pretraining, weighted across archives and turned into a method's views.

Every random draw comes from a generator seeded by (seed, epoch, rank, worker),
so runs repeat exactly and no two DDP ranks or DataLoader workers see the same
stream of windows. ``windows_per_read`` windows are cut from each drawn item in one
store read (as MONAI's ``RandSpatialCropSamplesd`` cuts several crops per load), which
decodes the chunks they share once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from sslsci.data.standardize import Standardizer
from sslsci.data.windows import cut_windows, random_starts
from sslsci.plugins.contract import Transform
from sslsci.store import ArrayStore, ItemRow


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
        windows_per_read: int = 1,
    ) -> None:
        if not items:
            raise ValueError("no stored items to sample from; ingest the catalog entries first")
        if windows_per_read < 1:
            raise ValueError(f"windows_per_read must be >= 1, got {windows_per_read}")
        self.windows_per_read = windows_per_read
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
        left = len(mine)
        while left > 0:
            for values in self._draw(probabilities, g, min(left, self.windows_per_read)):
                x = torch.from_numpy(self.standardizer(values, reuse=True))
                yield [_apply(x, transforms, g) for transforms in self.views]
            left -= self.windows_per_read

    def _draw(
        self, probabilities: torch.Tensor, g: torch.Generator, count: int
    ) -> list[np.ndarray]:
        """``count`` random windows of one randomly drawn item, read together."""
        item = self.items[int(torch.multinomial(probabilities, 1, generator=g))]
        starts = [random_starts(item, self.window, g) for _ in range(count)]
        return cut_windows(self.store, item, self.window, starts)


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
