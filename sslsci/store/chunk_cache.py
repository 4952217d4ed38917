"""Per-process caches the store's window reads share: decoded chunks (bounded in bytes)
and open memory maps of uncompressed chunk files (bounded in count).

A DataLoader worker holds one of each (the store pickles without them), so every draw
of that worker reuses chunks an earlier draw decoded, while the bytes held stay under
the configured budget however large the archive is.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
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
    A chunk file that does not exist (never written: all fill value) is remembered as None.
    """

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._maps: OrderedDict[tuple[str, tuple[int, ...]], np.ndarray | None] = OrderedDict()

    def get(
        self,
        key: tuple[str, tuple[int, ...]],
        path_of: Callable[[tuple[int, ...]], Path],
        dtype: np.dtype,
        shape: tuple[int, ...],
    ) -> np.ndarray | None:
        """The map of chunk ``key`` (folder name, coords), opened at ``path_of(coords)``, as a
        plain read-only ndarray over the map: slicing an ``np.memmap`` costs a subclass
        round trip per window (about 1.5x slower for 96 x 96 windows)."""
        try:
            mapped = self._maps[key]
        except KeyError:
            pass
        else:
            self._maps.move_to_end(key)
            return mapped
        try:
            mapped = np.asarray(np.memmap(path_of(key[1]), dtype=dtype, mode="r", shape=shape))
        except FileNotFoundError:
            mapped = None
        self._maps[key] = mapped
        while len(self._maps) > self.limit:
            self._maps.popitem(last=False)
        return mapped

    def forget(self, prefix: str) -> None:
        for key in [k for k in self._maps if k[0] == prefix]:
            del self._maps[key]
