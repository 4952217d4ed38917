"""The direct chunk reader gives exactly what zarr gives, for every codec the store writes,
edge chunks, windows across chunk borders, never-written chunks and odd slices."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
import zarr

from sslsci.store import ArrayStore
from sslsci.store.arrays import CODECS, DATA, _compressors
from sslsci.store.chunk_reader import ChunkReader


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("dtype", ["float32", "int16", "float64"])
def test_windows_equal_zarrs_reading(tmp_path, codec, dtype) -> None:
    rng = np.random.default_rng(0)
    values = (rng.normal(size=(2, 70, 130)) * 100).astype(dtype)
    array = zarr.create_array(
        tmp_path / "a",
        shape=values.shape,
        chunks=(1, 32, 48),
        dtype=dtype,
        compressors=_compressors(codec),
    )
    array[...] = values
    reader = ChunkReader(tmp_path / "a")
    assert reader.supported
    for _ in range(50):
        starts = [int(rng.integers(0, n)) for n in values.shape]
        index = tuple(
            slice(a, int(rng.integers(a, n + 8))) for a, n in zip(starts, values.shape, strict=True)
        )
        np.testing.assert_array_equal(reader.read(index), array[index])
    assert reader.read((slice(None), slice(60, None), slice(-5, None))).shape == (2, 10, 5)


def test_a_never_written_chunk_reads_as_the_fill_value(tmp_path) -> None:
    array = zarr.create_array(
        tmp_path / "a",
        shape=(1, 64, 64),
        chunks=(1, 32, 32),
        dtype="float32",
        compressors=_compressors("lz4"),
    )
    array[:, :32, :32] = 5.0  # the other three chunks are all zero: zarr skips writing them
    window = ChunkReader(tmp_path / "a").read((slice(None), slice(16, 48), slice(16, 48)))
    np.testing.assert_array_equal(window, array[:, 16:48, 16:48])


def test_the_store_serves_windows_through_it_and_falls_back_for_other_indexes(tmp_path) -> None:
    store = ArrayStore(tmp_path, cache_bytes=0)
    values = np.random.default_rng(1).normal(size=(1, 300, 2000)).astype(np.float32)
    store.put(
        "k" * 40, xr.DataArray(values, dims=("channel", "distance", "time")), ("distance", "time")
    )
    window = (slice(None), slice(10, 74), slice(100, 356))
    np.testing.assert_array_equal(store.read("k" * 40, window), values[window])
    stepped = (slice(None), slice(0, 300, 3), slice(5, 9))
    np.testing.assert_array_equal(store.read("k" * 40, stepped), values[stepped])
    assert ChunkReader(store.path("k" * 40) / DATA).supported
