"""The wearables plugin object: spec, readers and the functions the core calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import xarray as xr
from torch import nn

from plugins.wearables.backbones import BACKBONES
from plugins.wearables.generator import example_array
from plugins.wearables.readers_devices import DeviceReader
from plugins.wearables.readers_table import CsvReader, ParquetReader
from plugins.wearables.readers_ts import TsReader
from plugins.wearables.readers_uci import UciHarReader
from plugins.wearables.recipes import views_for
from plugins.wearables.resample import normalize_array
from plugins.wearables.spec import SPEC
from plugins.wearables.validate import validate_array
from sslsci.plugins.contract import ModalitySpec, Reader, TaskSpec, Transform

ACTIVITY_TASK = TaskSpec(
    name="activity",
    kind="classification",
    label_key="label",
    description="Human activity recognition from accelerometer (and gyroscope) windows.",
)


class WearablesPlugin:
    """Body-worn accelerometer/gyroscope recordings (smartwatches, research devices)."""

    spec: ModalitySpec = SPEC
    version: str = "0.1.0"

    def __init__(self) -> None:
        self._readers: tuple[Reader, ...] = (
            TsReader(),
            CsvReader(),
            ParquetReader(),
            UciHarReader(),
            DeviceReader(),
        )

    @property
    def readers(self) -> Sequence[Reader]:
        """UEA .ts, CSV, Parquet, UCI HAR folders, and device files (with actipy)."""
        return self._readers

    def validate(self, array: xr.DataArray, **options: Any) -> list[str]:
        """Finite values, timestamps, rate, sensor ranges, length (see validate.Limits)."""
        return validate_array(array, **options)

    def normalize(self, array: xr.DataArray, **options: Any) -> xr.DataArray:
        """Spec channel order, ``target_rate`` (default 30 Hz), float32, no time coord."""
        return normalize_array(array, **options)

    def views(self, method: str, **options: Any) -> list[list[Transform]]:
        """Per-view transform lists (options: crop, channels, max_rotation_degrees)."""
        return views_for(method, **options)

    def backbones(self) -> Mapping[str, Callable[..., nn.Module]]:
        """resnet1d and transformer, with 6 input channels and 10-sample patches."""
        return dict(BACKBONES)

    def tasks(self) -> Mapping[str, TaskSpec]:
        """Activity classification."""
        return {ACTIVITY_TASK.name: ACTIVITY_TASK}

    def example(self, seed: int) -> xr.DataArray:
        """10 s of a synthetic activity at 30 Hz, valid and normalised."""
        return normalize_array(example_array(seed))


plugin = WearablesPlugin()
