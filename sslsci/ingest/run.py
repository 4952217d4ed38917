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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field

from sslsci.catalog import Catalog
from sslsci.catalog.check import check_entry_options
from sslsci.catalog.labels import EntryLabeler
from sslsci.ingest.archive import list_sources
from sslsci.ingest.group_splits import deal_fraction_splits, empty_split_warnings
from sslsci.ingest.plan import plan_sources
from sslsci.ingest.process import SourceJob, SourceResult, options_hash, process_source
from sslsci.plugins.discovery import get_plugin
from sslsci.store import ItemRow, SourceRow, Workspace, workdir_lock

log = logging.getLogger(__name__)


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
    check_entry_options(catalog, entry, plugin)  # a misspelt option fails before any work
    values = plugin.option_values(entry.options)
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
                store,
                counts,
            )
            if progress:
                progress(done, len(jobs))
        present = {info.uri for info in found}
        gone = [u for u, row in known.items() if row.status != "gone" and u not in present]
        manifest.mark_gone(entry.name, gone)
        counts["gone"] = len(gone)
        warnings = labeler.group_warnings() + empty_split_warnings(
            entry, deal_fraction_splits(manifest, entry)
        )
        quarantined = manifest.quarantined(entry.name)
        totals = manifest.counts(entry.name)
        manifest.close()
    for warning in warnings:
        log.warning(warning)
    counts.update({"stored_items": totals["items"], "quarantined_total": len(quarantined)})
    return IngestReport(entry.name, counts, time.perf_counter() - started, quarantined, warnings)


def _run(jobs: list[SourceJob], workers: int) -> Iterator[SourceResult]:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield process_source(job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
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
        manifest.record_ok(source, rows)
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
