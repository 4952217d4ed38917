"""Content-addressed chunked array store: one zarr group per item, keyed by hash.

Writes go to a temporary folder that is renamed into place, so a crash never
leaves a half-written item under a real key. Reads are lazy (xarray over zarr)
or, for training, direct window reads of the chunk files (``ChunkReader``) through a
decoded-chunk cache bounded in bytes and memory maps of raw chunks, so an archive
larger than RAM is sampled without loading it. ``store.layout`` picks chunks and codec.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import zarr
import zarr.codecs

from sslsci.store.chunk_cache import ChunkCache, MappedFiles
from sslsci.store.chunk_reader import ChunkReader, plain_slices
from sslsci.store.layout import AUTO, choose_layout

CODECS = ("lz4", "zstd", "none")
DEFAULT_CACHE_BYTES = 256 * 1024**2
DATA = "data"


def _compressors(codec: str) -> Any:
    if codec == AUTO:
        return None
    if codec == "lz4":
        return zarr.codecs.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")
    if codec == "zstd":
        return zarr.codecs.ZstdCodec(level=3)
    if codec == "none":
        return None
    raise ValueError(f"unknown store codec {codec!r}; choose one of {(AUTO, *CODECS)}")


class ArrayStore:
    """Items as zarr v3 groups under ``root/items/<key[:2]>/<key>``."""

    def __init__(
        self, root: str | Path, codec: str = AUTO, cache_bytes: int = DEFAULT_CACHE_BYTES
    ) -> None:
        _compressors(codec)  # fail early on an unknown codec
        self.root = Path(root)
        self.codec = codec
        self.cache_bytes = cache_bytes
        self._handles: OrderedDict[str, zarr.Array] = OrderedDict()
        self._readers: OrderedDict[str, ChunkReader] = OrderedDict()
        self.cache = ChunkCache(cache_bytes)
        self._maps = MappedFiles()

    def __getstate__(self) -> dict[str, Any]:
        """Handles and caches are per process: a DataLoader worker opens its own."""
        state = self.__dict__.copy()
        state.update(
            _handles=OrderedDict(),
            _readers=OrderedDict(),
            cache=ChunkCache(self.cache_bytes),
            _maps=MappedFiles(),
        )
        return state

    def path(self, key: str) -> Path:
        return self.root / "items" / key[:2] / key

    def has(self, key: str) -> bool:
        return (self.path(key) / DATA / "zarr.json").is_file()

    def put(
        self,
        key: str,
        array: xr.DataArray,
        window_dims: tuple[str, ...],
        attrs: dict[str, Any] | None = None,
    ) -> None:
        """Store an item under ``key`` unless it is there already (content-addressed)."""
        if self.has(key):
            return
        final = self.path(key)
        tmp = self.root / "tmp" / f"{key}-{uuid.uuid4().hex}"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        values = np.ascontiguousarray(array.values)
        layout = choose_layout(
            values.shape, tuple(map(str, array.dims)), window_dims, values.itemsize, self.codec
        )
        # Attributes at creation: attrs.update() would rewrite zarr.json once per key.
        group = zarr.open_group(
            tmp,
            mode="w",
            zarr_format=3,
            attributes=_json_attrs(attrs if attrs is not None else dict(array.attrs)),
        )
        group.create_array(
            DATA,
            data=values,
            chunks=layout.chunks,
            compressors=_compressors(layout.codec),
            dimension_names=[str(d) for d in array.dims],
        )
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(tmp, final)
        except OSError:  # another worker stored the same content first
            shutil.rmtree(tmp, ignore_errors=True)
            if not self.has(key):
                raise

    def open(self, key: str) -> xr.DataArray:
        """The item as a lazy DataArray (dims and attrs restored)."""
        ds = xr.open_zarr(self.path(key), consolidated=False, zarr_format=3)
        data = ds[DATA]
        data.attrs = dict(ds.attrs)
        return data

    def shape(self, key: str) -> tuple[int, ...]:
        return tuple(self._reader(key).shape)

    def read(self, key: str, index: tuple[slice, ...] | None = None) -> np.ndarray:
        """A window of an item as numpy (the whole item without ``index``)."""
        if index is None:
            index = tuple(slice(None) for _ in self.shape(key))
        return self.read_many(key, [index])[0]

    def read_many(self, key: str, indices: Sequence[tuple[slice, ...]]) -> list[np.ndarray]:
        """Several windows of one item; each chunk they touch is read or decoded once."""
        reader = self._reader(key)
        if reader.supported and all(plain_slices(i, len(reader.shape)) for i in indices):
            # ~50x faster than zarr's indexing for a window
            return reader.read_many(indices, self.cache, self._maps)
        handle = self._handle(key)
        return [np.asarray(handle[index]) for index in indices]

    def delete(self, key: str) -> None:
        """Move the item out of ``items/`` first, so a kill midway never leaves half an item."""
        path = self.path(key)
        if path.exists():
            doomed = self.root / "tmp" / f"deleted-{key}-{uuid.uuid4().hex}"
            doomed.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, doomed)
            shutil.rmtree(doomed, ignore_errors=True)
        self._handles.pop(key, None)
        self._readers.pop(key, None)
        self.cache.forget(str(path / DATA))
        self._maps.forget(str(path / DATA))

    def keys(self) -> set[str]:
        items = self.root / "items"
        if not items.is_dir():
            return set()
        return {p.name for p in items.glob("*/*") if (p / DATA / "zarr.json").is_file()}

    def clean_tmp(self) -> None:
        """Remove temporary folders a killed writer left behind."""
        shutil.rmtree(self.root / "tmp", ignore_errors=True)

    def drop_unfinished(self) -> None:
        """Everything killed writers left (``store prune``): here their temporary folders."""
        self.clean_tmp()

    def _handle(self, key: str) -> zarr.Array:
        handle = self._handles.get(key)
        if handle is None:
            if not self.has(key):
                raise KeyError(f"store {self.root} has no item {key!r}; run `sslsci ingest` again")
            handle = zarr.open_array(self.path(key) / DATA, mode="r")
            self._handles[key] = handle
            if len(self._handles) > 4096:
                self._handles.popitem(last=False)
        else:
            self._handles.move_to_end(key)
        return handle

    def _reader(self, key: str) -> ChunkReader:
        reader = self._readers.get(key)
        if reader is None:
            if not self.has(key):
                raise KeyError(f"store {self.root} has no item {key!r}; run `sslsci ingest` again")
            reader = ChunkReader(self.path(key) / DATA)
            self._readers[key] = reader
            if len(self._readers) > 4096:
                self._readers.popitem(last=False)
        return reader


def _json_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """Attrs made JSON-safe (numpy scalars and arrays to Python)."""
    safe: dict[str, Any] = {}
    for name, value in attrs.items():
        if isinstance(value, np.ndarray):
            safe[name] = value.tolist()
        elif isinstance(value, np.generic):
            safe[name] = value.item()
        elif isinstance(value, (tuple, list)):
            safe[name] = [v.item() if isinstance(v, np.generic) else v for v in value]
        elif isinstance(value, (str, int, float, bool, dict)) or value is None:
            safe[name] = value
        else:
            safe[name] = str(value)
    return safe
