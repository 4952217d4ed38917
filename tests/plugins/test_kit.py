"""The plugin kit: declarations checked when the plugin is made, typed options, views by
role, checkable backbone configs, readers added from outside."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pydantic
import pytest
import xarray as xr
from pydantic import BaseModel, PositiveFloat

from sslsci.plugins import (
    Backbone,
    ModalitySpec,
    Options,
    OptionsError,
    Plugin,
    PluginError,
    Record,
)
from sslsci.views import RandomCrop

SPEC = ModalitySpec("toy", ("channel", "time"), ("time",), sampling={"time": 10.0})


class NpyReader:
    name = "npy"
    suffixes = (".npy",)

    def sniff(self, path: str, head: bytes) -> bool:
        return head.startswith(b"\x93NUMPY")

    def read(self, path: str, **options) -> Iterator[Record]:
        yield Record(xr.DataArray(np.load(path), dims=("channel", "time"), attrs=options))


class ToyOptions(Options):
    rate: PositiveFloat = 10.0


class ToyViews(Options):
    crop: int = 16


def example(seed: int) -> xr.DataArray:
    values = np.random.default_rng(seed).normal(size=(2, 50)).astype(np.float32)
    return xr.DataArray(values, dims=("channel", "time"))


def toy(**overrides) -> Plugin:
    declarations = {
        "spec": SPEC,
        "version": "1.0",
        "readers": (NpyReader(),),
        "backbones": {"resnet1d": Backbone("sslsci.nn:ResNet1D", defaults={"in_channels": 2})},
        "views": {"strong": lambda o: [RandomCrop((o["crop"],))]},
        "example": example,
        "options": ToyOptions,
        "view_options": ToyViews,
        "validate": lambda a, **o: [] if o["rate"] > 5 else ["rate too low"],
        "normalize": lambda a, **o: a.assign_attrs(rate=o["rate"]),
    }
    return Plugin(**{**declarations, **overrides})


def test_functions_get_checked_options_with_defaults() -> None:
    plugin = toy()
    assert plugin.validate(example(0)) == []
    assert plugin.validate(example(0), rate="3") == ["rate too low"]
    assert plugin.normalize(example(0), rate=12).attrs["rate"] == 12.0
    with pytest.raises(OptionsError, match=r"toy options: rat: unknown key 'rat'; accepted keys"):
        plugin.normalize(example(0), rat=12)


def test_views_are_joined_from_roles_and_missing_roles_are_named() -> None:
    plugin = toy()
    views = plugin.views("two_views", crop=8)
    assert [type(t) for view in views for t in view] == [RandomCrop, RandomCrop]
    assert views[0][0].size == (8,)
    assert plugin.supports("two_views") and not plugin.supports("masked")
    with pytest.raises(PluginError, match=r"supplies no 'light' views, which view kind 'masked'"):
        plugin.views("masked")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"views": {"strongest": lambda o: []}}, r"unknown view roles \['strongest'\]"),
        ({"readers": (NpyReader(), NpyReader())}, r"reader names must exist and be unique"),
        ({"readers": (object(),)}, r"reader names must exist"),
        ({"options": dict}, r"options must be an Options model class"),
        ({"options": type("Loose", (BaseModel,), {"__annotations__": {"a": int}})},
         r"model Loose must forbid unknown keys"),
    ],
)
def test_declaration_mistakes_are_caught_when_the_plugin_is_made(override, message) -> None:
    with pytest.raises(PluginError, match=message):
        toy(**override)


def test_backbone_config_is_checked_against_the_constructor() -> None:
    backbone = toy().backbones["resnet1d"]
    assert backbone.accepts("widths") and not backbone.accepts("width")
    assert backbone.unknown_keys({"widths": [4], "depth": 3}) == ["depth"]
    assert backbone(widths=[4]).num_features == 4
    with pytest.raises(ValueError, match=r"key\(s\) \['depth'\]; accepted: in_channels, widths"):
        backbone(depth=3)
    assert Backbone(lambda **kw: None).parameters() is None  # **kwargs: cannot be checked


class ExtraReader(NpyReader):
    name = "npy_v2"

    class options(Options):  # noqa: N801  (the reader's own options model)
        flavour: str = "plain"


def test_added_readers_come_first_and_bring_their_options(tmp_path: Path) -> None:
    plugin = toy().with_readers([ExtraReader()])
    assert [r.name for r in plugin.readers] == ["npy_v2", "npy"]
    assert plugin.option_values({"flavour": "sour"}) == {"rate": 10.0, "flavour": "sour"}
    with pytest.raises(OptionsError):
        toy().parse_options({"flavour": "sour"})


def test_samples_and_demo_archive_are_optional_declarations(tmp_path: Path) -> None:
    plugin = toy()
    assert plugin.samples(tmp_path) == []
    assert not plugin.has_demo_archive
    with pytest.raises(PluginError, match=r"declares no demo archive"):
        plugin.demo_archive(tmp_path / "demo")


class StrictReader(NpyReader):
    name = "npy_strict"

    class options(Options):  # noqa: N801
        level: int = 2

        @pydantic.field_validator("level")
        @classmethod
        def _even(cls, value: int) -> int:
            if value % 2:
                raise ValueError("level must be even")
            return value


class ClashingReader(NpyReader):
    name = "npy_clash"

    class options(Options):  # noqa: N801
        rate: float = 3.0


def test_reader_options_keep_their_validators_and_may_not_clash() -> None:
    plugin = toy(readers=(NpyReader(), StrictReader()))
    assert plugin.option_values({"level": 4})["level"] == 4
    with pytest.raises(OptionsError, match=r"level: value 3: level must be even"):
        plugin.parse_options({"level": 3})
    with pytest.raises(PluginError, match=r"option 'rate' of options is already an option of "
                                          r"ToyOptions; rename one of them"):
        toy(readers=(NpyReader(), ClashingReader()))
