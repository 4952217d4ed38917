"""Window reads straight from the chunk files of a local zarr v3 array.

zarr-python's indexing costs about a millisecond per read (its async machinery) before
any byte is decoded, which dominated random training windows: 64 x 256 DAS windows came
at ~500/s where the chunk decodes themselves take tens of microseconds. For the arrays
the store writes (regular chunk grid, the ``bytes`` codec, then blosc or zstd or
nothing), this reader finds the chunk files a window overlaps, decodes them with
numcodecs and copies the overlap. Anything else is read through zarr as before.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np

from sslsci.store.chunk_cache import ChunkCache, MappedFiles

SUPPORTED = {"blosc", "zstd"}


class ChunkReader:
    """Reads windows of one zarr v3 array folder; ``supported`` says if it can."""

    def __init__(self, folder: Path, meta: dict[str, Any] | None = None) -> None:
        if meta is None:
            meta = json.loads((Path(folder) / "zarr.json").read_text())
        self.folder = Path(folder)
        self.shape = tuple(meta["shape"])
        self.dtype = np.dtype(meta["data_type"]).newbyteorder("<")
        self.native = self.dtype.newbyteorder("=")  # what windows are returned as
        grid = meta.get("chunk_grid", {})
        self.chunks = tuple(grid.get("configuration", {}).get("chunk_shape", ()))
        encoding = meta.get("chunk_key_encoding", {})
        self.separator = encoding.get("configuration", {}).get("separator", "/")
        self.fill = meta.get("fill_value", 0)
        self.decoder, self.supported = self._decoder(meta, grid, encoding)
        self.name = str(self.folder)  # cache keys: (name, chunk coords)
        self.single = self.chunks == self.shape  # one chunk: windows are plain slices of it

    @staticmethod
    def _decoder(meta: dict[str, Any], grid: dict, encoding: dict) -> tuple[Any, bool]:
        codecs = meta.get("codecs", [])
        plain = (
            grid.get("name") == "regular"
            and encoding.get("name") == "default"
            and codecs
            and codecs[0].get("name") == "bytes"
            and codecs[0].get("configuration", {}).get("endian", "little") == "little"
            and not meta.get("storage_transformers")
            and isinstance(meta.get("data_type"), str)
        )
        if not plain or len(codecs) > 2:
            return None, False
        if len(codecs) == 1:
            return None, True
        name = codecs[1].get("name")
        if name not in SUPPORTED:
            return None, False
        return (numcodecs.Blosc() if name == "blosc" else numcodecs.Zstd()), True

    def chunk(self, coords: tuple[int, ...]) -> np.ndarray:
        """One whole chunk (fill value where the chunk was never written)."""
        path = self._path(coords)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return np.full(self.chunks, self.fill, dtype=self.dtype)
        if self.decoder is not None:
            raw = self.decoder.decode(raw)
        return np.frombuffer(raw, dtype=self.dtype).reshape(self.chunks)

    def read(
        self,
        index: tuple[slice, ...],
        cache: ChunkCache | None = None,
        maps: MappedFiles | None = None,
    ) -> np.ndarray:
        """The window ``index`` (one slice per dim, step 1) as a new array."""
        return self.read_many([index], cache, maps)[0]

    def read_many(
        self,
        indices: Sequence[tuple[slice, ...]],
        cache: ChunkCache | None = None,
        maps: MappedFiles | None = None,
    ) -> list[np.ndarray]:
        """Several windows, each chunk they touch fetched once for all of them.

        Compressed chunks come from ``cache`` or are decoded (and offered to it);
        uncompressed ones are sliced in place through ``maps``, with no decode at all.
        """
        if self.single:
            block = self._block((0,) * len(self.shape), cache, maps)
            return [np.array(block[index], dtype=self.native) for index in indices]
        touched: dict[tuple[int, ...], np.ndarray] = {}
        return [self._assemble(index, touched, cache, maps) for index in indices]

    def _assemble(
        self,
        index: tuple[slice, ...],
        touched: dict[tuple[int, ...], np.ndarray],
        cache: ChunkCache | None,
        maps: MappedFiles | None,
    ) -> np.ndarray:
        """One window copied out of the chunks it overlaps (``touched`` shared per call)."""
        bounds = [s.indices(n)[:2] for s, n in zip(index, self.shape, strict=True)]
        out = np.empty([max(0, b - a) for a, b in bounds], dtype=self.native)
        ranges = [
            range(a // c, (b - 1) // c + 1) if b > a else range(0)
            for (a, b), c in zip(bounds, self.chunks, strict=True)
        ]
        for coords in itertools.product(*ranges):
            block = touched.get(coords)
            if block is None:
                block = touched[coords] = self._block(coords, cache, maps)
            source, target = [], []
            for (a, b), k, c in zip(bounds, coords, self.chunks, strict=True):
                lo, hi = max(a, k * c), min(b, (k + 1) * c)
                source.append(slice(lo - k * c, hi - k * c))
                target.append(slice(lo - a, hi - a))
            out[tuple(target)] = block[tuple(source)]
        return out

    def _block(
        self, coords: tuple[int, ...], cache: ChunkCache | None, maps: MappedFiles | None
    ) -> np.ndarray:
        """A chunk to copy from: mapped when stored raw, else cached or decoded."""
        key = (self.name, coords)
        if self.decoder is None and maps is not None:
            mapped = maps.get(key, self._path, self.dtype, self.chunks)
            return mapped if mapped is not None else np.full(self.chunks, self.fill, self.dtype)
        block = cache.get(key) if cache is not None else None
        if block is None:
            block = self._trimmed(coords)
            if cache is not None:
                cache.put(key, block)
        return block

    def _trimmed(self, coords: tuple[int, ...]) -> np.ndarray:
        """A decoded chunk cut to the item's extent: edge chunks hold no padding in RAM."""
        valid = tuple(
            slice(0, min(c, n - k * c))
            for k, c, n in zip(coords, self.chunks, self.shape, strict=True)
        )
        block = self.chunk(coords)
        if all(v.stop == c for v, c in zip(valid, self.chunks, strict=True)):
            return block
        return block[valid].copy()

    def _path(self, coords: tuple[int, ...]) -> Path:
        return self.folder / ("c" + self.separator + self.separator.join(map(str, coords)))


def plain_slices(index: Any, ndim: int) -> bool:
    """Whether ``index`` is a tuple of ``ndim`` step-1 slices (what windows use)."""
    return (
        isinstance(index, tuple)
        and len(index) == ndim
        and all(isinstance(s, slice) and s.step in (None, 1) for s in index)
    )
