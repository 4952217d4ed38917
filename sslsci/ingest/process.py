"""One source -> hash -> plugin reader -> validation -> normalise -> store, in a worker.

Never raises for bad data: a bad source comes back quarantined with a reason a
person can act on, so one file never stops the batch.
"""

from __future__ import annotations

import errno
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sslsci.catalog import CatalogEntry
from sslsci.data.statistics import item_statistics
from sslsci.ingest.archive import SourceInfo, local_copy, source_sha256
from sslsci.ingest.checks import generic_problems, to_spec_order
from sslsci.plugins.discovery import get_plugin
from sslsci.plugins.reader_choice import pick_reader
from sslsci.store import ArrayStore
from sslsci.store.remote import is_url


@dataclass
class ItemResult:
    item: str
    key: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    labels: dict[str, str]
    stats: dict[str, Any]
    attrs: dict[str, Any]


@dataclass
class SourceResult:
    """What processing one source produced, sent back from a worker."""

    uri: str
    sha256: str | None
    status: str
    reason: str | None = None
    items: list[ItemResult] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, reason) left out


@dataclass(frozen=True)
class SourceJob:
    """Everything a worker needs to process one source (picklable); ``options`` are the
    entry's options as checked by the plugin, defaults filled in."""

    info: SourceInfo
    plugin: str
    format: str | None
    options: dict[str, Any]
    options_hash: str
    store_root: str
    codec: str
    storage_options: dict[str, Any] | None = None  # for a remote store (fsspec)


def options_hash(entry: CatalogEntry) -> str:
    """Identifies the reading and normalising options: a change re-ingests."""
    blob = json.dumps({"format": entry.format, "options": entry.options}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def store_key(sha: str, plugin: str, version: str, opts: str, item: str) -> str:
    return hashlib.sha256(f"{sha}:{plugin}:{version}:{opts}:{item}".encode()).hexdigest()[:40]


def process_source(job: SourceJob) -> SourceResult:
    """Hash, read, validate, normalise and store one source; never raises for bad data."""
    info = job.info
    if info.problem:
        return SourceResult(info.uri, None, "quarantined", info.problem)
    try:
        sha = source_sha256(info)
    except OSError as exc:
        return SourceResult(info.uri, None, "quarantined", f"cannot read: {exc}")
    except MemoryError as exc:  # hashing reads by blocks: the whole process is short
        return SourceResult(info.uri, None, "quarantined", _reason(exc))
    plugin = get_plugin(job.plugin)
    store = _store(job)
    try:
        with local_copy(info) as path:
            reader = pick_reader(plugin, path, job.format)
            items, skipped = [], []
            for record in reader.read(path, **job.options):
                try:
                    items.append(_store_record(record, plugin, store, sha, job))
                except InvalidItemError as exc:
                    skipped.append((record.item, str(exc)))
    except Exception as exc:  # a bad file must never stop the batch
        return SourceResult(info.uri, sha, "quarantined", _reason(exc))
    reasons = [reason for _, reason in skipped]
    if not items:
        reason = "; ".join(reasons) or "the reader found no data in it"
        return SourceResult(info.uri, sha, "quarantined", reason)
    note = f"{len(skipped)} item(s) skipped: " + "; ".join(reasons) if skipped else None
    return SourceResult(info.uri, sha, "ok", reason=note, items=items, skipped=skipped)


def _store(job: SourceJob) -> ArrayStore:
    if is_url(job.store_root):
        from sslsci.store.remote_arrays import RemoteArrayStore

        return RemoteArrayStore(job.store_root, job.codec, storage_options=job.storage_options)
    return ArrayStore(job.store_root, codec=job.codec)


class InvalidItemError(ValueError):
    """An item read fine but failed validation."""


def _store_record(record, plugin, store: ArrayStore, sha: str, job: SourceJob) -> ItemResult:
    problems = generic_problems(record.array, plugin.spec)
    problems += list(plugin.validate(record.array, **job.options))
    if problems:
        where = f"item {record.item}: " if record.item not in ("", "0") else ""
        raise InvalidItemError(where + "; ".join(problems))
    array = to_spec_order(plugin.normalize(record.array, **job.options), plugin.spec)
    problems = generic_problems(array, plugin.spec)
    if problems:
        raise InvalidItemError(f"after normalisation: {'; '.join(problems)}")
    key = store_key(sha, job.plugin, plugin.version, job.options_hash, record.item)
    attrs = dict(array.attrs)
    channel_dim = plugin.spec.dims[0]
    if channel_dim in array.coords:
        attrs["channel_names"] = [str(c) for c in array.coords[channel_dim].values]
    store.put(key, array, plugin.spec.window_dims, attrs=attrs)
    return ItemResult(
        item=record.item,
        key=key,
        dims=tuple(str(d) for d in array.dims),
        shape=tuple(int(n) for n in array.shape),
        labels=dict(record.labels),
        stats=item_statistics(array),
        attrs={k: v for k, v in attrs.items() if k != "channel_names"},
    )


def _reason(exc: BaseException) -> str:
    if (cause := _out_of_memory(exc)) is not None:
        detail = str(cause).strip()
        return (
            "ran out of memory while reading it"
            + (f" ({detail})" if detail else "")
            + "; the file needs more memory than this ingest could get: check that the "
            "sizes it declares are plausible, or ingest it with fewer --workers or on a "
            "machine with more free memory"
        )
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, (ValueError, InvalidItemError)):
        return text
    return f"{type(exc).__name__}: {text}"


def _out_of_memory(exc: BaseException) -> BaseException | None:
    """The MemoryError or ENOMEM OSError behind ``exc`` (a reader may wrap it in a message
    that blames the file), or None."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None
