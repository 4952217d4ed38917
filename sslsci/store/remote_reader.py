"""Window reads from the chunk objects of a zarr v3 array on object storage (fsspec).

There are no memory maps over HTTP. A raw (uncompressed) chunk is read by byte ranges:
only the runs of a window that are contiguous in the chunk are requested, neighbouring
runs merged into one request, and all the requests of a ``read_many`` go out at once
(``cat_ranges``), so a window costs about one round trip, not one per chunk or per row.
Compressed chunks are fetched whole, concurrently, and decoded (and offered to the
decoded-chunk cache, which serves them again without a request while it holds them).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sslsci.store.chunk_cache import ChunkCache, MappedFiles
from sslsci.store.chunk_reader import ChunkReader

MAX_GAP = 256 * 1024  # bytes between two runs read in one request rather than two


class RemoteChunkReader(ChunkReader):
    """``ChunkReader`` over an fsspec filesystem; ``folder`` is the array's path in ``fs``."""

    def __init__(self, fs: Any, folder: str, name: str) -> None:
        super().__init__(folder, json.loads(fs.cat_file(f"{folder}/zarr.json")))
        self.fs, self.folder, self.name = fs, folder, name

    def chunk(self, coords: tuple[int, ...]) -> np.ndarray:
        return self._decode(self._fetch_whole([coords])[coords])

    def read_many(
        self,
        indices: Sequence[tuple[slice, ...]],
        cache: ChunkCache | None = None,
        maps: MappedFiles | None = None,
    ) -> list[np.ndarray]:
        if self.decoder is None:
            return self._ranged(indices)
        touched: dict[tuple[int, ...], np.ndarray] = {}
        wanted = {c for index in indices for c in self._overlapped(index)}
        missing = []
        for coords in wanted:
            block = cache.get((self.name, coords)) if cache is not None else None
            if block is None:
                missing.append(coords)
            else:
                touched[coords] = block
        for coords, raw in self._fetch_whole(missing).items():
            block = touched[coords] = self._trim(coords, self._decode(raw))
            if cache is not None:
                cache.put((self.name, coords), block)
        return [self._assemble(index, touched, None, None) for index in indices]

    def _overlapped(self, index: tuple[slice, ...]) -> Any:
        ranges = [
            range(a // c, (b - 1) // c + 1) if b > a else range(0)
            for (a, b), c in zip(self._bounds(index), self.chunks, strict=True)
        ]
        return itertools.product(*ranges)

    def _bounds(self, index: tuple[slice, ...]) -> list[tuple[int, int]]:
        return [s.indices(n)[:2] for s, n in zip(index, self.shape, strict=True)]

    def _fetch_whole(self, coords: list[tuple[int, ...]]) -> dict[tuple[int, ...], bytes | None]:
        """Whole chunk objects, concurrently; None where a chunk was never written."""
        if not coords:
            return {}
        paths = [self._path(c) for c in coords]
        got = self.fs.cat(paths, on_error="return")
        return {c: _bytes_or_none(got[p]) for c, p in zip(coords, paths, strict=True)}

    def _decode(self, raw: bytes | None) -> np.ndarray:
        if raw is None:
            return np.full(self.chunks, self.fill, dtype=self.dtype)
        if self.decoder is not None:
            raw = self.decoder.decode(raw)
        return np.frombuffer(raw, dtype=self.dtype).reshape(self.chunks)

    def _trim(self, coords: tuple[int, ...], block: np.ndarray) -> np.ndarray:
        """A decoded chunk cut to the item's extent (as ``ChunkReader._trimmed``)."""
        valid = tuple(
            slice(0, min(c, n - k * c))
            for k, c, n in zip(coords, self.chunks, self.shape, strict=True)
        )
        return block if block.shape == tuple(v.stop for v in valid) else block[valid].copy()

    def _ranged(self, indices: Sequence[tuple[slice, ...]]) -> list[np.ndarray]:
        """Raw chunks: each window's part of each chunk, as byte ranges fetched together."""
        outs, parts, requests = [], [], []  # parts: (out, target, shape, first request, runs)
        for index in indices:
            bounds = self._bounds(index)
            out = np.empty([max(0, b - a) for a, b in bounds], dtype=self.native)
            outs.append(out)
            for coords in self._overlapped(index):
                source, target = [], []
                for (a, b), k, c in zip(bounds, coords, self.chunks, strict=True):
                    lo, hi = max(a, k * c), min(b, (k + 1) * c)
                    source.append(slice(lo - k * c, hi - k * c))
                    target.append(slice(lo - a, hi - a))
                starts, length = self._runs(source)
                path = self._path(coords)
                parts.append((out, tuple(target), len(requests), len(starts)))
                requests.extend((path, int(s), int(s) + length) for s in starts)
        pieces = self._fetch_ranges(requests)
        for out, target, first, count in parts:
            runs = pieces[first : first + count]
            view = out[target]
            if any(run is None for run in runs):  # chunk never written: fill value
                view[...] = self.fill
            else:
                joined = b"".join(runs)
                view[...] = np.frombuffer(joined, dtype=self.dtype).reshape(view.shape)
        return outs

    def _runs(self, source: list[slice]) -> tuple[np.ndarray, int]:
        """Byte offsets in the chunk object of the contiguous runs of a sub-block (C order),
        and the length in bytes of each run."""
        ndim = len(self.chunks)
        k = ndim - 1  # runs span dim k partly and every later dim whole
        while k > 0 and source[k].start == 0 and source[k].stop == self.chunks[k]:
            k -= 1
        strides = [math.prod(self.chunks[j + 1 :]) for j in range(ndim)]
        length = (source[k].stop - source[k].start) * strides[k] * self.dtype.itemsize
        offset = np.array([source[k].start * strides[k]], dtype=np.int64)
        for j in range(k - 1, -1, -1):
            rows = np.arange(source[j].start, source[j].stop, dtype=np.int64) * strides[j]
            offset = (rows[:, None] + offset[None, :]).ravel()
        return offset * self.dtype.itemsize, length

    def _fetch_ranges(self, requests: list[tuple[str, int, int]]) -> list[bytes | None]:
        """The bytes of each (path, start, end), neighbours merged into one request."""
        merged: list[list[Any]] = []  # [path, start, end]
        where: list[tuple[int, int]] = []  # (merged request, offset in it) per request
        for path, start, end in requests:
            last = merged[-1] if merged else None
            if last and last[0] == path and last[1] <= start <= last[2] + MAX_GAP:
                last[2] = max(last[2], end)
            else:
                merged.append(last := [path, start, end])
            where.append((len(merged) - 1, start - last[1]))
        got = self.fs.cat_ranges(
            [m[0] for m in merged],
            [m[1] for m in merged],
            [m[2] for m in merged],
            on_error="return",
        )
        blobs = [_bytes_or_none(g) for g in got]
        out: list[bytes | None] = []
        for (_, start, end), (m, offset) in zip(requests, where, strict=True):
            blob = blobs[m]
            out.append(None if blob is None else blob[offset : offset + end - start])
        return out

    def _path(self, coords: tuple[int, ...]) -> str:  # type: ignore[override]
        return f"{self.folder}/c{self.separator}{self.separator.join(map(str, coords))}"


def _bytes_or_none(got: Any) -> bytes | None:
    """A fetched object, None for one that does not exist (never written), else raise."""
    if isinstance(got, FileNotFoundError):
        return None
    if isinstance(got, BaseException):
        raise got
    return got
