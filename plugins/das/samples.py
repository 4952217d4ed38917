"""Small real DAS files, one or more per reader, for the conformance suite (``Plugin.samples``).

Each holds the same kind of seeded section (noise plus a hyperbolic arrival) written by
the library that owns the format: DASCore writes DASDAE (distance-first) and SEG-Y
(time-first, channel numbers), h5py writes NetCDF-4 in xdas's layout (tie points), obspy
writes a miniSEED array. The writers are also what the tests build bad files from.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import h5py
import numpy as np

from plugins.das.readers import DASCORE_READER, MINISEED_READER, NETCDF_READER
from sslsci.plugins.kit import Sample

START = np.datetime64("2024-03-01T12:00:00", "ns")
NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable."


def section(
    seed: int, channels: int = 24, samples: int = 1000, dt: float = 0.002, dx: float = 2.0
) -> np.ndarray:
    """(distance, time) noise plus a Ricker arrival with hyperbolic moveout, seeded."""
    rng = np.random.default_rng(seed)
    t = np.arange(samples) * dt
    x = (np.arange(channels) - channels / 3) * dx
    arrival = 0.3 * t[-1] + np.sqrt(200.0**2 + x**2) / 3000.0  # source 200 m deep, 3 km/s
    lag = (t[None, :] - arrival[:, None]) * 25.0 * np.pi  # 25 Hz Ricker
    ricker = (1 - 2 * lag**2) * np.exp(-(lag**2))
    gain = rng.uniform(0.7, 1.4, size=(channels, 1))  # site amplification per channel
    return gain * (5.0 * ricker + rng.standard_normal((channels, samples)))


def write_dasdae(
    path: Path,
    values: np.ndarray,
    dt: float,
    dx: float,
    time_first: bool = False,
    times: np.ndarray | None = None,
) -> Path:
    """A DASDAE file (DASCore's own HDF5) of strain rate in 1/s; ``times`` (datetime64)
    replaces the regular time axis, e.g. to write a gap."""
    import dascore as dc

    channels, samples = values.shape
    time = (
        times
        if times is not None
        else START + np.arange(samples) * np.timedelta64(round(dt * 1e9), "ns")
    )
    patch = dc.Patch(
        data=values.astype(np.float32),
        coords={"distance": np.arange(channels) * dx, "time": time},
        dims=("distance", "time"),
        attrs={"data_type": "strain_rate", "gauge_length": 2 * dx, "tag": "sample"},
    ).set_units("1/s", distance="m")
    if time_first:
        patch = patch.transpose("time", "distance")
    dc.write(patch, path, "DASDAE")
    return path


def write_segy(path: Path, values: np.ndarray, dt: float) -> Path:
    """A SEG-Y file through DASCore: traces are channels (numbers, no distance)."""
    import dascore as dc

    channels, samples = values.shape
    patch = dc.Patch(
        data=values.T.astype(np.float32),
        coords={
            "time": START + np.arange(samples) * np.timedelta64(round(dt * 1e9), "ns"),
            "channel": np.arange(channels),
        },
        dims=("time", "channel"),
    )
    dc.write(patch, path, "segy")
    return path


def _dimension(handle: h5py.File, name: str, size: int, dimid: int) -> h5py.Dataset:
    scale = handle.create_dataset(name, shape=(size,), dtype=">f4")
    scale.make_scale(f"{NOT_A_VARIABLE}{size:10d}")
    scale.attrs["_Netcdf4Dimid"] = np.int32(dimid)
    return scale


def _variable(
    handle: h5py.File, name: str, data: np.ndarray, dims: Sequence[h5py.Dataset], **attrs
) -> h5py.Dataset:
    variable = handle.create_dataset(name, data=data)
    for axis, scale in enumerate(dims):
        variable.dims[axis].attach_scale(scale)
    for key, value in attrs.items():
        variable.attrs[key] = value
    return variable


def write_xdas_netcdf(
    path: Path,
    values: np.ndarray,
    time_ties: tuple[Sequence[int], Sequence[float]],
    distance_ties: tuple[Sequence[int], Sequence[float]],
    epoch: str = "2024-03-01 12:00:00",
) -> Path:
    """NetCDF-4 in xdas's layout: ``__values__`` over (time, distance) with CF tie-point
    coordinates; ``values`` is (time, distance), time ties in milliseconds since ``epoch``."""
    samples, channels = values.shape
    with h5py.File(path, "w") as handle:
        handle.attrs["_NCProperties"] = "version=2,sslsci-das-samples,h5py=" + h5py.__version__
        handle.attrs["Conventions"] = "CF-1.9"
        time = _dimension(handle, "time", samples, 0)
        distance = _dimension(handle, "distance", channels, 1)
        coords = "time: time_indices time_values distance: distance_indices distance_values"
        _variable(handle, "__values__", values, (time, distance), coordinate_interpolation=coords)
        for name, (indices, ties), units in (
            ("time", time_ties, f"milliseconds since {epoch}"),
            ("distance", distance_ties, "m"),
        ):
            points = _dimension(handle, f"{name}_points", len(indices), 2 if name == "time" else 3)
            _variable(handle, f"{name}_indices", np.asarray(indices, np.int64), (points,))
            _variable(
                handle, f"{name}_values", np.asarray(ties, np.float64), (points,), units=units
            )
            _variable(
                handle,
                f"{name}_interpolation",
                np.float64(np.nan),
                (),
                interpolation_name="linear",
                tie_points_mapping=f"{name}_points: {name}_indices {name}_values",
            )
    return path


def write_mseed(path: Path, values: np.ndarray, dt: float, network: str = "XX") -> Path:
    """One miniSEED trace per channel (station codes 00001, 00002, ...), int32 STEIM2."""
    import obspy

    stream = obspy.Stream()
    for index, row in enumerate(values):
        header = {
            "network": network,
            "station": f"{index + 1:05d}",
            "channel": "HSF",
            "delta": dt,
            "starttime": obspy.UTCDateTime(str(START)),
        }
        stream.append(obspy.Trace(np.round(row * 1000).astype(np.int32), header=header))
    stream.write(str(path), format="MSEED", encoding="STEIM2", reclen=512)
    return path


def write_samples(folder: Path, seed: int = 0) -> list[Sample]:
    """One small file per reader (DASCore's twice: HDF5 distance-first, SEG-Y time-first)."""
    dt, dx = 0.002, 2.0
    values = section(seed, dt=dt, dx=dx)
    samples, channels = values.shape[1], values.shape[0]
    last_ms = (samples - 1) * dt * 1000.0
    return [
        Sample(write_dasdae(folder / "sample_dasdae.h5", values, dt, dx), DASCORE_READER.name),
        Sample(write_segy(folder / "sample_channels.sgy", values, dt), DASCORE_READER.name),
        Sample(
            write_xdas_netcdf(
                folder / "sample_xdas.nc",
                values.T.copy(),
                ([0, samples - 1], [0.0, last_ms]),
                ([0, channels - 1], [0.0, (channels - 1) * dx]),
            ),
            NETCDF_READER.name,
        ),
        Sample(
            write_mseed(folder / "sample_array.mseed", values, dt),
            MINISEED_READER.name,
            {"channel_spacing_m": dx},
        ),
    ]
