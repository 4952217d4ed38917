"""Publish a bundle to a registry: upload its files, then replace the index atomically.

Released versions are immutable: a version already in the index is refused. On a
local registry (a folder or ``file://``) the whole read-modify-write runs under an
exclusive lock, so concurrent publishers each land in the index. Object stores
(``s3://`` ...) have no lock: the index is re-read just before it is replaced and
checked afterwards, which catches but cannot prevent a lost update.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import fsspec

from sslsci.bundle.atomic import replace_atomically, write_bytes_atomic
from sslsci.bundle.card import render_card
from sslsci.bundle.hashing import sha256_file
from sslsci.bundle.load import verified_file
from sslsci.bundle.schema import CARD_FILE, METADATA_FILE, BundleMetadata, read_metadata
from sslsci.weights.errors import PublishError
from sslsci.weights.index import (
    INDEX_FILE,
    MAX_INDEX_BYTES,
    SCHEMA_VERSION,
    IndexFile,
    ModelEntry,
    RegistryIndex,
    VersionEntry,
    card_summary,
    parse_index,
    serialize_index,
)
from sslsci.weights.locations import is_http, local_dir
from sslsci.weights.lock import file_lock
from sslsci.weights.names import check_name, check_version

LOCK_FILE = ".index.lock"
OPTIONAL_FILES = ("report.json", "report.md")


@dataclass(frozen=True)
class Upload:
    """One file of a release: from a local path, or bytes rendered for the release."""

    filename: str
    source: Path | None = None
    content: bytes | None = None

    def sha256_and_size(self) -> tuple[str, int]:
        if self.content is not None:
            return hashlib.sha256(self.content).hexdigest(), len(self.content)
        return sha256_file(self.source), self.source.stat().st_size


def release_files(bundle: Path, meta: BundleMetadata, reference: str) -> list[Upload]:
    """Weights (verified), metadata, a card naming the release, and any evaluation report."""
    uploads = [Upload(meta.files.weights.path, verified_file(bundle, meta.files.weights))]
    if meta.files.heads is not None:
        uploads.append(Upload(meta.files.heads.path, verified_file(bundle, meta.files.heads)))
    uploads.append(Upload(METADATA_FILE, bundle / METADATA_FILE))
    card = render_card(meta, reference=reference).encode("utf-8")
    uploads.append(Upload(CARD_FILE, content=card))
    uploads += [Upload(name, bundle / name) for name in OPTIONAL_FILES if (bundle / name).is_file()]
    return uploads


def version_entry(
    name: str, version: str, meta: BundleMetadata, uploads: list[Upload]
) -> VersionEntry:
    files = []
    for upload in uploads:
        sha256, size = upload.sha256_and_size()
        files.append(
            IndexFile(path=f"{name}/{version}/{upload.filename}", sha256=sha256, size=size)
        )
    return VersionEntry(
        created=meta.created,
        published=datetime.now(UTC),
        sslsci_version=meta.sslsci_version,
        files=files,
        card=card_summary(meta),
        lineage=meta.lineage,
    )


def refuse_existing(index: RegistryIndex, name: str, version: str, registry: str) -> None:
    model = index.models.get(name)
    if model is not None and version in model.versions:
        raise PublishError(
            f"{name}@{version} is already published in {registry}; released versions are "
            "immutable. Publish under a new version number."
        )


def with_version(
    index: RegistryIndex, name: str, version: str, entry: VersionEntry
) -> RegistryIndex:
    models = dict(index.models)
    versions = dict(models.get(name, ModelEntry()).versions)
    versions[version] = entry
    models[name] = ModelEntry(versions=versions)
    return RegistryIndex(schema_version=SCHEMA_VERSION, updated=datetime.now(UTC), models=models)


def read_local_index(folder: Path) -> RegistryIndex:
    path = folder / INDEX_FILE
    if not path.exists():
        return RegistryIndex(schema_version=SCHEMA_VERSION)
    if path.stat().st_size > MAX_INDEX_BYTES:
        raise PublishError(f"{path} is over the {MAX_INDEX_BYTES}-byte bound; fix it first")
    return parse_index(path.read_bytes(), str(path))


def _copy_into(upload: Upload, target: Path) -> None:
    if upload.content is not None:
        write_bytes_atomic(target, upload.content)
    else:
        replace_atomically(target, lambda tmp: shutil.copyfile(upload.source, tmp))


def publish_local(
    folder: Path, name: str, version: str, meta: BundleMetadata, uploads: list[Upload]
) -> VersionEntry:
    """Upload and update the index of a folder registry; the caller holds the lock."""
    index = read_local_index(folder)
    refuse_existing(index, name, version, str(folder))
    destination = folder / name / version
    if destination.exists():  # left by a publish that died before the index was written
        shutil.rmtree(destination)
    for upload in uploads:
        _copy_into(upload, destination / upload.filename)
    written = [Upload(u.filename, destination / u.filename) for u in uploads]
    entry = version_entry(name, version, meta, written)
    write_bytes_atomic(
        folder / INDEX_FILE, serialize_index(with_version(index, name, version, entry))
    )
    return entry


def _read_remote_index(fs, path: str, where: str) -> RegistryIndex:
    if not fs.exists(path):
        return RegistryIndex(schema_version=SCHEMA_VERSION)
    with fs.open(path, "rb") as handle:
        return parse_index(handle.read(MAX_INDEX_BYTES + 1), where)


def publish_fsspec(
    registry: str, name: str, version: str, meta: BundleMetadata, uploads: list[Upload]
) -> VersionEntry:
    """Upload and update the index of an fsspec registry (no lock; checked afterwards)."""
    fs, base = fsspec.core.url_to_fs(registry)
    base = base.rstrip("/")
    index_path, where = f"{base}/{INDEX_FILE}", f"{registry.rstrip('/')}/{INDEX_FILE}"
    refuse_existing(_read_remote_index(fs, index_path, where), name, version, registry)
    fs.makedirs(f"{base}/{name}/{version}", exist_ok=True)
    for upload in uploads:
        target = f"{base}/{name}/{version}/{upload.filename}"
        if upload.content is not None:
            fs.pipe_file(target, upload.content)
        else:
            fs.put_file(str(upload.source), target)
    entry = version_entry(name, version, meta, uploads)
    index = _read_remote_index(fs, index_path, where)
    refuse_existing(index, name, version, registry)
    temporary = f"{base}/.{INDEX_FILE}.{datetime.now(UTC):%Y%m%dT%H%M%S%f}.tmp"
    fs.pipe_file(temporary, serialize_index(with_version(index, name, version, entry)))
    fs.mv(temporary, index_path)
    if (
        version
        not in _read_remote_index(fs, index_path, where).models.get(name, ModelEntry()).versions
    ):
        raise PublishError(
            f"a concurrent publish replaced {where} after {name}@{version} was added; publish "
            "it again (object stores have no lock)"
        )
    return entry


def publish(
    bundle: Path | str, registry: str, name: str, version: str, *, lock_timeout: float = 300.0
) -> VersionEntry:
    """Release ``bundle`` as ``name@version`` in ``registry``; returns its index entry."""
    check_name(name)
    check_version(version)
    bundle = Path(bundle)
    if not (bundle / METADATA_FILE).is_file():
        raise PublishError(
            f"{bundle} has no {METADATA_FILE}; publish the bundle folder write_bundle wrote "
            "(not a Hugging Face export)"
        )
    if is_http(registry):
        raise PublishError(
            f"{registry} is an http(s) registry, which is read-only; publish to the storage "
            "behind it (a folder, file://, s3://, ...) and serve that over http"
        )
    meta = read_metadata(bundle)
    modality = name.split("/")[0]
    if modality != meta.plugin.name:
        raise PublishError(
            f"name {name!r} starts with {modality!r}, but the bundle was trained with plugin "
            f"{meta.plugin.name!r}; name it '{meta.plugin.name}/{name.split('/')[1]}'"
        )
    uploads = release_files(bundle, meta, reference=f"{name}@{version}")
    folder = local_dir(registry)
    if folder is None:
        return publish_fsspec(registry, name, version, meta, uploads)
    folder.mkdir(parents=True, exist_ok=True)
    with file_lock(folder / LOCK_FILE, timeout=lock_timeout):
        return publish_local(folder, name, version, meta, uploads)
