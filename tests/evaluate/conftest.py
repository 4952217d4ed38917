"""A real ArrayStore of small labelled items, and a backbone whose features are hand-checkable."""

from collections.abc import Callable

import numpy as np
import pytest
import torch
import xarray as xr
from torch import nn

from sslsci.data import LabelledWindows, Standardizer
from sslsci.store import ArrayStore, ItemRow

DIMS = ("channel", "time")


class MeanBackbone(nn.Module):
    """Per-channel time means times a weight; dropout shows whether eval mode was used."""

    def __init__(self, channels: int = 2) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(channels))
        self.dropout = nn.Dropout(p=0.5)
        self.num_features = channels

    feature_layout = "channels_first"

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(x * self.weight[:, None])

    def forward_head(self, features: torch.Tensor, pre_logits: bool = True) -> torch.Tensor:
        return features.mean(dim=-1)


def make_item(name: str, values: np.ndarray, label: str, split: str) -> ItemRow:
    return ItemRow(
        store_key=f"key{name}",
        entry="task",
        uri=f"file://{name}.ts",
        item="0",
        sha256=f"sha{name}",
        dims=DIMS,
        shape=values.shape,
        label=label,
        group_key=None,
        labels={},
        split=split,
        stats={},
        attrs={},
    )


@pytest.fixture
def store(tmp_path) -> ArrayStore:
    return ArrayStore(tmp_path / "store")


@pytest.fixture
def put_items(store: ArrayStore) -> Callable[..., list[ItemRow]]:
    """Store arrays [channel, time] and return their manifest rows."""

    def put(arrays: list[tuple[str, np.ndarray, str, str]]) -> list[ItemRow]:
        rows = []
        for name, values, label, split in arrays:
            row = make_item(name, values, label, split)
            store.put(row.store_key, xr.DataArray(values, dims=DIMS), window_dims=("time",))
            rows.append(row)
        return rows

    return put


@pytest.fixture
def two_class_splits(store, put_items) -> tuple[LabelledWindows, LabelledWindows]:
    """'up' items have a raised channel 0, 'down' items a lowered one; seeded noise."""
    rng = np.random.default_rng(0)
    arrays = []
    for split, count in (("train", 24), ("test", 12)):
        for index in range(count):
            label = ("down", "up")[index % 2]
            values = rng.normal(0, 0.3, (2, 16)).astype(np.float32)
            values[0] += 1.0 if label == "up" else -1.0
            arrays.append((f"{split}{index}", values, label, split))
    rows = put_items(arrays)
    standardizer = Standardizer((0.0, 0.0), (1.0, 1.0))
    return tuple(
        LabelledWindows(
            store, [r for r in rows if r.split == split], {"time": 8}, standardizer, ["down", "up"]
        )
        for split in ("train", "test")
    )


@pytest.fixture
def mean_backbone() -> type[MeanBackbone]:
    return MeanBackbone
