"""Pull a release into the cache: verified, atomic, resumable, mirror by mirror.

Every file is downloaded into a staging folder as ``<file>.part`` (kept when a
transfer fails, so the next pull resumes it), checked against the index's size
and sha256, and only when all files pass is the staging folder renamed into
place. A file that fails its check is deleted with the whole staging folder and
the pull fails loudly; a cached version is reused without any network access
unless one of its files no longer matches its hash.

Sizes the index lists are untrusted: before anything is downloaded each must be
under a per-file limit (``max_file_bytes``, ``$SSLSCI_MAX_FILE_BYTES``) and all
must fit in the disk's free space; a full disk during a download deletes the
staging folder instead of leaving a ``.part`` that fills it again on a retry.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from sslsci.bundle.hashing import sha256_file
from sslsci.weights.cache import (
    OFFLINE_ENV,
    cache_problems,
    cache_root,
    cached_versions,
    lock_path,
    offline_mode,
    read_entry,
    remove_tree,
    staging_dir,
    version_dir,
    write_entry,
)
from sslsci.weights.discover import Found, find_release
from sslsci.weights.errors import (
    CacheWriteError,
    IntegrityError,
    NotFoundError,
    OfflineError,
    TransferError,
    UnsafeIndexError,
    WeightsError,
)
from sslsci.weights.index import IndexFile, VersionEntry, check_file_path
from sslsci.weights.locations import join, registry_urls
from sslsci.weights.lock import file_lock
from sslsci.weights.names import ModelRef, latest_version, parse_ref
from sslsci.weights.transfer import RetryPolicy, download, new_session

MAX_FILE_ENV = "SSLSCI_MAX_FILE_BYTES"
DEFAULT_MAX_FILE_BYTES = 16 * 1024**3


def file_limit(limit: int | None = None) -> int:
    """The per-file download limit: the argument, ``$SSLSCI_MAX_FILE_BYTES``, or 16 GiB."""
    if limit is None:
        raw = os.environ.get(MAX_FILE_ENV, "").strip()
        if not raw:
            return DEFAULT_MAX_FILE_BYTES
        if not raw.isdigit():
            raise WeightsError(f"${MAX_FILE_ENV} is {raw!r}; give a whole number of bytes")
        limit = int(raw)
    if limit <= 0:
        raise WeightsError(f"the per-file download limit must be positive, not {limit}")
    return limit


def check_sizes(found: Found, limit: int) -> None:
    """Refuse, before any download, a file the index lists as larger than ``limit``."""
    for file in found.entry.files:
        if file.size > limit:
            raise UnsafeIndexError(
                f"{found.name}@{found.version}: the index lists {file.path} at {file.size} "
                f"bytes, over the {limit}-byte limit for one downloaded file; nothing was "
                f"downloaded. If the model really is that large, raise the limit "
                f"(--max-file-size, max_file_bytes=, or ${MAX_FILE_ENV})."
            )


def _bytes_present(staging: Path, filename: str) -> int:
    for path in (staging / filename, staging / f"{filename}.part"):
        if path.is_file():
            return path.stat().st_size
    return 0


def check_room(found: Found, staging: Path) -> None:
    """Refuse a release whose listed sizes do not fit in the free space of the cache's disk."""
    needed = sum(
        max(0, file.size - _bytes_present(staging, file.path.rsplit("/", 1)[-1]))
        for file in found.entry.files
    )
    free = shutil.disk_usage(staging).free
    if needed > free:
        raise CacheWriteError(
            f"{found.name}@{found.version} needs {needed} more bytes but the cache's disk has "
            f"{free} free ({staging}); nothing was downloaded. Free space there or point "
            "SSLSCI_CACHE (--cache-dir) at a larger disk."
        )


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress]:
    """A rich download bar on stderr (hidden when ``enabled`` is false)."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )
    with bar:
        yield bar


def from_cache_offline(root: Path, ref: ModelRef) -> Path:
    """The cached version folder, or an error saying exactly what is missing."""
    versions = cached_versions(root, ref.name)
    version = ref.version or latest_version(versions)
    fix = (
        f"Pull it while online (sslsci weights pull {ref.name}"
        f"{'@' + ref.version if ref.version else ''}), or unset {OFFLINE_ENV}."
    )
    if version is None:
        raise OfflineError(
            f"offline mode: no version of {ref.name} is in the cache ({root / ref.name} "
            f"does not hold one). {fix}"
        )
    problems = cache_problems(root, ref.name, version)
    if problems:
        raise OfflineError(
            f"offline mode: {ref.name}@{version} is not usable from the cache: "
            f"{'; '.join(problems)}. Cached versions of {ref.name}: "
            f"{', '.join(versions) or 'none'}. {fix}"
        )
    return version_dir(root, ref.name, version)


def _same_files(a: VersionEntry, b: VersionEntry) -> bool:
    return {(f.path, f.sha256, f.size) for f in a.files} == {
        (f.path, f.sha256, f.size) for f in b.files
    }


def reuse_cached(root: Path, found: Found) -> bool:
    """Whether the cached copy is complete and verified (a corrupt one is deleted)."""
    folder = version_dir(root, found.name, found.version)
    if not folder.exists():
        return False
    if cache_problems(root, found.name, found.version):
        remove_tree(folder, root)
        return False
    if not _same_files(read_entry(folder, found.name, found.version), found.entry):
        raise IntegrityError(
            f"the registry's files for {found.name}@{found.version} differ from the verified "
            f"copy in {folder}; released versions are immutable, so one of them was altered. "
            "Delete that folder to accept the registry's files."
        )
    return True


def _fetch_file(
    urls: Sequence[str],
    file: IndexFile,
    part: Path,
    *,
    policy: RetryPolicy,
    session: requests.Session,
    on_bytes,
) -> None:
    """Complete ``part`` from the first mirror that delivers it."""
    failures = []
    for base in urls:
        try:
            download(
                join(base, file.path),
                part,
                file.size,
                policy=policy,
                session=session,
                on_bytes=on_bytes,
            )
            return
        except (TransferError, NotFoundError) as exc:
            failures.append(f"  - {base}: {exc}")
    raise TransferError(
        f"{file.path} could not be downloaded from any mirror:\n"
        + "\n".join(failures)
        + "\nThe partial download is kept; run the same pull again to resume it."
    )


def _verify(part: Path, file: IndexFile, found: Found) -> None:
    digest = sha256_file(part)
    if digest != file.sha256:
        part.unlink(missing_ok=True)
        raise IntegrityError(
            f"{found.name}@{found.version}: {file.path} has sha256 {digest}, but the index "
            f"lists {file.sha256}. The downloaded file was deleted and nothing was cached; "
            "the registry copy is corrupt or was tampered with. Tell the publisher."
        )


def download_release(
    urls: Sequence[str],
    found: Found,
    staging: Path,
    *,
    policy: RetryPolicy,
    progress: bool,
) -> None:
    """Fill ``staging`` with every verified file of the release."""
    staging.mkdir(parents=True, exist_ok=True)
    check_room(found, staging)
    ordered = [*urls[found.mirror :], *urls[: found.mirror]]
    session = new_session()
    with progress_bar(progress) as bar:
        for file in found.entry.files:
            filename = check_file_path(file.path, found.name, found.version, "index")
            final, part = staging / filename, staging / f"{filename}.part"
            if final.is_file() and sha256_file(final) == file.sha256:
                continue
            task = bar.add_task(f"{found.name}@{found.version} {filename}", total=file.size)
            _fetch_file(
                ordered,
                file,
                part,
                policy=policy,
                session=session,
                on_bytes=lambda n, task=task: bar.update(task, completed=n),
            )
            _verify(part, file, found)
            os.replace(part, final)
    write_entry(staging, found.name, found.version, found.entry)


def install(
    root: Path, found: Found, urls: Sequence[str], policy: RetryPolicy, progress: bool
) -> Path:
    """Download into staging, then rename into place; clean staging on a refusal or full disk."""
    staging = staging_dir(root, found.name, found.version)
    try:
        download_release(urls, found, staging, policy=policy, progress=progress)
    except (IntegrityError, UnsafeIndexError, CacheWriteError):
        remove_tree(staging, root)
        raise
    target = version_dir(root, found.name, found.version)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, target)
    remove_tree(staging, root)  # prunes the now-empty staging parents
    return target


def pull(
    ref: str | ModelRef,
    *,
    registry: str | Sequence[str] | None = None,
    cache_dir: Path | str | None = None,
    offline: bool | None = None,
    progress: bool = True,
    retry: RetryPolicy | None = None,
    max_file_bytes: int | None = None,
) -> Path:
    """Make ``NAME[@VERSION]`` available in the cache; returns its bundle folder.

    Mirrors (``registry`` or ``$SSLSCI_REGISTRY``, comma-separated) are tried in
    order. Offline (``offline=True`` or ``$SSLSCI_OFFLINE=1``) uses only the cache.
    TLS certificates are always verified; there is no switch to disable it. No
    file the index lists may exceed ``max_file_bytes`` (default
    ``$SSLSCI_MAX_FILE_BYTES`` or 16 GiB).
    """
    ref = parse_ref(ref) if isinstance(ref, str) else ref
    root = cache_root(cache_dir)
    if offline_mode(offline):
        return from_cache_offline(root, ref)
    if ref.version and not cache_problems(root, ref.name, ref.version):
        return version_dir(root, ref.name, ref.version)
    urls = registry_urls(registry)
    policy = retry or RetryPolicy()
    limit = file_limit(max_file_bytes)
    found = find_release(ref, urls, policy)
    check_sizes(found, limit)
    with file_lock(lock_path(root, found.name, found.version)):
        if reuse_cached(root, found):
            return version_dir(root, found.name, found.version)
        try:
            return install(root, found, urls, policy, progress)
        except OSError as exc:
            raise WeightsError(
                f"could not write {found.name}@{found.version} into the cache {root}: {exc}"
            ) from exc
