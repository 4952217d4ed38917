"""Per-process caches the store's window reads share: decoded chunks (bounded in bytes)
and open memory maps of uncompressed chunk files (bounded in count).

A DataLoader worker holds one of each (the store pickles without them), so every draw
of that worker reuses chunks an earlier draw decoded, while the bytes held stay under
the configured budget however large the archive is.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path

import numpy as np


class ChunkCache:
    """Least-recently-used decoded chunks; ``nbytes`` never exceeds ``budget_bytes``."""

    def __init__(self, budget_bytes: int) -> None:
        if budget_bytes < 0:
            raise ValueError(f"chunk cache budget must be >= 0 bytes, got {budget_bytes}")
        self.budget_bytes = budget_bytes
        self.nbytes = 0
        self._chunks: OrderedDict[Hashable, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._chunks)

    def get(self, key: Hashable) -> np.ndarray | None:
        chunk = self._chunks.get(key)
        if chunk is not None:
            self._chunks.move_to_end(key)
        return chunk

    def put(self, key: Hashable, chunk: np.ndarray) -> None:
        """Keep ``chunk`` (read-only) unless it alone is over budget; drop the oldest to fit."""
        if chunk.nbytes > self.budget_bytes or key in self._chunks:
            return
        while self._chunks and self.nbytes + chunk.nbytes > self.budget_bytes:
            _, dropped = self._chunks.popitem(last=False)
            self.nbytes -= dropped.nbytes
        chunk.flags.writeable = False
        self._chunks[key] = chunk
        self.nbytes += chunk.nbytes

    def forget(self, prefix: str) -> None:
        """Drop every chunk whose key starts with ``prefix`` (an item that was deleted)."""
        for key in [k for k in self._chunks if isinstance(k, tuple) and k[0] == prefix]:
            self.nbytes -= self._chunks.pop(key).nbytes


class MappedFiles:
    """Open read-only memory maps of raw chunk files, the least recently used closed first.

    Mapped pages belong to the OS page cache, which drops them under memory pressure, so
    uncompressed items are read without a copy into this process and without a budget.
    """

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._maps: OrderedDict[str, np.memmap] = OrderedDict()

    def get(self, path: Path, dtype: np.dtype, shape: tuple[int, ...]) -> np.memmap:
        name = str(path)
        mapped = self._maps.get(name)
        if mapped is not None:
            self._maps.move_to_end(name)
            return mapped
        mapped = np.memmap(path, dtype=dtype, mode="r", shape=shape)
        self._maps[name] = mapped
        while len(self._maps) > self.limit:
            self._maps.popitem(last=False)
        return mapped

    def forget(self, prefix: str) -> None:
        for name in [n for n in self._maps if n.startswith(prefix)]:
            del self._maps[name]
