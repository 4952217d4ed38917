"""Demo archives: each plugin writes its own synthetic archive where a pipeline needs it."""

from __future__ import annotations

from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem

from sslsci.catalog import load_catalog
from sslsci.plugins.discovery import get_plugin
from sslsci.train.pipeline import load_pipeline


def write_missing_demo_archives(pipeline_path: str | Path, seed: int = 0) -> list[Path]:
    """For every ``demo: true`` catalog entry the pipeline uses whose local archive is
    missing or empty, write its plugin's demo archive there; returns the folders written.
    Entries of real data are never written to, even when their folder is missing."""
    pipeline = load_pipeline(pipeline_path)
    catalog = load_catalog(pipeline.catalog_path())
    names = dict.fromkeys(
        [*pipeline.data.entries, *(e.entry for e in pipeline.evaluate)]
        + ([pipeline.online_probe.entry] if pipeline.online_probe else [])
    )
    written = []
    for name in names:
        entry = catalog.entry(name)
        if not entry.demo:
            continue
        uri = catalog.resolve_uri(entry)
        fs, root = fsspec.core.url_to_fs(uri)
        if fs.exists(root) and fs.ls(root):
            continue
        plugin = get_plugin(entry.modality)
        if not plugin.has_demo_archive or not isinstance(fs, LocalFileSystem):
            continue  # ingest then reports the missing archive with the entry's name
        plugin.demo_archive(Path(root), seed)
        written.append(Path(root))
    return written
