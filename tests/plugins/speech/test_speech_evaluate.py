"""Evaluating speech backbones on clips shorter than the window: padding is masked, not embedded.

``cut_window`` zero-pads a short clip to the window; the evaluation path gives backbones that
take ``lengths=`` each tile's valid length, so a short clip embeds as the clip alone would.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import xarray as xr
from torch import nn

from plugins.speech.backbones import BACKBONES
from sslsci.data import LabelledWindows, Standardizer
from sslsci.evaluate.embed import accepts_lengths, embed_items, tile_lengths
from sslsci.store import ArrayStore, ItemRow

DIMS = ("channel", "time")
WINDOW = {"time": 16000}
STANDARDIZER = Standardizer((0.01,), (0.2,))
SMALL = {
    "logmel_cnn": {"channels": 8, "feature_dim": 32},
    "transformer": {"embed_dim": 32, "depth": 1, "num_heads": 2},
    "wav2vec2": {"embed_dim": 32, "num_layers": 1, "num_heads": 2, "ff_dim": 64},
}


def stored_clips(store: ArrayStore, lengths: list[int], seed: int = 0) -> list[ItemRow]:
    """Seeded noise clips ``[1, n]`` in the store, one manifest row each (label ``"x"``)."""
    rng = np.random.default_rng(seed)
    rows = []
    for index, n in enumerate(lengths):
        values = (0.1 * rng.standard_normal((1, n))).astype(np.float32)
        row = ItemRow(
            store_key=f"clip{index}",
            entry="speech",
            uri=f"file://clip{index}.wav",
            item="0",
            sha256=f"sha{index}",
            dims=DIMS,
            shape=values.shape,
            label="x",
            group_key=None,
            labels={},
            split="test",
            stats={},
            attrs={},
        )
        store.put(row.store_key, xr.DataArray(values, dims=DIMS), window_dims=("time",))
        rows.append(row)
    return rows


def small_backbone(name: str) -> nn.Module:
    torch.manual_seed(0)
    return BACKBONES[name](**SMALL[name]).eval()


class NoLengths(nn.Module):
    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=-1)


def test_speech_backbones_take_lengths_and_plain_ones_do_not() -> None:
    assert all(accepts_lengths(small_backbone(name)) for name in SMALL)
    assert not accepts_lengths(NoLengths())


def test_tile_lengths_are_the_valid_samples_of_each_tile(tmp_path) -> None:
    store = ArrayStore(tmp_path / "store")
    rows = stored_clips(store, [6000, 16000, 40000])
    dataset = LabelledWindows(store, rows, WINDOW, STANDARDIZER, ["x"], max_tiles=4)
    # 6000 < window: one tile holding 6000 samples; 40000: tiles at 0, 16000 and 24000 (the
    # last ends at the item's end, sslsci.data.tiles), all full
    assert [len(dataset[i][0]) for i in range(3)] == [1, 1, 3]
    assert tile_lengths(dataset, [0, 1, 2]).tolist() == [6000] + [16000] * 4
    assert tile_lengths(dataset, [2, 0]).tolist() == [16000] * 3 + [6000]


@pytest.mark.parametrize("name", sorted(SMALL))
def test_short_clip_embeds_as_the_clip_alone(tmp_path, name: str) -> None:
    store = ArrayStore(tmp_path / "store")
    lengths = [5000, 16000, 9000]
    rows = stored_clips(store, lengths)
    dataset = LabelledWindows(store, rows, WINDOW, STANDARDIZER, ["x"])
    model = small_backbone(name)
    features, _ = embed_items(model, dataset, batch_size=2)
    with torch.no_grad():
        for row, n, got in zip(rows, lengths, features, strict=True):
            clip = STANDARDIZER(store.read(row.store_key, (slice(None), slice(0, n))))
            alone = model(torch.from_numpy(clip)[None]).numpy()[0]
            np.testing.assert_allclose(got, alone, rtol=1e-4, atol=1e-4)
        # the padded tile given without its length is a different input: padding is content
        padded = dataset[0][0]
        unmasked = model(padded).numpy()[0]
    assert not np.allclose(unmasked, features[0], rtol=1e-4, atol=1e-4)
