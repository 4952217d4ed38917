"""Ingest: every matched source -> plugin reader -> validation -> normalise -> store.

A source whose stat signature (size, mtime, ctime, inode) is unchanged is skipped
without reading a byte; anything else is hashed, so a file copied in with an old
modification time is still seen. A bad source is quarantined with its reason and
the batch goes on. Each source is recorded in its own manifest transaction.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from functools import partial

from sslsci.catalog import Catalog
from sslsci.catalog.check import check_entry_options
from sslsci.catalog.labels import EntryLabeler
from sslsci.ingest.archive import list_sources
from sslsci.ingest.gone import looks_unreachable, unreachable_warning
from sslsci.ingest.group_splits import deal_fraction_splits, empty_split_warnings
from sslsci.ingest.plan import plan_sources
from sslsci.ingest.process import SourceJob, SourceResult, options_hash, process_source
from sslsci.ingest.stored_summary import stored_summary
from sslsci.ingest.workers import worker_pool
from sslsci.plugins.discovery import get_plugin
from sslsci.store import ItemRow, SourceRow, Workspace, workdir_lock

log = logging.getLogger(__name__)

# fan_out(jobs, record): process the jobs elsewhere, call record(result) here for each.
FanOut = Callable[[list[SourceJob], Callable[[SourceResult], None]], None]


@dataclass
class IngestReport:
    entry: str
    counts: dict[str, int]
    seconds: float
    quarantined: list[tuple[str, str]]
    warnings: list[str] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)  # lengths and sampling in the store
    left_out: list[tuple[str, str, str]] = field(default_factory=list)  # (uri, item, reason)

    def as_json(self) -> str:
        data = asdict(self)
        data["quarantined"] = [{"uri": u, "reason": r} for u, r in self.quarantined]
        data["left_out"] = [{"uri": u, "item": i, "reason": r} for u, i, r in self.left_out]
        return json.dumps(data, indent=2)


def ingest_entry(
    catalog: Catalog,
    name: str,
    workspace: Workspace,
    *,
    workers: int = 1,
    verify: bool = False,
    accept_gone: bool = False,
    progress: Callable[[int, int], None] | None = None,
    fan_out: FanOut | None = None,
) -> IngestReport:
    """Bring the store up to date with one catalog entry's archive; ``accept_gone``
    confirms that most of its files vanishing at once are deletions (see ``gone``).
    ``fan_out(jobs, record)`` processes the sources elsewhere (a Dask cluster) and calls
    ``record`` here for each result; by default ``workers`` local processes do."""
    entry = catalog.entry(name)
    plugin = get_plugin(entry.modality)
    check_entry_options(catalog, entry, plugin)  # a misspelt option fails before any work
    values = plugin.option_values(entry.options)
    started = time.perf_counter()  # after the plugin import: time the ingest itself
    uri = catalog.resolve_uri(entry)
    # closing: a remote workdir's manifest uploads what was recorded even if this fails
    with workdir_lock(workspace.root), closing(workspace.manifest()) as manifest:
        store = workspace.store()
        store.clean_tmp()
        known = manifest.sources(entry.name)
        found = list_sources(uri, entry.include, entry.exclude)
        labeler = EntryLabeler.for_entry(entry, uri)
        opts = options_hash(entry)
        counts = {"new": 0, "changed": 0, "unchanged": 0, "ok": 0, "quarantined": 0, "gone": 0}
        todo = plan_sources(
            found, known, plugin.version, opts, verify, counts, manifest, entry, store
        )
        jobs = [
            SourceJob(
                info,
                entry.modality,
                entry.format,
                values,
                opts,
                str(store.root),
                store.codec,
                workspace.storage_options or None,
            )
            for info in todo
        ]
        infos = {job.info.uri: job.info for job in jobs}
        record = _Recorder(
            partial(
                _record,
                infos=infos,
                entry=entry,
                plugin=plugin,
                opts=opts,
                labeler=labeler,
                manifest=manifest,
                store=store,
                counts=counts,
            ),
            len(jobs),
            progress,
        )
        if fan_out is not None and jobs:
            fan_out(jobs, record)
        else:
            for result in _run(jobs, workers):
                record(result)
        gone, warnings = _gone_sources(uri, found, known, accept_gone)
        manifest.mark_gone(entry.name, gone)
        counts["gone"] = len(gone)
        warnings += labeler.group_warnings() + empty_split_warnings(
            entry, deal_fraction_splits(manifest, entry)
        )
        quarantined = manifest.quarantined(entry.name)
        left_out = manifest.skipped(entry.name)
        totals = manifest.counts(entry.name)
        stored = stored_summary(manifest.items([entry.name]), plugin.spec)
    for warning in warnings:
        log.warning(warning)
    counts.update(
        {
            "stored_items": totals["items"],
            "quarantined_total": len(quarantined),
            "left_out_items": len(left_out),
        }
    )
    seconds = time.perf_counter() - started
    return IngestReport(
        entry.name, counts, seconds, quarantined, warnings, stored=stored, left_out=left_out
    )


def _gone_sources(uri, found, known, accept_gone: bool) -> tuple[list[str], list[str]]:
    """Known sources missing from the listing, unless so many vanished at once that the
    archive looks unreachable (then none, and a warning saying so)."""
    present = {info.uri for info in found}
    live = [u for u, row in known.items() if row.status != "gone"]
    missing = [u for u in live if u not in present]
    if accept_gone or not looks_unreachable(len(missing), len(live)):
        return missing, []
    return [], [unreachable_warning(str(uri), len(found), len(missing), len(live))]


class _Recorder:
    """Writes each result's manifest rows in this process (the manifest's one writer)."""

    def __init__(self, write: Callable[[SourceResult], None], total: int, progress) -> None:
        self.write, self.total, self.progress, self.done = write, total, progress, 0

    def __call__(self, result: SourceResult) -> None:
        self.write(result)
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


def _run(jobs: list[SourceJob], workers: int) -> Iterator[SourceResult]:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield process_source(job)
        return
    with worker_pool(workers) as pool:
        yield from pool.map(process_source, jobs, chunksize=1)


def _record(result, infos, entry, plugin, opts, labeler, manifest, store, counts) -> None:
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
    try:
        manifest.record_ok(source, rows, result.skipped)
    except BaseException:
        _drop_unrecorded(manifest, store, [row.store_key for row in rows])
        raise
    counts["ok"] += 1


def _drop_unrecorded(manifest, store, keys: list[str]) -> None:
    """The worker stored these items but their manifest rows never landed: delete the
    ones no other row refers to, so the store never holds data the manifest lacks."""
    live = manifest.live_keys()
    for key in keys:
        if key not in live:
            store.delete(key)
