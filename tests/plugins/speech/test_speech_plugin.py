"""The speech plugin object: registered by entry point, spec, example, tasks, statistics."""

from __future__ import annotations

import numpy as np
import pytest

from plugins.speech import plugin
from plugins.speech.features import feature_statistics, logmel_statistics
from sslsci.plugins import OptionsError, Plugin
from sslsci.plugins.discovery import get_plugin


def test_registered_under_the_entry_point_group() -> None:
    assert get_plugin("speech") is plugin
    assert isinstance(plugin, Plugin)


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
    assert sorted(plugin.backbones) == ["logmel_cnn", "transformer", "wav2vec2"]
    task = plugin.tasks["utterance"]
    assert task.kind == "classification" and task.label_key == "label"


def test_feature_statistics_combine_to_archive_statistics() -> None:
    arrays = [plugin.example(seed) for seed in range(3)]
    items = [feature_statistics(a) for a in arrays]
    count = sum(i["count"] for i in items)
    mean = sum(i["sum"][0] for i in items) / count
    expected = logmel_statistics(a.values for a in arrays)
    assert mean == pytest.approx(expected["mean"], rel=1e-9)


def test_every_option_is_a_typed_field() -> None:
    readers = ["start", "frames", "start_seconds", "seconds", "segment_seconds", "max_read_seconds"]
    validate = ["min_seconds", "min_rate", "clip_level", "max_clipped_ratio", "silence_dbfs"]
    normalize = ["target_rate", "mono"]
    assert list(plugin.options_model.model_fields) == [*readers, *validate, *normalize]
    views = ["crop", "mix_ratio", "noise_snr_db", "speed"]
    assert list(plugin.view_options_model.model_fields) == views
    defaults = plugin.option_values({})
    assert defaults["target_rate"] == 16000.0 and defaults["min_rate"] == 8000.0


def test_raw_keywords_are_checked_before_validate_and_normalize() -> None:
    example = plugin.example(0)
    with pytest.raises(OptionsError, match="min_seconds"):
        plugin.validate(example, min_seconds="loud")
    with pytest.raises(OptionsError, match="unknown key 'target_hz'"):
        plugin.normalize(example, target_hz=8000)


def test_normalize_is_a_projection_and_keeps_the_original_rate() -> None:
    resampled = plugin.normalize(plugin.example(1), target_rate=8000)
    again = plugin.normalize(resampled, target_rate=8000)
    np.testing.assert_array_equal(again.values, resampled.values)
    assert again.attrs["original_sampling_rate"] == 16000.0
    assert again.attrs["sampling_rate"] == 8000.0


def test_views_supply_two_views_and_masked_but_not_pretext() -> None:
    assert plugin.view_roles == ("strong", "light")
    assert plugin.supports("two_views") and plugin.supports("masked")
    assert not plugin.supports("pretext")
