"""The local weights cache: one folder per released version, verified before use.

Layout under ``$SSLSCI_CACHE`` (default ``~/.cache/sslsci``)::

    weights/<modality>/<model>/<version>/   complete, verified files + registry-entry.json
    weights/.staging/<modality>/<model>/<version>/   downloads in progress (*.part)
    weights/.locks/                          one lock file per version being pulled

A version folder appears only by an atomic rename of a fully verified staging
folder, so a reader never sees half a release.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from pydantic import ValidationError

from sslsci.bundle.hashing import sha256_file
from sslsci.bundle.jsondoc import load_json
from sslsci.weights.errors import UnsafeIndexError
from sslsci.weights.index import (
    MAX_INDEX_BYTES,
    VersionEntry,
    check_file_path,
    check_version_entry,
    entry_document,
)
from sslsci.weights.names import VERSION_RE, version_key

CACHE_ENV = "SSLSCI_CACHE"
OFFLINE_ENV = "SSLSCI_OFFLINE"
ENTRY_FILE = "registry-entry.json"
TRUE_WORDS = ("1", "true", "yes", "on")


def cache_root(cache_dir: Path | str | None = None) -> Path:
    """The weights cache folder: the argument, ``$SSLSCI_CACHE``, or ``~/.cache/sslsci``."""
    base = cache_dir or os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "sslsci"
    return Path(base).expanduser() / "weights"


def offline_mode(offline: bool | None = None) -> bool:
    """The argument if given, else whether ``$SSLSCI_OFFLINE`` is set to a true word."""
    if offline is not None:
        return offline
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in TRUE_WORDS


def version_dir(root: Path, name: str, version: str) -> Path:
    return root / name / version


def staging_dir(root: Path, name: str, version: str) -> Path:
    return root / ".staging" / name / version


def lock_path(root: Path, name: str, version: str) -> Path:
    return root / ".locks" / f"{name.replace('/', '__')}@{version}.lock"


def cached_versions(root: Path, name: str) -> list[str]:
    """Versions of ``name`` with a version folder in the cache, oldest first."""
    folder = root / name
    if not folder.is_dir():
        return []
    found = [p.name for p in folder.iterdir() if VERSION_RE.fullmatch(p.name) and p.is_dir()]
    return sorted(found, key=version_key)


def write_entry(folder: Path, name: str, version: str, entry: VersionEntry) -> None:
    """Keep the index entry beside the files, so the cache can be re-verified offline."""
    text = json.dumps(entry_document(name, version, entry), indent=2)
    (folder / ENTRY_FILE).write_text(text + "\n", encoding="utf-8")


def read_entry(folder: Path, name: str, version: str) -> VersionEntry:
    """The index entry a cached version was verified against (validated like an index)."""
    path = folder / ENTRY_FILE
    if not path.is_file():
        raise UnsafeIndexError(f"{path} is missing; the cached version is incomplete")
    if path.stat().st_size > MAX_INDEX_BYTES:
        raise UnsafeIndexError(f"{path} is over the {MAX_INDEX_BYTES}-byte bound")
    try:
        document = load_json(path.read_bytes())
        entry = VersionEntry.model_validate(document["entry"])
    except (ValueError, KeyError, TypeError, ValidationError) as exc:  # NestingError included
        raise UnsafeIndexError(f"{path} is not a valid cache entry: {exc}") from None
    if (document.get("name"), document.get("version")) != (name, version):
        raise UnsafeIndexError(
            f"{path} describes {document.get('name')}@"
            f"{document.get('version')}, not {name}@{version}"
        )
    check_version_entry(name, version, entry, str(path))
    return entry


def file_problems(folder: Path, name: str, version: str, entry: VersionEntry) -> list[str]:
    """What is wrong with the files of a cached version: missing, wrong size or sha256."""
    problems = []
    for file in entry.files:
        filename = check_file_path(file.path, name, version, str(folder))
        path = folder / filename
        if not path.is_file():
            problems.append(f"{filename} is missing")
        elif path.stat().st_size != file.size:
            problems.append(f"{filename} is {path.stat().st_size} bytes, expected {file.size}")
        elif sha256_file(path) != file.sha256:
            problems.append(f"{filename} has the wrong sha256")
    return problems


def cache_problems(root: Path, name: str, version: str) -> list[str]:
    """Empty when ``name@version`` is fully cached and verified; else what is wrong."""
    folder = version_dir(root, name, version)
    if not folder.is_dir():
        return [f"{folder} does not exist"]
    try:
        entry = read_entry(folder, name, version)
    except UnsafeIndexError as exc:
        return [str(exc)]
    return file_problems(folder, name, version, entry)


def remove_tree(path: Path, stop: Path) -> None:
    """Delete ``path`` and then its parents that became empty, up to ``stop``."""
    shutil.rmtree(path, ignore_errors=True)
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
