"""The store: content-addressed chunked arrays, the SQLite manifest, and the workdir
that holds both (written by ingest, read by training and evaluation)."""

from sslsci.store.arrays import ArrayStore
from sslsci.store.chunk_cache import ChunkCache
from sslsci.store.layout import Layout, choose_chunks, choose_layout
from sslsci.store.lock import workdir_lock
from sslsci.store.manifest import ItemRow, Manifest, SourceRow
from sslsci.store.workspace import Workspace

__all__ = [
    "ArrayStore",
    "ChunkCache",
    "ItemRow",
    "Layout",
    "Manifest",
    "SourceRow",
    "Workspace",
    "choose_chunks",
    "choose_layout",
    "workdir_lock",
]
