"""Large PRODML-style DAS files for the DAS benchmarks, written block by block.

The layout copies a real Silixa iDAS PRODML 2.0 file (``../shared/data/das/prodml_2.0.h5``):
its groups and attributes, with ``Acquisition/Raw[0]/RawData`` (time x locus, int16) and
``RawDataTime`` (int64 microseconds) grown to the requested length, so DASCore reads it
as the real format. Data are seeded band-limited noise, written one block at a time, so
writing a multi-GB file never holds more than one block in memory.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import h5py
import numpy as np

TEMPLATE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "das" / "prodml_2.0.h5"
RAW = "Acquisition/Raw[0]"
BLOCK_ROWS = 20_000  # 20 MB of int16 at 512 loci


def _copy_attrs(source: h5py.HLObject, target: h5py.HLObject) -> None:
    for key, value in source.attrs.items():
        target.attrs[key] = value


def _copy_groups(source: h5py.File, target: h5py.File) -> None:
    """Every group and its attributes; the raw datasets are written afresh."""

    def visit(name: str, obj: h5py.HLObject) -> None:
        if isinstance(obj, h5py.Group):
            _copy_attrs(obj, target.require_group(name))

    source.visititems(visit)
    _copy_attrs(source, target)


def _stamp(start: datetime, seconds: float) -> bytes:
    return (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00").encode()


def write_prodml(path: Path, seconds: float, rate_hz: float = 200.0, seed: int = 0) -> Path:
    """A PRODML 2.0 file of ``seconds`` at ``rate_hz`` with the template's 512 loci."""
    rows = round(seconds * rate_hz)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rng = np.random.default_rng(seed)
    with h5py.File(TEMPLATE, "r") as template, h5py.File(path, "w") as out:
        _copy_groups(template, out)
        loci = template[f"{RAW}/RawData"].shape[1]
        data = out.create_dataset(
            f"{RAW}/RawData", shape=(rows, loci), dtype="int16", chunks=(1024, loci)
        )
        times = out.create_dataset(f"{RAW}/RawDataTime", shape=(rows,), dtype="int64")
        _copy_attrs(template[f"{RAW}/RawData"], data)
        _copy_attrs(template[f"{RAW}/RawDataTime"], times)
        for first in range(0, rows, BLOCK_ROWS):
            count = min(BLOCK_ROWS, rows - first)
            block = rng.normal(0.0, 300.0, size=(count, loci)).astype(np.float32)
            data[first : first + count] = np.clip(block, -32767, 32767).astype(np.int16)
            stamps = start.timestamp() + (first + np.arange(count)) / rate_hz
            times[first : first + count] = np.round(stamps * 1e6).astype(np.int64)
        end = (rows - 1) / rate_hz
        for dataset in (data, times):
            dataset.attrs["Count"] = np.int64(rows * (loci if dataset is data else 1))
            dataset.attrs["PartStartTime"] = _stamp(start, 0.0)
            dataset.attrs["PartEndTime"] = _stamp(start, end)
            dataset.attrs["StartIndex"] = np.int64(0)
        times.attrs["StartTime"] = _stamp(start, 0.0)
        out[RAW].attrs["OutputDataRate"] = np.float64(rate_hz)
        out["Acquisition"].attrs["MeasurementStartTime"] = _stamp(start, 0.0)
    return path
