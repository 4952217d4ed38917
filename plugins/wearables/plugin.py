"""The wearables plugin: body-worn accelerometer and gyroscope recordings, declared."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from plugins.wearables.backbones import BACKBONES
from plugins.wearables.generator import example_array, write_demo_archive
from plugins.wearables.options import WearablesOptions, WearablesViewOptions
from plugins.wearables.readers_devices import DeviceReader
from plugins.wearables.readers_table import CsvReader, ParquetReader
from plugins.wearables.readers_ts import TsReader
from plugins.wearables.readers_uci import UciHarReader
from plugins.wearables.resample import normalize_array
from plugins.wearables.samples import write_samples
from plugins.wearables.spec import SPEC
from plugins.wearables.validate import validate_array
from plugins.wearables.views import VIEWS
from sslsci.plugins import Plugin, TaskSpec

ACTIVITY_TASK = TaskSpec(
    name="activity",
    kind="classification",
    label_key="label",
    description="Human activity recognition from accelerometer (and gyroscope) windows.",
)


def example(seed: int) -> xr.DataArray:
    """10 s of a synthetic activity at 30 Hz, valid and normalised."""
    return normalize_array(example_array(seed))


def demo_archive(folder: Path, seed: int) -> None:
    """The demo study: 12 subjects x 8 recordings of 20 s at 30 Hz, synthetic labels."""
    write_demo_archive(
        folder, subjects=12, recordings_per_subject=8, seconds=20.0, rate=30.0, seed=seed
    )


plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=(TsReader(), CsvReader(), ParquetReader(), UciHarReader(), DeviceReader()),
    options=WearablesOptions,
    view_options=WearablesViewOptions,
    validate=validate_array,
    normalize=normalize_array,
    views=VIEWS,
    backbones=BACKBONES,
    tasks=(ACTIVITY_TASK,),
    example=example,
    samples=write_samples,
    demo_archive=demo_archive,
    example_backbones={
        "resnet1d": {"widths": [16, 32], "blocks_per_stage": 1},
        "transformer": {"embed_dim": 32, "depth": 2, "num_heads": 2},
    },
)
