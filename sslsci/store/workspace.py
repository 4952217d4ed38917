"""A workdir: the manifest and the array store that ingest writes and training reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sslsci.store.arrays import DEFAULT_CACHE_BYTES, ArrayStore
from sslsci.store.manifest import Manifest


@dataclass
class Workspace:
    """Where an ingest writes and a run reads: the manifest and the store of one workdir."""

    root: Path
    codec: str = "auto"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.sqlite"

    def manifest(self) -> Manifest:
        return Manifest(self.manifest_path)

    def store(self, cache_bytes: int = DEFAULT_CACHE_BYTES) -> ArrayStore:
        """The store; ``cache_bytes`` bounds its decoded-chunk cache (per process)."""
        return ArrayStore(self.root / "store", codec=self.codec, cache_bytes=cache_bytes)
