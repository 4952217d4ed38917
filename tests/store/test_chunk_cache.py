"""The decoded-chunk cache stays under its byte budget, and multi-window reads decode each
chunk they share once while giving exactly what cutting each window alone gives."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import sslsci.store.chunk_reader
from sslsci.store import ArrayStore, ChunkCache
from sslsci.store.arrays import DATA
from sslsci.store.chunk_reader import ChunkReader

KEY = "ef" + "1" * 38


def _held(cache: ChunkCache) -> int:
    """Bytes of the chunks the cache holds, counted from its contents."""
    return sum(chunk.nbytes for chunk in cache._chunks.values())


def test_random_puts_never_exceed_the_budget_and_the_oldest_goes_first() -> None:
    rng = np.random.default_rng(0)
    cache = ChunkCache(10_000)
    for k in range(300):
        cache.put(("item", (k,)), np.zeros(int(rng.integers(1, 4000)), dtype=np.uint8))
        assert cache.nbytes == _held(cache) <= 10_000
    cache = ChunkCache(3000)
    for k in range(4):
        cache.put(("item", (k,)), np.zeros(1000, dtype=np.uint8))
    assert cache.get(("item", (0,))) is None and cache.get(("item", (3,))) is not None
    cache.put(("big", (0,)), np.zeros(3001, dtype=np.uint8))  # alone over budget: not kept
    assert cache.get(("big", (0,))) is None and cache.nbytes == 3000


def test_cached_chunks_are_read_only() -> None:
    cache = ChunkCache(1000)
    cache.put(("item", (0,)), np.zeros(10))
    with pytest.raises(ValueError, match="read-only"):
        cache.get(("item", (0,)))[0] = 1.0


def _volume_store(tmp_path, cache_bytes: int, codec: str = "lz4") -> tuple[ArrayStore, np.ndarray]:
    store = ArrayStore(tmp_path, codec=codec, cache_bytes=cache_bytes)
    values = np.random.default_rng(1).normal(size=(1, 150, 140, 130)).astype(np.float32)
    dims = ("channel", "x", "y", "z")
    store.put(KEY, xr.DataArray(values, dims=dims), dims[1:])  # 10 MB: chunked, compressed
    return store, values


def _crops(rng: np.random.Generator, count: int, side: int = 40) -> list[tuple[slice, ...]]:
    return [
        (
            slice(None),
            *(
                slice(a, a + side)
                for a in (int(rng.integers(0, n - side)) for n in (150, 140, 130))
            ),
        )
        for _ in range(count)
    ]


def test_store_reads_keep_the_cache_under_budget_and_stay_exact(tmp_path) -> None:
    budget = 3 * 64**3 * 4 + 12345  # room for three whole 64^3 float32 chunks
    store, values = _volume_store(tmp_path, budget)
    assert store._reader(KEY).chunks == (1, 64, 64, 64)
    rng = np.random.default_rng(2)
    for crop in _crops(rng, 40):
        np.testing.assert_array_equal(store.read(KEY, crop), values[crop])
        assert store.cache.nbytes == _held(store.cache) <= budget
    assert len(store.cache) > 0


def _count_decodes(monkeypatch) -> list[int]:
    calls = [0]
    original = ChunkReader.chunk

    def counted(self, coords):
        calls[0] += 1
        return original(self, coords)

    monkeypatch.setattr(sslsci.store.chunk_reader.ChunkReader, "chunk", counted)
    return calls


def test_a_repeat_read_within_budget_decodes_nothing(tmp_path, monkeypatch) -> None:
    store, values = _volume_store(tmp_path, 64 * 1024**2)
    calls = _count_decodes(monkeypatch)
    crop = (slice(None), slice(50, 120), slice(10, 80), slice(60, 125))
    store.read(KEY, crop)
    first = calls[0]
    assert first == 8  # 2 x 2 x 2 chunks of 64
    np.testing.assert_array_equal(store.read(KEY, crop), values[crop])
    assert calls[0] == first


@pytest.mark.parametrize("codec", ["lz4", "zstd", "none"])
def test_read_many_equals_reading_each_window_alone(tmp_path, codec) -> None:
    store, values = _volume_store(tmp_path, 0, codec)
    crops = _crops(np.random.default_rng(3), 6)
    together = store.read_many(KEY, crops)
    assert len(together) == len(crops)
    for crop, window in zip(crops, together, strict=True):
        np.testing.assert_array_equal(window, values[crop])
        np.testing.assert_array_equal(window, store.read(KEY, crop))
        window[...] = 0  # windows are copies: the store's data stays intact
    np.testing.assert_array_equal(store.read(KEY, crops[0]), values[crops[0]])


def test_read_many_decodes_each_shared_chunk_once_with_the_cache_off(tmp_path, monkeypatch) -> None:
    store, _ = _volume_store(tmp_path, 0)
    calls = _count_decodes(monkeypatch)
    crops = _crops(np.random.default_rng(4), 8)
    store.read_many(KEY, crops)
    touched = {
        tuple(range(s.start // 64, (s.stop - 1) // 64 + 1) for s in crop[1:]) for crop in crops
    }
    distinct = {(0, a, b, c) for xs, ys, zs in touched for a in xs for b in ys for c in zs}
    assert calls[0] == len(distinct)
    calls[0] = 0
    for crop in crops:
        store.read(KEY, crop)
    assert calls[0] > len(distinct)  # one at a time, with the cache off, shared chunks repeat


def test_small_items_are_one_raw_chunk_read_through_a_memory_map(tmp_path, monkeypatch) -> None:
    store = ArrayStore(tmp_path, cache_bytes=0)
    values = np.random.default_rng(5).normal(size=(6, 9000)).astype(np.float32)
    store.put(KEY, xr.DataArray(values, dims=("channel", "time")), ("time",))
    reader = ChunkReader(store.path(KEY) / DATA)
    assert reader.chunks == (6, 9000) and reader.decoder is None
    calls = _count_decodes(monkeypatch)
    np.testing.assert_array_equal(
        store.read(KEY, (slice(None), slice(100, 400))), values[:, 100:400]
    )
    assert calls[0] == 0 and len(store.cache) == 0
