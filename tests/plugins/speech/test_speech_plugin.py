"""The speech plugin object: registered by entry point, spec, example, tasks, statistics."""

from __future__ import annotations

import numpy as np
import pytest

from plugins.speech import plugin
from plugins.speech.features import logmel_statistics
from sslsci.plugins.contract import ModalityPlugin
from sslsci.plugins.discovery import get_plugin


def test_registered_under_the_entry_point_group() -> None:
    assert get_plugin("speech") is plugin
    assert isinstance(plugin, ModalityPlugin)


def test_spec() -> None:
    spec = plugin.spec
    assert spec.dims == ("channel", "time") and spec.window_dims == ("time",)
    assert spec.channels == ("mono",) and spec.units == "amplitude [-1,1]"
    assert dict(spec.sampling) == {"time": 16000.0}


def test_readers_cover_the_formats() -> None:
    assert [r.name for r in plugin.readers] == ["wav", "flac", "ogg", "mp3"]


def test_example_is_valid_normalised_and_seeded() -> None:
    example = plugin.example(3)
    assert plugin.validate(example) == []
    assert example.dims == ("channel", "time") and example.dtype == np.float32
    assert example.attrs["sampling_rate"] == 16000.0 and example.sizes["channel"] == 1
    assert np.array_equal(plugin.example(3).values, example.values)
    assert not np.array_equal(plugin.example(4).values, example.values)


def test_backbones_and_tasks() -> None:
    assert sorted(plugin.backbones()) == ["logmel_cnn", "transformer", "wav2vec2"]
    task = plugin.tasks()["utterance"]
    assert task.kind == "classification" and task.label_key == "label"


def test_feature_statistics_combine_to_archive_statistics() -> None:
    arrays = [plugin.example(seed) for seed in range(3)]
    items = [plugin.feature_statistics(a) for a in arrays]
    count = sum(i["count"] for i in items)
    mean = sum(i["sum"][0] for i in items) / count
    expected = logmel_statistics(a.values for a in arrays)
    assert mean == pytest.approx(expected["mean"], rel=1e-9)
