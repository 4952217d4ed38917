"""Finding an archive's sources through fsspec and fingerprinting them cheaply.

A source is a file, or a folder when a reader's unit is a folder (a DICOM series,
a UCI HAR split). The stat signature includes ctime and inode on local disks:
neither can be set by `cp -p` or `rsync -a`, so a replaced file is always noticed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem

CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class SourceInfo:
    uri: str
    relative: str
    size: int
    signature: str
    is_dir: bool
    protocol_uri: str  # the fsspec URL to open it with


def _filesystem(uri: str) -> tuple[fsspec.AbstractFileSystem, str]:
    fs, root = fsspec.core.url_to_fs(uri)
    return fs, root.rstrip("/")


def list_sources(uri: str, include: list[str], exclude: list[str]) -> list[SourceInfo]:
    """Every path under ``uri`` matching an include glob and no exclude glob, sorted."""
    fs, root = _filesystem(uri)
    if not fs.exists(root):
        raise FileNotFoundError(f"archive {uri} does not exist; check the entry's uri")
    matched: dict[str, dict] = {}
    for pattern in include:
        for path, info in fs.glob(f"{root}/{pattern}", detail=True).items():
            matched[path.rstrip("/")] = info
    sources = []
    for path, info in sorted(matched.items()):
        relative = path[len(root) :].lstrip("/")
        if any(fnmatch.fnmatch(relative, pat) for pat in exclude) or not relative:
            continue
        if Path(relative).name.startswith("."):
            continue
        sources.append(_info(fs, uri, path, relative, info))
    return sources


def _info(fs, uri: str, path: str, relative: str, info: dict) -> SourceInfo:
    is_dir = info.get("type") == "directory"
    full_uri = uri.rstrip("/") + "/" + relative
    if isinstance(fs, LocalFileSystem):
        if is_dir:
            stats = [os.stat(p) for p in sorted(Path(path).rglob("*")) if p.is_file()]
            signature = json.dumps(
                [[s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino] for s in stats]
            )
            signature = hashlib.sha256(signature.encode()).hexdigest()
            size = sum(s.st_size for s in stats)
        else:
            st = os.stat(path)
            signature = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
            size = st.st_size
        return SourceInfo(path, relative, size, signature, is_dir, path)
    size = int(info.get("size") or 0)
    stamp = info.get("ETag") or info.get("mtime") or info.get("LastModified") or ""
    signature = f"{size}:{stamp}"
    return SourceInfo(full_uri, relative, size, signature, is_dir, full_uri)


def source_sha256(info: SourceInfo) -> str:
    """Content hash of a file, or of a folder's (relative name, file hash) pairs."""
    fs, root = _filesystem(info.protocol_uri)
    if not info.is_dir:
        return _file_sha256(fs, root)
    digest = hashlib.sha256()
    for path in sorted(fs.find(root)):
        digest.update(path[len(root) :].lstrip("/").encode() + b"\0")
        digest.update(_file_sha256(fs, path).encode())
    return digest.hexdigest()


def _file_sha256(fs, path: str) -> str:
    digest = hashlib.sha256()
    with fs.open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def local_copy(info: SourceInfo) -> Iterator[str]:
    """A local path for readers: the file itself, or a temporary download of a remote one."""
    fs, root = _filesystem(info.protocol_uri)
    if isinstance(fs, LocalFileSystem):
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="sslsci-") as tmp:
        target = Path(tmp) / Path(info.relative).name
        fs.get(root, str(target), recursive=info.is_dir)
        yield str(target)
