"""The plugin object fills the contract and is registered under its entry point."""

from __future__ import annotations

from importlib.metadata import entry_points

import numpy as np
import xarray as xr

from plugins.wearables import plugin
from sslsci.plugins.contract import ModalityPlugin, Reader, TaskSpec


def test_plugin_satisfies_the_protocol() -> None:
    assert isinstance(plugin, ModalityPlugin)
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
    assert plugin.tasks() == {
        "activity": TaskSpec(
            name="activity",
            kind="classification",
            label_key="label",
            description=plugin.tasks()["activity"].description,
        )
    }
    backbones = plugin.backbones()
    assert set(backbones) == {"resnet1d", "transformer"}
    assert all(callable(b) for b in backbones.values())


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
