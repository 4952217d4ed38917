"""The content-addressed zarr store: exact windows, atomic writes, lazy xarray, parallel ingest."""

from __future__ import annotations

import math
import pickle
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

import sslsci.store.arrays
from sslsci.ingest import ingest_entry
from sslsci.store import ArrayStore, Workspace
from sslsci.store.arrays import CODECS
from sslsci.store.layout import Layout, choose_chunks, choose_layout

KEY = "ab" + "0" * 38


def _array(shape: tuple[int, ...], dims: tuple[str, ...], seed: int = 0) -> xr.DataArray:
    values = np.random.default_rng(seed).normal(size=shape).astype(np.float32)
    return xr.DataArray(values, dims=dims, attrs={"sampling_rate": 30.0, "units": "g"})


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("cache_bytes", [0, 256 * 1024**2])
def test_windows_equal_numpy_slicing(tmp_path, codec, cache_bytes):
    store = ArrayStore(tmp_path, codec=codec, cache_bytes=cache_bytes)
    signal = _array((6, 50_000), ("channel", "time"))
    image = _array((2, 300, 200), ("channel", "y", "x"), seed=1)
    store.put(KEY, signal, ("time",))
    store.put("cd" + KEY[2:], image, ("y", "x"))
    rng = np.random.default_rng(3)
    for _ in range(30):
        t = int(rng.integers(0, 50_000 - 256))
        window = store.read(KEY, (slice(None), slice(t, t + 256)))
        np.testing.assert_array_equal(window, signal.values[:, t : t + 256])
        y, x = int(rng.integers(0, 300 - 64)), int(rng.integers(0, 200 - 64))
        patch = store.read("cd" + KEY[2:], (slice(None), slice(y, y + 64), slice(x, x + 64)))
        np.testing.assert_array_equal(patch, image.values[:, y : y + 64, x : x + 64])
    np.testing.assert_array_equal(store.read(KEY), signal.values)
    assert store.shape(KEY) == (6, 50_000)


def test_chunks_are_whole_across_channels_and_cubes_along_window_dims():
    assert choose_chunks((6, 1_000_000), ("channel", "time"), ("time",), 4) == (6, 16384)
    assert choose_chunks((6, 900), ("channel", "time"), ("time",), 4) == (6, 900)
    assert choose_chunks((1, 512, 512), ("channel", "y", "x"), ("y", "x"), 4) == (1, 256, 256)
    chunks = choose_chunks((3, 400, 400, 400), ("channel", "z", "y", "x"), ("z", "y", "x"), 2)
    assert chunks[0] == 3 and chunks[1] == chunks[2] == chunks[3] == 32
    assert math.prod(chunks) * 2 <= 1024 * 1024


def test_single_channel_float_volumes_get_64_cubed_chunks():
    """1 MiB of float32 is exactly 64^3: the power must not round down to 32."""
    dims = ("channel", "x", "y", "z")
    assert choose_chunks((1, 268, 213, 160), dims, dims[1:], 4) == (1, 64, 64, 64)
    assert choose_chunks((1, 40, 300, 1), dims, dims[1:], 4) == (1, 40, 64, 1)
    assert choose_chunks((1, 300, 300, 300), dims, dims[1:], 4, target_bytes=512 * 1024) == (
        1,
        32,
        32,
        32,
    )


def test_an_interrupted_put_leaves_no_item_and_its_tmp_is_cleaned(tmp_path, monkeypatch):
    store = ArrayStore(tmp_path)

    def die(*args):
        raise SystemExit("killed just before the rename")

    # Only the store's own rename dies (zarr's writes use os.replace too).
    monkeypatch.setattr(sslsci.store.arrays, "os", SimpleNamespace(replace=die))
    with pytest.raises(SystemExit):
        store.put(KEY, _array((6, 100), ("channel", "time")), ("time",))
    monkeypatch.undo()
    assert not store.has(KEY) and store.keys() == set()
    assert len(list((tmp_path / "tmp").iterdir())) == 1  # the half-written item
    with pytest.raises(KeyError, match="run `sslsci ingest` again"):
        store.read(KEY)
    store.clean_tmp()
    assert not (tmp_path / "tmp").exists()
    store.put(KEY, _array((6, 100), ("channel", "time")), ("time",))
    assert store.keys() == {KEY} and list((tmp_path / "tmp").iterdir()) == []


def test_put_is_content_addressed_and_delete_is_complete(tmp_path):
    store = ArrayStore(tmp_path)
    store.put(KEY, _array((6, 100), ("channel", "time")), ("time",))
    marker = store.path(KEY) / "zarr.json"
    before = marker.stat().st_mtime_ns
    store.put(KEY, _array((6, 100), ("channel", "time"), seed=9), ("time",))  # same key: no-op
    assert marker.stat().st_mtime_ns == before
    np.testing.assert_array_equal(store.read(KEY), _array((6, 100), ("channel", "time")).values)
    store.delete(KEY)
    assert not store.path(KEY).exists() and store.keys() == set()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_ingest_cleans_tmp_left_by_a_killed_writer(small_study, run_ingest):
    catalog = small_study(subjects=1, recordings=2)
    store = Workspace(catalog.resolve_workdir()).store()
    leftover = store.root / "tmp" / f"{KEY}-dead"
    (leftover / "data").mkdir(parents=True)
    (leftover / "data" / "c").write_bytes(b"partial chunk")
    assert run_ingest(catalog).counts["ok"] == 2
    assert not leftover.exists()


def test_open_is_lazy_xarray_with_dims_and_attrs(tmp_path):
    store = ArrayStore(tmp_path, codec="zstd")
    array = _array((6, 5000), ("channel", "time"))
    attrs = {"sampling_rate": 30.0, "channel_names": ["a", "b", "c", "d", "e", "f"], "n": 3}
    store.put(KEY, array, ("time",), attrs=attrs)
    opened = store.open(KEY)
    assert opened.dims == ("channel", "time") and opened.shape == (6, 5000)
    assert opened.attrs == attrs
    window = opened.isel(time=slice(100, 200)).values
    np.testing.assert_array_equal(window, array.values[:, 100:200])
    lazy = store.open(KEY)
    for chunk in (store.path(KEY) / "data" / "c").rglob("*"):
        if chunk.is_file():
            chunk.unlink()
    # Nothing was read at open: the values now come from the (deleted) chunks' fill value.
    assert not lazy.isel(time=slice(0, 10)).values.any()


def test_store_pickles_without_open_handles(tmp_path):
    store = ArrayStore(tmp_path, cache_bytes=0)
    store.put(KEY, _array((6, 100), ("channel", "time")), ("time",))
    store.read(KEY, (slice(None), slice(0, 10)))
    clone = pickle.loads(pickle.dumps(store))
    assert clone._handles == {} and clone.root == store.root
    np.testing.assert_array_equal(clone.read(KEY), store.read(KEY))


def test_unknown_codec_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"unknown store codec 'gzip'; choose one of"):
        ArrayStore(tmp_path, codec="gzip")


def _snapshot(workspace: Workspace):
    manifest = workspace.manifest()
    items = {
        (i.uri, i.item, i.store_key, i.label, i.split, i.group_key, i.shape, str(i.stats))
        for i in manifest.items(["study"])
    }
    sources = {(u, r.sha256, r.status, r.reason) for u, r in manifest.sources("study").items()}
    result = items, sources, manifest.data_hash(["study"])
    manifest.close()
    return result


def test_parallel_ingest_gives_the_same_manifest_as_serial(tmp_path, small_study):
    catalog = small_study(subjects=3, recordings=2)
    (tmp_path / "archive" / "broken.csv").write_text("time,acc_x\n0,1\n0.03")
    serial, parallel = Workspace(tmp_path / "w1"), Workspace(tmp_path / "w2")
    one = ingest_entry(catalog, "study", serial, workers=1)
    two = ingest_entry(catalog, "study", parallel, workers=2)
    assert one.counts == two.counts and one.counts["quarantined"] == 1
    assert _snapshot(serial) == _snapshot(parallel)
    assert serial.store().keys() == parallel.store().keys()


def test_the_default_layout_is_raw_one_chunk_and_raw_chunks_past_a_gibibyte():
    dims = ("channel", "x", "y", "z")
    assert choose_layout((1, 268, 213, 160), dims, dims[1:], 4) == Layout(
        (1, 268, 213, 160), "none"
    )
    big = choose_layout((1, 1024, 1024, 512), dims, dims[1:], 4)  # 2 GiB
    assert big.codec == "none" and big.chunks == (1, 128, 128, 128)  # 8 MiB <= 16 MiB chunks
    assert choose_layout((6, 9000), ("channel", "time"), ("time",), 4, "lz4") == Layout(
        choose_chunks((6, 9000), ("channel", "time"), ("time",), 4), "lz4"
    )
