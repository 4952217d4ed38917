"""Frozen embeddings: the mean of a backbone's pooled embedding over an item's tiles.

One definition serves evaluation (stored items, ``LabelledWindows``), export and
``PretrainedModel.embed`` (raw arrays, ``ArrayTiles`` / ``embed_arrays``); where the tiles
lie is ``sslsci.data.tiles``. Tiles of items shorter than the window are zero-padded at the
end after standardisation. A backbone that takes ``lengths=`` (valid samples along the last
dim, e.g. the speech backbones) is given each tile's valid length, so the padding is masked
out rather than embedded as content; other backbones see the padded tile as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from sslsci.data import collate_tiles, worker_context
from sslsci.data.tiles import (
    DEFAULT_MAX_TILES,
    pad_tile,
    tile_slices,
    tile_starts,
    valid_last,
    window_extent,
)
from sslsci.nn.interface import accepts_lengths, pooled_embedding


class ArrayTiles(Dataset):
    """Arrays in a model's dims (channel first), cut into tiles as every embedding is.

    ``standardizer`` (the bundle's statistics) is applied to each tile before padding,
    exactly as ``LabelledWindows`` does for stored items.
    """

    def __init__(
        self,
        arrays: Sequence[np.ndarray],
        dims: Sequence[str],
        window: Mapping[str, int],
        standardizer: Callable[[np.ndarray], np.ndarray] | None = None,
        max_tiles: int = DEFAULT_MAX_TILES,
    ) -> None:
        self.arrays, self.dims, self.window = list(arrays), list(dims), dict(window)
        self.standardizer, self.max_tiles = standardizer, max_tiles
        for values in self.arrays:
            if values.ndim != len(self.dims):
                raise ValueError(
                    f"an array of shape {values.shape} does not match the dims {self.dims}"
                )

    def __len__(self) -> int:
        return len(self.arrays)

    def _sizes(self, values: np.ndarray) -> list[int]:
        return window_extent(self.dims, values.shape, self.window)

    def tile_starts(self, index: int) -> list[tuple[int, ...]]:
        values = self.arrays[index]
        return tile_starts(values.shape, self._sizes(values), self.max_tiles)

    def valid_lengths(self, index: int) -> list[int]:
        values = self.arrays[index]
        sizes = self._sizes(values)
        return [valid_last(values.shape, sizes, s) for s in self.tile_starts(index)]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        values = self.arrays[index]
        sizes = self._sizes(values)
        tiles = []
        for starts in self.tile_starts(index):
            tile = np.asarray(values[tile_slices(values.shape, sizes, starts)])
            tile = self.standardizer(tile) if self.standardizer else tile.astype(np.float32)
            tiles.append(pad_tile(tile, sizes))
        return torch.from_numpy(np.stack(tiles)), 0


def embed_arrays(
    backbone: nn.Module,
    arrays: Sequence[np.ndarray],
    dims: Sequence[str],
    window: Mapping[str, int],
    *,
    standardizer: Callable[[np.ndarray], np.ndarray] | None = None,
    max_tiles: int = DEFAULT_MAX_TILES,
    batch_size: int = 64,
) -> np.ndarray:
    """Embeddings ``[N, num_features]`` of raw arrays (channel-first, in ``dims``): the same
    tiles, padding and mean as evaluation's ``embed_items`` (see ``sslsci.data.tiles``)."""
    dataset = ArrayTiles(arrays, dims, window, standardizer, max_tiles)
    return embed_items(backbone, dataset, batch_size)[0]


def embed_items(
    backbone: nn.Module, dataset: Dataset, batch_size: int = 64, num_workers: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Item features [N, num_features] (float32) and targets, in dataset order.

    Each sample of ``dataset`` is (tiles [K, ...window], target); an item's feature is
    the mean of the backbone's pooled embedding over its tiles. The backbone runs in
    eval mode without gradients; its train/eval state is restored afterwards, so an
    online probe can call this mid-training.
    """
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        multiprocessing_context=worker_context(num_workers),
        collate_fn=collate_tiles,
    )
    device, dtype = input_placement(backbone)
    takes_lengths = accepts_lengths(backbone)
    features, labels, done = [], [], 0
    with evaluation_mode(backbone), torch.no_grad():
        for tiles, owner, batch_labels in loader:  # in dataset order: shuffle is off
            lengths = None
            if takes_lengths:
                indices = range(done, done + len(batch_labels))
                lengths = tile_lengths(dataset, indices).to(device)
            done += len(batch_labels)
            tile_features = pooled_embedding(
                backbone, tiles.to(device=device, dtype=dtype), lengths
            )
            _check_features(backbone, tile_features, len(tiles))
            features.append(
                mean_per_owner(tile_features.float(), owner.to(device), len(batch_labels)).cpu()
            )
            labels.append(batch_labels)
    if not features:
        raise ValueError("the dataset has no items to embed; check the split has ingested items")
    return torch.cat(features).numpy(), torch.cat(labels).numpy()


def tile_lengths(dataset: Dataset, indices: Sequence[int]) -> torch.Tensor:
    """Valid extent along the last dim of every tile of the items at ``indices``, in the
    order ``collate_tiles`` concatenates them (the window size unless the item ends first)."""
    lengths = [n for index in indices for n in dataset.valid_lengths(index)]
    return torch.tensor(lengths, dtype=torch.long)


def mean_per_owner(values: torch.Tensor, owner: torch.Tensor, count: int) -> torch.Tensor:
    """Average the rows of ``values`` that share an owner index (0..count-1)."""
    sums = torch.zeros(count, values.shape[1], dtype=values.dtype, device=values.device)
    sums.index_add_(0, owner, values)
    sizes = torch.bincount(owner, minlength=count).clamp(min=1).to(values.dtype)
    return sums / sizes[:, None]


def random_init_like(backbone_factory: Callable[[], nn.Module], seed: int) -> nn.Module:
    """The baseline: a freshly initialised backbone, reproducible from ``seed``.

    The global torch RNG is forked, so building the baseline does not shift the
    caller's random stream.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = backbone_factory()
    return model.eval()


def check_same_architecture(trained: nn.Module, baseline: nn.Module) -> None:
    """The baseline must have the trained backbone's exact parameter names and shapes."""
    ours = {k: tuple(v.shape) for k, v in trained.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in baseline.state_dict().items()}
    if ours != theirs:
        differing = sorted(set(ours.items()) ^ set(theirs.items()))
        raise ValueError(
            f"the random-init baseline ({type(baseline).__name__}) differs from the trained "
            f"backbone ({type(trained).__name__}) in {len(differing)} tensor(s), e.g. "
            f"{differing[0]}; build it from the same backbone name and config"
        )


@contextmanager
def evaluation_mode(module: nn.Module) -> Iterator[None]:
    """Eval mode for the duration, then every submodule's own mode back."""
    modes = {m: m.training for m in module.modules()}
    module.eval()
    try:
        yield
    finally:
        for submodule, training in modes.items():
            submodule.training = training


def input_placement(backbone: nn.Module) -> tuple[torch.device, torch.dtype]:
    """Where and in which dtype the backbone wants its input (CPU float32 without weights)."""
    parameter = next(backbone.parameters(), None)
    if parameter is None or not parameter.is_floating_point():
        return torch.device("cpu"), torch.float32
    return parameter.device, parameter.dtype


def _check_features(backbone: nn.Module, features: torch.Tensor, tiles: int) -> None:
    if features.ndim != 2 or features.shape[0] != tiles:
        raise ValueError(
            f"{type(backbone).__name__} gave a pooled embedding of shape "
            f"{tuple(features.shape)} for {tiles} tiles; forward (forward_head of "
            "forward_features) must return [batch, num_features]"
        )
