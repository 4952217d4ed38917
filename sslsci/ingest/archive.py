"""Finding an archive's sources through fsspec and fingerprinting them cheaply.

A source is a regular file, or a folder when a reader's unit is a folder (a DICOM
series, a UCI HAR split). Anything else a glob matches (a named pipe, a device, a
socket, a broken symbolic link or a link loop) is listed with a ``problem`` and
quarantined without ever being opened: reading a pipe or ``/dev/zero`` never ends.
The stat signature includes ctime and inode on local disks: neither can be set by
`cp -p` or `rsync -a`, so a replaced file is always noticed.

Globs are matched against names inside the archive only, never against the archive's
own path, so an archive under a folder named ``scans[2024]`` is listed like any other.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem
from fsspec.utils import glob_translate

from sslsci.store.text import printable as printable_name

CHUNK = 4 * 1024 * 1024

KINDS = {
    stat.S_IFIFO: "named pipe",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFSOCK: "socket",
}


@dataclass(frozen=True)
class SourceInfo:
    uri: str  # the name recorded in the manifest: valid UTF-8 (see ``printable_name``)
    relative: str
    size: int
    signature: str
    is_dir: bool
    protocol_uri: str  # the fsspec URL to open it with (the real, possibly undecodable, name)
    problem: str | None = None  # why it cannot be read at all; it is then never opened


class UnreadableEntryError(OSError):
    """An archive entry that is not a regular file or folder, or a link that leads nowhere."""


def _filesystem(uri: str) -> tuple[fsspec.AbstractFileSystem, str]:
    fs, root = fsspec.core.url_to_fs(uri)
    return fs, root.rstrip("/")


def list_sources(uri: str, include: list[str], exclude: list[str]) -> list[SourceInfo]:
    """Every path under ``uri`` matching an include glob and no exclude glob, sorted."""
    fs, root = _filesystem(uri)
    if not fs.exists(root):
        raise FileNotFoundError(f"archive {uri} does not exist; check the entry's uri")
    patterns = [re.compile(glob_translate(pattern.strip("/"))) for pattern in include]
    depth = _max_depth(include)
    local = isinstance(fs, LocalFileSystem)
    entries = _walk_local(root, depth) if local else _walk_remote(fs, root, depth)
    sources = []
    for path, relative, info in sorted(entries, key=lambda e: e[1]):
        if not any(p.match(relative) for p in patterns):
            continue
        if any(fnmatch.fnmatch(relative, pat) for pat in exclude):
            continue
        if Path(relative).name.startswith("."):
            continue
        if local:
            sources.append(_local_info(path, relative))
        else:
            sources.append(_remote_info(uri, relative, info))
    return sources


def _max_depth(include: list[str]) -> int | None:
    """How deep the globs can reach: None when one has ``**``."""
    if any("**" in pattern for pattern in include):
        return None
    return max((pattern.strip("/").count("/") + 1 for pattern in include), default=0)


def _walk_local(root: str, depth: int | None) -> Iterator[tuple[str, str, None]]:
    """(path, relative name, None) of every entry down to ``depth``; links to folders
    are followed, but never into a folder already on the way down (a link loop)."""
    start = os.stat(root)
    stack = [(root, "", 1, frozenset({(start.st_dev, start.st_ino)}))]
    while stack:
        folder, prefix, level, above = stack.pop()
        try:
            with os.scandir(folder) as listing:
                children = list(listing)
        except OSError:
            continue  # an unreadable folder below the archive: its entries are not matched
        for child in children:
            relative = prefix + child.name
            yield child.path, relative, None
            if depth is not None and level >= depth:
                continue
            try:
                st = os.stat(child.path)
            except OSError:
                continue
            key = (st.st_dev, st.st_ino)
            if stat.S_ISDIR(st.st_mode) and key not in above:
                stack.append((child.path, relative + "/", level + 1, above | {key}))


def _walk_remote(fs, root: str, depth: int | None) -> Iterator[tuple[str, str, dict]]:
    found = fs.find(root, maxdepth=depth, withdirs=True, detail=True)
    for path, info in found.items():
        relative = path.rstrip("/")[len(root) :].lstrip("/")
        if relative:
            yield path.rstrip("/"), relative, info


def entry_kind(path: str) -> tuple[str, os.stat_result]:
    """``"file"`` or ``"folder"`` with the stat of what ``path`` leads to.

    Raises UnreadableEntryError naming what it is otherwise (named pipe, character
    device, broken symbolic link, ...): such an entry must never be opened.
    """
    link = os.lstat(path)
    is_link = stat.S_ISLNK(link.st_mode)
    try:
        st = os.stat(path) if is_link else link
    except OSError as exc:
        raise UnreadableEntryError(_link_problem(path, exc)) from None
    if stat.S_ISREG(st.st_mode):
        return "file", st
    if stat.S_ISDIR(st.st_mode):
        return "folder", st
    kind = KINDS.get(stat.S_IFMT(st.st_mode), "special file")
    if is_link:
        target = printable_name(os.path.realpath(path))
        raise UnreadableEntryError(
            f"a {kind} reached through a symlink ({target}), not a regular file; only "
            "regular files and folders are read: remove the link or replace it with the file"
        )
    raise UnreadableEntryError(
        f"a {kind}, not a regular file; only regular files and folders are read: "
        "remove it from the archive or exclude it in the catalog entry"
    )


def _link_problem(path: str, exc: OSError) -> str:
    try:
        target = printable_name(os.readlink(path))
    except OSError:
        target = "?"
    if exc.errno == errno.ELOOP:
        return (
            f"a symlink loop (it points to {target}, which leads back to itself); "
            "replace the link with the file it should name, or remove it"
        )
    if exc.errno == errno.ENOENT:
        return (
            f"a broken symlink (its target {target} does not exist); restore the "
            "target or remove the link"
        )
    return f"a symlink that cannot be followed ({exc.strerror}); fix or remove it"


def _local_info(path: str, relative: str) -> SourceInfo:
    name = printable_name(relative)
    shown = printable_name(path)
    try:
        kind, st = entry_kind(path)
        if kind == "file":
            signature = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
            return SourceInfo(shown, name, st.st_size, signature, False, path)
        stats = [os.stat(p) for _, p in folder_files(path)]
    except UnreadableEntryError as exc:
        return _problem_info(path, name, str(exc))
    signature = json.dumps([[s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino] for s in stats])
    signature = hashlib.sha256(signature.encode()).hexdigest()
    return SourceInfo(shown, name, sum(s.st_size for s in stats), signature, True, path)


def _problem_info(path: str, relative: str, problem: str) -> SourceInfo:
    """A source that is quarantined without being read; its signature changes when
    what it is changes (a broken link whose target appears is then read)."""
    link = os.lstat(path)
    signature = f"unreadable:{link.st_mode}:{link.st_mtime_ns}:{link.st_ctime_ns}:{link.st_ino}"
    return SourceInfo(printable_name(path), relative, 0, signature, False, path, problem)


def folder_files(folder: str) -> list[tuple[str, str]]:
    """(relative name, path) of every file in a folder source, sorted.

    Raises UnreadableEntryError when the folder holds anything a reader could hang or
    fail on (a pipe, a device, a broken link, a link loop): the folder is then
    quarantined as a whole, naming the entry.
    """
    files: list[tuple[str, str]] = []
    start = os.stat(folder)
    stack = [(folder, "", frozenset({(start.st_dev, start.st_ino)}))]
    while stack:
        current, prefix, above = stack.pop()
        with os.scandir(current) as listing:
            children = sorted(listing, key=lambda e: e.name)
        for child in children:
            relative = prefix + child.name
            try:
                kind, st = entry_kind(child.path)
            except UnreadableEntryError as exc:
                raise UnreadableEntryError(
                    f"the folder holds {printable_name(relative)}, which is {exc}"
                ) from None
            if kind == "file":
                files.append((relative, child.path))
                continue
            key = (st.st_dev, st.st_ino)
            if key in above:
                raise UnreadableEntryError(
                    f"the folder holds {printable_name(relative)}, a link back to a folder "
                    "above it (a loop); remove the link"
                )
            stack.append((child.path, relative + "/", above | {key}))
    return sorted(files)


def _remote_info(uri: str, relative: str, info: dict) -> SourceInfo:
    full_uri = uri.rstrip("/") + "/" + relative
    kind = info.get("type")
    size = int(info.get("size") or 0)
    stamp = info.get("ETag") or info.get("mtime") or info.get("LastModified") or ""
    signature = f"{size}:{stamp}"
    if kind not in ("file", "directory"):
        problem = f"not a regular file or folder (the store reports {kind!r}); remove it"
        return SourceInfo(full_uri, relative, 0, signature, False, full_uri, problem)
    return SourceInfo(full_uri, relative, size, signature, kind == "directory", full_uri)


def source_sha256(info: SourceInfo) -> str:
    """Content hash of a file, or of a folder's (relative name, file hash) pairs."""
    if info.problem is not None:
        raise UnreadableEntryError(info.problem)
    fs, root = _filesystem(info.protocol_uri)
    if not info.is_dir:
        return _file_sha256(fs, root)
    if isinstance(fs, LocalFileSystem):
        files = folder_files(root)
    else:
        files = [(p[len(root) :].lstrip("/"), p) for p in sorted(fs.find(root))]
    digest = hashlib.sha256()
    for relative, path in files:
        digest.update(os.fsencode(relative) + b"\0")
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
