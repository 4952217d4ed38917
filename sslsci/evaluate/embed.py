"""Frozen embeddings of labelled items: mean of ``forward_features`` over each item's tiles.

Tiles of items shorter than the window are zero-padded at the end by ``cut_window``. A
backbone whose ``forward_features`` takes ``lengths=`` (valid samples along the last dim,
e.g. the speech backbones) is given each tile's valid length, so the padding is masked out
rather than embedded as content; other backbones see the padded tile as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from sslsci.data import LabelledWindows, collate_tiles, window_sizes, worker_context
from sslsci.nn.interface import accepts_lengths


def embed_items(
    backbone: nn.Module, dataset: LabelledWindows, batch_size: int = 64, num_workers: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Item features [N, num_features] (float32) and class indices [N], in dataset order.

    The backbone runs in eval mode without gradients; its train/eval state is
    restored afterwards, so an online probe can call this mid-training.
    """
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        multiprocessing_context=worker_context(num_workers),
        collate_fn=collate_tiles,
    )
    device, dtype = _input_placement(backbone)
    takes_lengths = accepts_lengths(backbone)
    features, labels, done = [], [], 0
    with evaluation_mode(backbone), torch.no_grad():
        for tiles, owner, batch_labels in loader:  # in dataset order: shuffle is off
            options = {}
            if takes_lengths:
                indices = range(done, done + len(batch_labels))
                options["lengths"] = tile_lengths(dataset, indices).to(device)
            done += len(batch_labels)
            tile_features = backbone.forward_features(
                tiles.to(device=device, dtype=dtype), **options
            )
            _check_features(backbone, tile_features, len(tiles))
            features.append(
                mean_per_owner(tile_features.float(), owner.to(device), len(batch_labels)).cpu()
            )
            labels.append(batch_labels)
    if not features:
        raise ValueError("the dataset has no items to embed; check the split has ingested items")
    return torch.cat(features).numpy(), torch.cat(labels).numpy()


def tile_lengths(dataset: LabelledWindows, indices: Sequence[int]) -> torch.Tensor:
    """Valid extent along the last dim of every tile of the items at ``indices``, in the
    order ``collate_tiles`` concatenates them (the window size unless the item ends first)."""
    lengths: list[int] = []
    for index in indices:
        item = dataset.items[index]
        size = window_sizes(item, dataset.window)[-1]
        lengths.extend(
            min(size, item.shape[-1] - starts[-1]) for starts in dataset.tile_starts(item)
        )
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


def _input_placement(backbone: nn.Module) -> tuple[torch.device, torch.dtype]:
    parameter = next(backbone.parameters(), None)
    if parameter is None or not parameter.is_floating_point():
        return torch.device("cpu"), torch.float32
    return parameter.device, parameter.dtype


def _check_features(backbone: nn.Module, features: torch.Tensor, tiles: int) -> None:
    if features.ndim != 2 or features.shape[0] != tiles:
        raise ValueError(
            f"{type(backbone).__name__}.forward_features returned shape "
            f"{tuple(features.shape)} for {tiles} tiles; it must return pooled features "
            "[batch, num_features]"
        )
