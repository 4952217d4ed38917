"""A workdir on object storage (``s3://bucket/prefix``, any fsspec URL), shared by every node.

SQLite cannot run on an object store, so the manifest lives there as one object that is
copied down and back: ingest (the single writer) works on a local copy and uploads it
after each few sources and when it closes (one PUT, so a reader sees the old or the new
manifest, never half of one); training and evaluation download a read-only snapshot
once per process and never list the bucket. Items are written to a local folder and
uploaded with their ``data/zarr.json`` last: that object is the marker ``has`` looks for,
so an interrupted upload never looks like a stored item.

Credentials and endpoint come from the standard places s3fs reads (``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``, ... or fsspec's config) or from the catalog's ``storage_options``.
Local state of a remote workdir (the ingest lock, the manifest copies) lives under
``$SSLSCI_CACHE/stores/<hash of the URL>`` (default ``~/.cache/sslsci``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import fsspec

from sslsci.store.manifest import Manifest

CACHE_ENV = "SSLSCI_CACHE"  # the same folder the weights cache uses
MANIFEST = "manifest.sqlite"
UPLOAD_EVERY_S = 30.0  # a crash loses at most this much of an ingest's manifest rows


def is_url(root: str | Path) -> bool:
    """Whether a workdir names a remote store (``scheme://...``) rather than a folder."""
    return "://" in str(root) and not str(root).startswith("file://")


def filesystem(url: str, storage_options: dict[str, Any] | None = None):
    """The fsspec filesystem of ``url`` and the path inside it."""
    fs, path = fsspec.core.url_to_fs(url, **(storage_options or {}))
    return fs, path.rstrip("/")


def local_state(url: str) -> Path:
    """This machine's folder for a remote workdir's lock and manifest copies."""
    base = os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "sslsci"
    digest = hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:16]
    folder = Path(base).expanduser() / "stores" / digest
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "url.txt").write_text(url)
    return folder


class SyncedManifest(Manifest):
    """The manifest of a remote workdir, for its one writer: a local copy uploaded back
    every ``UPLOAD_EVERY_S`` seconds of commits and on ``close``."""

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        self.fs, root = filesystem(url, storage_options)
        self.remote = f"{root}/{MANIFEST}"
        local = local_state(url) / "writer" / MANIFEST
        shutil.rmtree(local.parent, ignore_errors=True)  # the bucket's copy is the truth
        local.parent.mkdir(parents=True)
        if self.fs.exists(self.remote):
            self.fs.get_file(self.remote, str(local))
        super().__init__(local)
        self._uploaded = time.monotonic()

    def committed(self) -> None:
        if time.monotonic() - self._uploaded >= UPLOAD_EVERY_S:
            self.upload()

    def upload(self) -> None:
        """Fold the WAL into the database file and put that file in one request."""
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.fs.put_file(str(self.path), self.remote)
        self._uploaded = time.monotonic()

    def close(self) -> None:
        try:
            self.upload()
        finally:
            super().close()


def download_snapshot(url: str, storage_options: dict[str, Any] | None = None) -> Path:
    """Download a remote workdir's manifest into a file of this process's own: a later
    upload by a concurrent ingest does not change what this run reads. Open it with
    ``Manifest.read_only``."""
    fs, root = filesystem(url, storage_options)
    remote = f"{root}/{MANIFEST}"
    if not fs.exists(remote):
        raise FileNotFoundError(f"{url} has no {MANIFEST}; run `sslsci ingest NAME` first")
    folder = local_state(url) / "snapshots"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.sqlite"):  # snapshots of processes that have ended
        pid = old.stem.split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            old.unlink(missing_ok=True)
    local = folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.sqlite"
    partial = local.with_suffix(".part")
    fs.get_file(remote, str(partial))
    os.replace(partial, local)
    return local


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
