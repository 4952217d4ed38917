"""The array store on object storage: the same item layout as ``ArrayStore``, under a URL.

An item is written by the local store into a temporary folder, then uploaded with its
``data/zarr.json`` last (the marker ``has`` and ``keys`` look for), so a writer killed
mid-upload leaves objects no reader sees and the next ``put`` simply writes them again.
Windows are read with ``RemoteChunkReader`` (byte ranges, no memory maps); ``open`` and
other indexing go through zarr over fsspec. The filesystem is made per process, so the
store pickles into DataLoader and ingest workers without an open connection.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import xarray as xr
import zarr

from sslsci.store.arrays import DATA, DEFAULT_CACHE_BYTES, ArrayStore
from sslsci.store.layout import AUTO
from sslsci.store.remote import filesystem
from sslsci.store.remote_reader import RemoteChunkReader

MARKER = f"{DATA}/zarr.json"
# Where fsspec/s3fs/botocore read credentials and endpoints from the environment. A
# forkserver or spawn DataLoader worker does not see variables the parent set after its
# server started, so the store carries them to the worker.
ENV_PREFIXES = ("AWS_", "FSSPEC_")


def _connection_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIXES)}


class RemoteArrayStore(ArrayStore):
    """Items as zarr v3 groups under ``url/items/<key[:2]>/<key>`` on an fsspec filesystem."""

    def __init__(
        self,
        url: str,
        codec: str = AUTO,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        storage_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(Path("."), codec, cache_bytes)
        self.root = url.rstrip("/")  # type: ignore[assignment]
        self.storage_options = dict(storage_options or {})
        self._fs: Any = None
        self._base = ""
        self._pid = os.getpid()

    def __getstate__(self) -> dict[str, Any]:
        return {**super().__getstate__(), "_fs": None, "_env": _connection_env()}

    @property
    def fs(self) -> Any:
        if self._fs is None or self._pid != os.getpid():  # a forked child makes its own
            for name, value in getattr(self, "_env", {}).items():
                os.environ.setdefault(name, value)  # the parent's, where this process lacks it
            self._fs, self._base = filesystem(self.root, self.storage_options)
            self._pid = os.getpid()
        return self._fs

    def path(self, key: str) -> str:  # type: ignore[override]
        """The item's URL (what zarr and xarray open)."""
        return f"{self.root}/items/{key[:2]}/{key}"

    def _fs_path(self, key: str) -> str:
        self.fs  # noqa: B018 (sets _base)
        return f"{self._base}/items/{key[:2]}/{key}"

    def has(self, key: str) -> bool:
        return self.fs.exists(f"{self._fs_path(key)}/{MARKER}")

    def put(self, key, array, window_dims, attrs=None) -> None:
        """Write locally, upload every object but the marker, then the marker."""
        if self.has(key):
            return
        with tempfile.TemporaryDirectory(prefix="sslsci-item-") as tmp:
            local = ArrayStore(tmp, codec=self.codec)
            local.put(key, array, window_dims, attrs)
            folder = local.path(key)
            files = sorted(p for p in folder.rglob("*") if p.is_file())
            marker = folder / MARKER
            rest = [p for p in files if p != marker]
            remote = self._fs_path(key)
            if rest:
                self.fs.put(
                    [str(p) for p in rest],
                    [f"{remote}/{p.relative_to(folder).as_posix()}" for p in rest],
                )
            self.fs.put_file(str(marker), f"{remote}/{MARKER}")

    def open(self, key: str) -> xr.DataArray:
        ds = xr.open_zarr(
            self.path(key),
            consolidated=False,
            zarr_format=3,
            storage_options=self.storage_options or None,
        )
        data = ds[DATA]
        data.attrs = dict(ds.attrs)
        return data

    def delete(self, key: str) -> None:
        """The marker first: a kill midway leaves objects no reader counts as an item."""
        remote = self._fs_path(key)
        if self.fs.exists(f"{remote}/{MARKER}"):
            self.fs.rm_file(f"{remote}/{MARKER}")
        if self.fs.exists(remote):
            self.fs.rm(remote, recursive=True)
        self._handles.pop(key, None)
        self._readers.pop(key, None)
        self.cache.forget(f"{self.path(key)}/{DATA}")

    def keys(self) -> set[str]:
        self.fs.invalidate_cache()
        found = self.fs.glob(f"{self._base}/items/*/*/{MARKER}")
        return {p.rstrip("/").split("/")[-3] for p in found}

    def clean_tmp(self) -> None:
        """Nothing to clean: items are staged in local temporary folders."""

    def drop_unfinished(self) -> None:
        """Delete the objects of items whose upload never reached the marker (a killed
        writer). Lists every object under ``items/``, so ``store prune`` does it, never
        each ingest; run it, like any write, with no other writer on the store."""
        self.fs.invalidate_cache()
        folders: dict[str, bool] = {}
        prefix = f"{self._base}/items/"
        for path in self.fs.find(prefix):
            parts = path[len(prefix) :].split("/")
            if len(parts) >= 3:
                folder = prefix + "/".join(parts[:2])
                marked = "/".join(parts[2:]) == MARKER
                folders[folder] = folders.get(folder, False) or marked
        for folder, marked in folders.items():
            if not marked:
                self.fs.rm(folder, recursive=True)

    def _handle(self, key: str) -> zarr.Array:
        handle = self._handles.get(key)
        if handle is None:
            self._require(key)
            handle = zarr.open_array(
                f"{self.path(key)}/{DATA}", mode="r", storage_options=self.storage_options
            )
            self._handles[key] = handle
        return handle

    def _reader(self, key: str) -> RemoteChunkReader:  # type: ignore[override]
        reader = self._readers.get(key)
        if reader is None:
            try:
                reader = RemoteChunkReader(
                    self.fs, f"{self._fs_path(key)}/{DATA}", f"{self.path(key)}/{DATA}"
                )
            except FileNotFoundError:
                self._require(key)
                raise
            self._readers[key] = reader
            if len(self._readers) > 4096:
                self._readers.popitem(last=False)
        return reader

    def _require(self, key: str) -> None:
        if not self.has(key):
            raise KeyError(f"store {self.root} has no item {key!r}; run `sslsci ingest` again")
