"""Hostile DAS sources: the bad cases of the DAS bad-input tests, as files in one archive,
with the reasons those tests expect."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from plugins.das.samples import START, section, write_dasdae, write_segy, write_xdas_netcdf
from tests.ingest.hostile.odd_entries import write_odd_entries
from tests.plugins.das.test_das_bad_inputs import absurd_netcdf

MODALITY = "das"
OPTIONS: dict = {}
INCLUDE = ["*.h5", "*.nc", "*.sgy"]
DT, DX = 0.002, 2.0


def _containers(folder: Path, seed: int) -> dict[str, str]:
    good = write_dasdae(folder / "whole.h5", section(seed), DT, DX)
    (folder / "cut.h5").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with h5py.File(folder / "other.h5", "w") as handle:
        handle["temperatures"] = np.zeros((4, 5))
        handle.create_group("calibration")
    write_xdas_netcdf(folder / "weather.nc", np.zeros((10, 4)), ([0, 9], [0, 9]), ([0, 3], [0, 3]))
    with h5py.File(folder / "weather.nc", "r+") as handle:
        handle.move("distance", "station")
    absurd_netcdf(folder / "absurd.nc")
    segy = write_segy(folder / "short.sgy", section(seed), DT)
    segy.write_bytes(segy.read_bytes()[:-1000])
    return {
        "cut.h5": "a truncated hdf5 file",
        "other.h5": "an hdf5 file of no das layout dascore knows",
        "weather.nc": "no das reader recognises this file",
        "absurd.nc": "declares 1,000,000 channels (max_channels=500,000)",
        "short.sgy": "traces of unequal length or a truncated file",
    }


def _records(folder: Path, seed: int) -> dict[str, str]:
    steps = np.arange(1000) * np.timedelta64(2, "ms")
    gap = START + np.where(np.arange(1000) < 400, steps, steps + np.timedelta64(500, "ms"))
    write_dasdae(folder / "gap.h5", section(seed), DT, DX, times=gap)
    back = START + np.where(np.arange(1000) < 600, steps, steps - np.timedelta64(1, "ms"))
    write_dasdae(folder / "overlap.h5", section(seed), DT, DX, times=back)
    nan = section(seed)
    nan[3, 100:150] = np.nan
    write_dasdae(folder / "nan.h5", nan, DT, DX)
    write_dasdae(folder / "dead.h5", np.full((24, 1000), 3.0), DT, DX)
    return {
        "gap.h5": "1 time gap(s) in a record sampled every 0.002 s",
        "overlap.h5": "1 time overlap(s)",
        "nan.h5": "1 run(s) of nan or inf (50 samples)",
        "dead.h5": "all 24 channels are dead",
    }


def write_corpus(folder: Path, seed: int) -> dict[str, str | None]:
    """Write the DAS corpus into ``folder``; {source name: expected reason or None}."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str | None] = _containers(folder, seed)
    expected["whole.h5"] = None
    write_segy(folder / "good.sgy", section(seed + 1), DT)
    expected["good.sgy"] = None
    expected.update(_records(folder, seed))
    expected.update(write_odd_entries(folder, ".h5"))
    return expected
