"""Ingest: every matched source -> plugin reader -> validation -> normalise -> store.

A source whose stat signature (size, mtime, ctime, inode) is unchanged is skipped
without reading a byte; anything else is hashed, so a file copied in with an old
modification time is still seen. A bad source is quarantined with its reason and
the batch goes on. Each source is recorded in its own manifest transaction.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sslsci.catalog import Catalog, CatalogEntry
from sslsci.labels import EntryLabeler, assign_groups, fraction_spec_hash
from sslsci.manifest import ItemRow, Manifest, SourceRow
from sslsci.registry import get_plugin
from sslsci.sources import SourceInfo, list_sources, local_copy, source_sha256
from sslsci.store import ArrayStore
from sslsci.validation import generic_problems, item_statistics, to_spec_order

log = logging.getLogger(__name__)


@dataclass
class Workspace:
    """Where an ingest writes: the manifest and the store of one workdir."""

    root: Path
    codec: str = "lz4"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.sqlite"

    def manifest(self) -> Manifest:
        return Manifest(self.manifest_path)

    def store(self) -> ArrayStore:
        return ArrayStore(self.root / "store", codec=self.codec)


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


@dataclass
class IngestReport:
    entry: str
    counts: dict[str, int]
    seconds: float
    quarantined: list[tuple[str, str]]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> str:
        data = asdict(self)
        data["quarantined"] = [{"uri": u, "reason": r} for u, r in self.quarantined]
        return json.dumps(data, indent=2)


@dataclass(frozen=True)
class SourceJob:
    """Everything a worker needs to process one source (picklable)."""

    info: SourceInfo
    plugin: str
    format: str | None
    options: dict[str, Any]
    options_hash: str
    store_root: str
    codec: str


def options_hash(entry: CatalogEntry) -> str:
    """Identifies the reading and normalising options: a change re-ingests."""
    blob = json.dumps({"format": entry.format, "options": entry.options}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def store_key(sha: str, plugin: str, version: str, opts: str, item: str) -> str:
    return hashlib.sha256(f"{sha}:{plugin}:{version}:{opts}:{item}".encode()).hexdigest()[:40]


def process_source(job: SourceJob) -> SourceResult:
    """Hash, read, validate, normalise and store one source; never raises for bad data."""
    info = job.info
    try:
        sha = source_sha256(info)
    except OSError as exc:
        return SourceResult(info.uri, None, "quarantined", f"cannot read: {exc}")
    plugin = get_plugin(job.plugin)
    store = ArrayStore(job.store_root, codec=job.codec)
    try:
        with local_copy(info) as path:
            reader = pick_reader(plugin, path, job.format)
            items, skipped = [], []
            for record in reader.read(path, **job.options):
                try:
                    items.append(_store_record(record, plugin, store, sha, job))
                except InvalidItemError as exc:
                    skipped.append(str(exc))
    except Exception as exc:  # a bad file must never stop the batch
        return SourceResult(info.uri, sha, "quarantined", _reason(exc))
    if not items:
        reason = "; ".join(skipped) or "the reader found no data in it"
        return SourceResult(info.uri, sha, "quarantined", reason)
    note = f"{len(skipped)} item(s) skipped: " + "; ".join(skipped) if skipped else None
    return SourceResult(info.uri, sha, "ok", reason=note, items=items)


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


def pick_reader(plugin, path: str, fmt: str | None):
    """The reader named by ``format``, else the first whose sniff accepts the file."""
    readers = list(plugin.readers)
    if fmt is not None:
        for reader in readers:
            if reader.name == fmt:
                return reader
        names = ", ".join(r.name for r in readers)
        raise ValueError(f"format {fmt!r} is not a {plugin.spec.name} reader; choose from {names}")
    head = _head(path)
    for reader in readers:
        if reader.sniff(path, head):
            return reader
    suffixes = sorted({s for r in readers for s in r.suffixes})
    raise ValueError(
        f"no {plugin.spec.name} reader recognises this file (readable: {', '.join(suffixes)}); "
        "set `format:` in the catalog entry if it is one of them"
    )


def _head(path: str) -> bytes:
    p = Path(path)
    if p.is_dir():
        return b""
    with open(p, "rb") as handle:
        return handle.read(4096)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, (ValueError, InvalidItemError)):
        return text
    return f"{type(exc).__name__}: {text}"


@contextmanager
def workdir_lock(root: Path) -> Iterator[None]:
    """One ingest per workdir at a time (temp files of a killed run are then safe to clean)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                f"another `sslsci ingest` is running on {root}; wait for it to finish"
            ) from None
        yield


def prune_store(workspace: Workspace) -> tuple[int, int]:
    """Delete stored items no live manifest row refers to; drop the rows of gone files.

    That is the data of files gone from their archive, and of earlier versions of
    changed files. Runs under the ingest lock so it never races a writer. Returns
    (items deleted, gone files dropped).
    """
    with workdir_lock(workspace.root):
        manifest, store = workspace.manifest(), workspace.store()
        try:
            doomed = store.keys() - manifest.live_keys()
            for key in sorted(doomed):
                store.delete(key)
            dropped = manifest.drop_gone()
        finally:
            manifest.close()
    return len(doomed), dropped


def ingest_entry(
    catalog: Catalog,
    name: str,
    workspace: Workspace,
    *,
    workers: int = 1,
    verify: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Bring the store up to date with one catalog entry's archive."""
    entry = catalog.entry(name)
    plugin = get_plugin(entry.modality)
    started = time.perf_counter()  # after the plugin import: time the ingest itself
    uri = catalog.resolve_uri(entry)
    with workdir_lock(workspace.root):
        manifest = workspace.manifest()
        store = workspace.store()
        store.clean_tmp()
        known = manifest.sources(entry.name)
        found = list_sources(uri, entry.include, entry.exclude)
        labeler = EntryLabeler.for_entry(entry, uri)
        opts = options_hash(entry)
        counts = {"new": 0, "changed": 0, "unchanged": 0, "ok": 0, "quarantined": 0, "gone": 0}
        todo = _plan(found, known, plugin.version, opts, verify, counts, manifest, entry, store)
        jobs = [
            SourceJob(
                info,
                entry.modality,
                entry.format,
                entry.options,
                opts,
                str(store.root),
                store.codec,
            )
            for info in todo
        ]
        infos = {job.info.uri: job.info for job in jobs}
        for done, result in enumerate(_run(jobs, workers), start=1):
            _record(
                result,
                infos,
                entry,
                plugin,
                opts,
                labeler,
                manifest,
                counts,
            )
            if progress:
                progress(done, len(jobs))
        present = {info.uri for info in found}
        gone = [u for u, row in known.items() if row.status != "gone" and u not in present]
        manifest.mark_gone(entry.name, gone)
        counts["gone"] = len(gone)
        warnings = empty_split_warnings(entry, deal_fraction_splits(manifest, entry))
        quarantined = manifest.quarantined(entry.name)
        totals = manifest.counts(entry.name)
        manifest.close()
    for warning in warnings:
        log.warning(warning)
    counts.update({"stored_items": totals["items"], "quarantined_total": len(quarantined)})
    return IngestReport(
        entry.name, counts, time.perf_counter() - started, quarantined, warnings
    )


def deal_fraction_splits(manifest: Manifest, entry: CatalogEntry) -> dict[str, str]:
    """Deal the entry's groups to fraction splits, keeping past deals; group -> split."""
    spec = entry.splits
    if spec is None or not spec.fraction:
        return {}
    spec_hash = fraction_spec_hash(spec)
    kept = manifest.group_splits(entry.name, spec_hash)
    assigned = assign_groups(spec, manifest.group_keys(entry.name), kept)
    if assigned != kept:
        manifest.assign_group_splits(entry.name, spec_hash, assigned)
    return assigned


def empty_split_warnings(entry: CatalogEntry, assigned: dict[str, str]) -> list[str]:
    """Whole groups are dealt to splits, so fewer groups than splits leave one empty."""
    if not assigned:
        return []
    fractions = entry.splits.fraction
    present = set(assigned.values())
    return [
        f"entry {entry.name!r}: split {split!r} (fraction {share}) received no items: "
        f"{len(assigned)} group(s) cannot fill {len(fractions)} splits. Add groups, or name "
        "the split's files by splits.regex or splits.lists."
        for split, share in fractions.items()
        if share > 0 and split not in present
    ]


def _plan(found, known, version, opts, verify, counts, manifest, entry, store) -> list[SourceInfo]:
    """Decide per source: skip by signature, skip by hash, or process."""
    todo: list[SourceInfo] = []
    keys_by_uri: dict[str, list[str]] | None = None  # read once, only if a file is hashed
    for info in found:
        prev = known.get(info.uri)
        same_config = (
            prev is not None
            and prev.status in ("ok", "quarantined")
            and prev.plugin_version == version
            and prev.options_hash == opts
        )
        if same_config and not verify and prev.signature == info.signature:
            counts["unchanged"] += 1
            continue
        if same_config and prev.sha256 is not None:
            sha = source_sha256(info)
            if keys_by_uri is None:
                keys_by_uri = _stored_keys(manifest, entry.name)
            intact = prev.status != "ok" or all(
                store.has(key) for key in keys_by_uri.get(info.uri, [])
            )
            if sha == prev.sha256 and intact:
                manifest.touch_signature(entry.name, info.uri, info.signature)
                counts["unchanged"] += 1
                continue
        counts["changed" if prev is not None and prev.status != "gone" else "new"] += 1
        todo.append(info)
    return todo


def _stored_keys(manifest: Manifest, entry: str) -> dict[str, list[str]]:
    """Store keys of each ok source of an entry, from one manifest query."""
    keys: dict[str, list[str]] = {}
    for item in manifest.items([entry]):
        keys.setdefault(item.uri, []).append(item.store_key)
    return keys


def _run(jobs: list[SourceJob], workers: int) -> Iterator[SourceResult]:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield process_source(job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(process_source, jobs, chunksize=1)


def _record(result, infos, entry, plugin, opts, labeler, manifest, counts) -> None:
    info = infos[result.uri]
    source = SourceRow(
        entry=entry.name,
        uri=result.uri,
        sha256=result.sha256,
        size=info.size,
        signature=info.signature,
        plugin=entry.modality,
        plugin_version=plugin.version,
        options_hash=opts,
        status=result.status,
        reason=result.reason,
        ingested_at=time.time(),
    )
    if result.status != "ok":
        manifest.record_quarantined(source)
        counts["quarantined"] += 1
        return
    rows = []
    for item in result.items:
        rel = info.relative if len(result.items) == 1 else f"{info.relative}#{item.item}"
        labels = labeler.labels(info.relative, item.labels)
        rows.append(
            ItemRow(
                store_key=item.key,
                entry=entry.name,
                uri=result.uri,
                item=item.item,
                sha256=result.sha256 or "",
                dims=item.dims,
                shape=item.shape,
                label=labeler.target(labels),
                group_key=labeler.group(labels, rel),
                labels=labels,
                split=labeler.split(info.relative, labels),
                stats=item.stats,
                attrs=item.attrs,
            )
        )
    manifest.record_ok(source, rows)
    counts["ok"] += 1
