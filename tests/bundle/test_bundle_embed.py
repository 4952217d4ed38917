"""``model(array)``: preprocessing, windowing and averaging, against a hand computation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from sslsci.bundle import BundleError, load_bundle
from sslsci.plugins.discovery import get_plugin

from .conftest import MEAN, STD, WINDOW

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "wearables"


def _by_hand(backbone: nn.Module, values: np.ndarray, starts: list[int]) -> np.ndarray:
    standardised = (values - np.array(MEAN)[:, None]) / np.array(STD)[:, None]
    windows = np.stack([standardised[:, s : s + WINDOW] for s in starts]).astype(np.float32)
    with torch.no_grad():
        features = backbone(torch.from_numpy(windows))
    return features.double().mean(dim=0).numpy()


def test_embedding_averages_windows_covering_the_array(bundle: Path, backbone) -> None:
    values = np.random.default_rng(1).standard_normal((6, 150))
    found = load_bundle(bundle)(values)
    assert np.allclose(found, _by_hand(backbone, values, [0, 60, 90]), atol=1e-5)


def test_batch_gives_one_embedding_per_item(bundle: Path, backbone) -> None:
    batch = np.random.default_rng(2).standard_normal((2, 6, WINDOW))
    found = load_bundle(bundle)(batch)
    assert found.shape == (2, 16)
    assert np.allclose(found[1], _by_hand(backbone, batch[1], [0]), atol=1e-5)


def test_short_array_is_padded_with_the_training_mean(bundle: Path, backbone) -> None:
    """As evaluation pads a short item (the recorded embedding settings say so)."""
    model = load_bundle(bundle)
    short = np.random.default_rng(3).standard_normal((6, 40))
    padded = np.concatenate([short, np.array(MEAN)[:, None].repeat(20, axis=1)], axis=1)
    assert np.allclose(model(short), _by_hand(backbone, padded, [0]), atol=1e-5)
    assert "after standardisation" in model.preprocessing["embedding"]["padding"]


def test_wrong_shape_is_named(bundle: Path) -> None:
    with pytest.raises(BundleError, match=r"does not match the model's dims"):
        load_bundle(bundle)(np.zeros(100))


def _write_csv(path: Path, rate: float, seconds: float, channels: list[str]) -> None:
    rng = np.random.default_rng(4)
    count = int(rate * seconds)
    frame = pd.DataFrame({"time": np.arange(count) / rate})
    for channel in channels:
        frame[channel] = rng.normal(0.0, 0.3, count)
    frame.to_csv(path, index=False)


def test_reader_array_is_normalised_then_embedded(bundle: Path, backbone, tmp_path) -> None:
    """A 50 Hz CSV from the plugin's reader: resampled to 30 Hz by the plugin, then embedded."""
    plugin = get_plugin("wearables")
    path = tmp_path / "walk.csv"
    _write_csv(path, 50.0, 4.0, ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"])
    reader = next(r for r in plugin.readers if r.name == "csv")
    raw = next(iter(reader.read(str(path)))).array
    normalised = plugin.normalize(raw, target_rate=30)
    assert normalised.sizes["time"] == 120
    expected = _by_hand(backbone, normalised.values, [0, 60])
    assert np.allclose(load_bundle(bundle)(raw), expected, atol=1e-5)
    reordered = raw.isel(channel=[5, 4, 3, 2, 1, 0])
    assert np.allclose(load_bundle(bundle)(reordered), expected, atol=1e-5)


def test_missing_channels_are_named(bundle: Path, tmp_path) -> None:
    plugin = get_plugin("wearables")
    path = tmp_path / "acc.csv"
    _write_csv(path, 30.0, 3.0, ["acc_x", "acc_y", "acc_z"])
    reader = next(r for r in plugin.readers if r.name == "csv")
    raw = next(iter(reader.read(str(path)))).array
    with pytest.raises(BundleError, match=r"lacks channels \['gyr_x', 'gyr_y', 'gyr_z'\]"):
        load_bundle(bundle)(raw)
    adapted = load_bundle(bundle, adapt_in_channels=3)
    assert adapted(raw).shape == (16,)


def test_real_basicmotions_recording(bundle: Path) -> None:
    source = DATA / "BasicMotions_TEST.ts"
    if not source.is_file():
        pytest.skip(f"{source} is absent")
    plugin = get_plugin("wearables")
    reader = next(r for r in plugin.readers if r.name == "uea_ts")
    record = next(iter(reader.read(str(source), sampling_rate=10)))
    embedding = load_bundle(bundle)(record.array)
    assert embedding.shape == (16,)
    assert np.isfinite(embedding).all()
