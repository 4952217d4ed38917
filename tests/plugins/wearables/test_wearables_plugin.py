"""The plugin is one kit object, registered under its entry point, with typed options."""

from __future__ import annotations

from importlib.metadata import entry_points

import numpy as np
import pytest
import xarray as xr

from plugins.wearables import plugin
from sslsci.plugins import OptionsError, Plugin, Reader, TaskSpec


def test_plugin_is_a_kit_plugin() -> None:
    assert isinstance(plugin, Plugin)
    assert all(isinstance(reader, Reader) for reader in plugin.readers)
    names = [reader.name for reader in plugin.readers]
    assert len(names) == len(set(names)) == 5
    assert isinstance(plugin.version, str) and plugin.version.count(".") == 2


def test_entry_point_loads_this_object() -> None:
    (ep,) = [ep for ep in entry_points(group="sslsci.modalities") if ep.name == "wearables"]
    assert ep.value == "plugins.wearables:plugin"
    assert ep.load() is plugin


def test_spec() -> None:
    spec = plugin.spec
    assert spec.name == "wearables"
    assert spec.dims == ("channel", "time")
    assert spec.window_dims == ("time",)
    assert spec.channels == ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
    assert spec.units == "g (acc), rad/s (gyro)"
    assert dict(spec.sampling) == {"time": 30.0}


def test_tasks_and_backbone_names() -> None:
    assert plugin.tasks == {
        "activity": TaskSpec(
            name="activity",
            kind="classification",
            label_key="label",
            description=plugin.tasks["activity"].description,
        )
    }
    assert set(plugin.backbones) == {"resnet1d", "transformer"}
    assert plugin.backbones["resnet1d"](widths=[8]).num_features == 8
    with pytest.raises(ValueError, match=r"unknown backbone config key\(s\) \['width'\]"):
        plugin.backbones["resnet1d"](width=[8])


def test_catalog_options_are_typed_with_the_defaults_the_code_uses() -> None:
    values = plugin.option_values({"sampling_rate": "50", "acc_units": "m/s^2"})
    assert values["sampling_rate"] == 50.0 and values["acc_units"] == "m/s^2"
    assert values["target_rate"] == 30.0 and values["min_seconds"] == 2.0
    assert values["lowpass_hz"] == 20  # the device reader's own options join the model
    refusals = {
        "sampling_rat": r"unknown key 'sampling_rat'; accepted keys: sampling_rate, channels",
        "sampling_rate": r"sampling_rate: value -3: Input should be greater than 0",
        "acc_units": r"acc_units: value 'furlongs': Input should be 'g', 'm/s\^2'",
        "target_rate": r"target_rate: value 0: Input should be greater than 0",
        "min_seconds": r"min_seconds: value 'long': Input should be a valid number",
    }
    bad = {"sampling_rat": 10, "sampling_rate": -3, "acc_units": "furlongs", "target_rate": 0,
           "min_seconds": "long"}
    for key, pattern in refusals.items():
        with pytest.raises(OptionsError, match=pattern):
            plugin.parse_options({key: bad[key]})


def test_example_is_valid_normalized_and_seeded() -> None:
    example = plugin.example(3)
    assert isinstance(example, xr.DataArray)
    assert example.dims == ("channel", "time")
    assert example.dtype == np.float32
    assert example.shape == (6, 300)
    assert example.attrs["sampling_rate"] == 30.0
    assert plugin.validate(example) == []
    xr.testing.assert_identical(example, plugin.example(3))
    assert not np.array_equal(example.values, plugin.example(4).values)
