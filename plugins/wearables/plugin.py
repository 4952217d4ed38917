"""The wearables plugin: body-worn accelerometer and gyroscope recordings, declared."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from plugins.wearables.backbones import BACKBONES
from plugins.wearables.options import DeviceOptions, WearablesOptions, WearablesViewOptions
from plugins.wearables.spec import SPEC
from sslsci.plugins import Plugin, TaskSpec
from sslsci.plugins.deferred import DeferredReader

if TYPE_CHECKING:
    import xarray as xr

# Heavy parts are named "module:name" and imported on first use, so listing plugins and
# checking a catalog import neither torch nor xarray (see sslsci.plugins.deferred).
READERS = (
    DeferredReader("plugins.wearables.readers_ts:TsReader", "uea_ts", (".ts",)),
    DeferredReader("plugins.wearables.readers_table:CsvReader", "csv", (".csv",)),
    DeferredReader("plugins.wearables.readers_table:ParquetReader", "parquet", (".parquet", ".pq")),
    DeferredReader("plugins.wearables.readers_uci:UciHarReader", "uci_har", ()),
    DeferredReader(
        "plugins.wearables.readers_devices:DeviceReader",
        "actipy_device",
        (".cwa", ".cwa.gz", ".gt3x", ".bin"),
        DeviceOptions,
    ),
)

ACTIVITY_TASK = TaskSpec(
    name="activity",
    kind="classification",
    label_key="label",
    description="Human activity recognition from accelerometer (and gyroscope) windows.",
)


def example(seed: int) -> xr.DataArray:
    """10 s of a synthetic activity at 30 Hz, valid and normalised."""
    from plugins.wearables.generator import example_array
    from plugins.wearables.resample import normalize_array

    return normalize_array(example_array(seed))


def demo_archive(folder: Path, seed: int) -> None:
    """The demo study: 12 subjects x 8 recordings of 20 s at 30 Hz, synthetic labels."""
    from plugins.wearables.generator import write_demo_archive

    write_demo_archive(
        folder, subjects=12, recordings_per_subject=8, seconds=20.0, rate=30.0, seed=seed
    )


plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=READERS,
    options=WearablesOptions,
    view_options=WearablesViewOptions,
    validate="plugins.wearables.validate:validate_array",
    normalize="plugins.wearables.resample:normalize_array",
    views={role: f"plugins.wearables.views:{role}_view" for role in ("strong", "light", "pretext")},
    backbones=BACKBONES,
    tasks=(ACTIVITY_TASK,),
    example=example,
    samples="plugins.wearables.samples:write_samples",
    demo_archive=demo_archive,
    example_backbones={
        "resnet1d": {"widths": [16, 32], "blocks_per_stage": 1},
        "transformer": {"embed_dim": 32, "depth": 2, "num_heads": 2},
    },
)
