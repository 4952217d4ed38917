"""The registry index (``index.json``): every model, its versions, files and card summary.

The index is untrusted input: it is size-bounded, schema-validated, and every
file path in it must be exactly ``<modality>/<model>/<version>/<file>`` with a
plain file name of an allowed type, so nothing it names can escape the cache or
be a pickle.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, ValidationError

from sslsci.bundle.card import headline_results
from sslsci.bundle.filetypes import is_pickle_name, pickle_refusal
from sslsci.bundle.jsondoc import NestingError, load_json
from sslsci.bundle.schema import (
    MAX_METADATA_BYTES,
    METADATA_FILE,
    SHA256_PATTERN,
    BundleMetadata,
    Lineage,
    describe_validation,
)
from sslsci.weights.errors import InvalidNameError, UnsafeIndexError
from sslsci.weights.names import check_name, check_version

SCHEMA_VERSION = 1
INDEX_FILE = "index.json"
MAX_INDEX_BYTES = 4 * 1024 * 1024
MAX_CARD_BYTES = 4 * 1024 * 1024
ALLOWED_SUFFIXES = (".safetensors", ".json", ".md")
BOUNDED_SUFFIXES = {".json": MAX_METADATA_BYTES, ".md": MAX_CARD_BYTES}
FILE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
REQUIRED_FILES = (METADATA_FILE,)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IndexFile(_Strict):
    """One released file: where it lies under the registry base, its sha256 and size."""

    path: str
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: NonNegativeInt


class CardSummary(_Strict):
    """What ``list`` shows without downloading the card."""

    modality: str
    dims: list[str]
    channels: list[str] | None
    backbone: str
    num_features: int
    method: str
    data_manifest_sha256: str
    results: dict[str, float] = Field(default_factory=dict)


class VersionEntry(_Strict):
    created: datetime
    published: datetime
    sslsci_version: str
    files: list[IndexFile] = Field(min_length=1)
    card: CardSummary
    lineage: Lineage | None = None  # parent, data added, metric deltas (continual releases)


class ModelEntry(_Strict):
    versions: dict[str, VersionEntry] = Field(default_factory=dict)


class RegistryIndex(_Strict):
    schema_version: int
    updated: datetime | None = None
    models: dict[str, ModelEntry] = Field(default_factory=dict)


def check_file_path(path: str, name: str, version: str, where: str) -> str:
    """The plain file name of ``path``, which must be ``<name>/<version>/<file>``."""
    problem = None
    parts = path.split("/")
    if "\\" in path:
        problem = "holds a backslash"
    elif path.startswith("/") or re.match(r"[A-Za-z]:", path) or "://" in path:
        problem = "is absolute"
    elif any(part in ("", ".", "..") for part in parts):
        problem = "has an empty, '.' or '..' component"
    elif path != f"{name}/{version}/{parts[-1]}":
        problem = f"is not laid out as {name}/{version}/<file>"
    elif not FILE_NAME_RE.fullmatch(parts[-1]):
        problem = "has a file name outside A-Z a-z 0-9 . _ -"
    if problem:
        raise UnsafeIndexError(
            f"{where}: file path {path!r} of {name}@{version} {problem}; refusing the index "
            "because such a path could escape the cache. Fix the registry's index.json."
        )
    filename = parts[-1]
    if is_pickle_name(filename):
        raise UnsafeIndexError(pickle_refusal(filename, f"{where} ({name}@{version})"))
    if PurePosixPath(filename).suffix not in ALLOWED_SUFFIXES:
        raise UnsafeIndexError(
            f"{where}: file {path!r} of {name}@{version} is not one of the allowed types "
            f"{ALLOWED_SUFFIXES}; a release holds only safetensors weights, JSON and markdown."
        )
    return filename


def check_version_entry(name: str, version: str, entry: VersionEntry, where: str) -> None:
    """Names, versions and file paths of one entry are safe; cards are size-bounded."""
    try:
        check_name(name)
        check_version(version)
    except InvalidNameError as exc:
        raise UnsafeIndexError(f"{where}: {exc}") from None
    seen: set[str] = set()
    for file in entry.files:
        filename = check_file_path(file.path, name, version, where)
        if filename in seen:
            raise UnsafeIndexError(f"{where}: {name}@{version} lists {filename!r} twice")
        seen.add(filename)
        bound = BOUNDED_SUFFIXES.get(PurePosixPath(filename).suffix)
        if bound is not None and file.size > bound:
            raise UnsafeIndexError(
                f"{where}: {file.path} is listed at {file.size} bytes, over the "
                f"{bound}-byte bound for {filename}"
            )
    missing = [f for f in REQUIRED_FILES if f not in seen]
    if missing or not any(f.endswith(".safetensors") for f in seen):
        raise UnsafeIndexError(
            f"{where}: {name}@{version} lacks {missing or 'a .safetensors weights file'}; "
            "a release needs sslsci.json and its safetensors weights"
        )


def parse_index(raw: bytes, where: str) -> RegistryIndex:
    """Validate index bytes read from ``where``: size, JSON, schema version, layout."""
    if len(raw) > MAX_INDEX_BYTES:
        raise UnsafeIndexError(
            f"{where} is over the {MAX_INDEX_BYTES}-byte bound for a registry index; refusing "
            "to read it. Point at a registry whose index.json sslsci wrote."
        )
    try:
        document = load_json(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnsafeIndexError(f"{where} is not valid JSON: {exc}") from None
    except NestingError as exc:
        raise UnsafeIndexError(
            f"{where} {exc}; it is not an index sslsci wrote. Fix the registry's index.json."
        ) from None
    if not isinstance(document, dict) or "schema_version" not in document:
        raise UnsafeIndexError(f"{where} has no 'schema_version'; it is not an sslsci index")
    if document["schema_version"] != SCHEMA_VERSION:
        raise UnsafeIndexError(
            f"{where}: field 'schema_version' is {document['schema_version']!r}, but this "
            f"sslsci reads index schema {SCHEMA_VERSION}; upgrade sslsci."
        )
    try:
        index = RegistryIndex.model_validate(document)
    except ValidationError as exc:
        raise UnsafeIndexError(
            f"{where} does not follow the index schema:\n{describe_validation(exc)}"
        ) from None
    for name, model in index.models.items():
        for version, entry in model.versions.items():
            check_version_entry(name, version, entry, where)
    return index


def serialize_index(index: RegistryIndex) -> bytes:
    """Stable pretty JSON for the index."""
    return (json.dumps(index.model_dump(mode="json"), indent=2, sort_keys=True) + "\n").encode()


def card_summary(meta: BundleMetadata) -> CardSummary:
    """The index's card summary of a bundle."""
    return CardSummary(
        modality=meta.modality.name,
        dims=meta.modality.dims,
        channels=meta.input.channels,
        backbone=meta.backbone.name,
        num_features=meta.backbone.num_features,
        method=meta.method.name,
        data_manifest_sha256=meta.data.manifest_sha256,
        results=headline_results(meta.evaluation),
    )


def entry_document(name: str, version: str, entry: VersionEntry) -> dict[str, Any]:
    """What a cache keeps beside a pulled version (so offline use can re-verify it)."""
    return {"name": name, "version": version, "entry": entry.model_dump(mode="json")}
