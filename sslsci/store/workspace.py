"""A workdir: the manifest and the array store that ingest writes and training reads.

The workdir is a local (or shared-filesystem) folder, or a URL on object storage such as
``s3://bucket/prefix`` (``sslsci.store.remote``), which every node of a cluster reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sslsci.store.arrays import DEFAULT_CACHE_BYTES, ArrayStore
from sslsci.store.manifest import Manifest
from sslsci.store.remote import is_url


@dataclass
class Workspace:
    """Where an ingest writes and a run reads: the manifest and the store of one workdir;
    ``storage_options`` are handed to fsspec for a remote one (endpoint, credentials)."""

    root: Path | str
    codec: str = "auto"
    storage_options: dict[str, Any] = field(default_factory=dict)
    _snapshot: Path | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def remote(self) -> bool:
        return is_url(self.root)

    @property
    def manifest_path(self) -> Path:
        if self.remote:
            raise ValueError(f"{self.root} is remote; use manifest() or snapshot()")
        return Path(self.root) / "manifest.sqlite"

    def manifest(self) -> Manifest:
        """The manifest to write (ingest, prune): for a remote workdir a local copy that
        is uploaded back as it goes and on ``close``."""
        if self.remote:
            from sslsci.store.remote import SyncedManifest

            return SyncedManifest(str(self.root), self.storage_options)
        return Manifest(self.manifest_path)

    def snapshot(self) -> Manifest:
        """The manifest to read (training, evaluation): for a remote workdir a read-only
        copy downloaded on the first call and reused after, so the bucket is never listed."""
        if not self.remote:
            return Manifest(self.manifest_path)
        if self._snapshot is None or not self._snapshot.is_file():
            from sslsci.store.remote import download_snapshot

            self._snapshot = download_snapshot(str(self.root), self.storage_options)
        return Manifest.read_only(self._snapshot)

    def store(self, cache_bytes: int = DEFAULT_CACHE_BYTES) -> ArrayStore:
        """The store; ``cache_bytes`` bounds its decoded-chunk cache (per process)."""
        if self.remote:
            from sslsci.store.remote_arrays import RemoteArrayStore

            url = f"{str(self.root).rstrip('/')}/store"
            return RemoteArrayStore(url, self.codec, cache_bytes, self.storage_options)
        return ArrayStore(Path(self.root) / "store", codec=self.codec, cache_bytes=cache_bytes)
