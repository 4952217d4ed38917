"""Checks on a parsed catalog that need the installed plugins and the archives."""

from __future__ import annotations

import fsspec

from sslsci.catalog import Catalog, CatalogEntry
from sslsci.plugins.contract import PluginError
from sslsci.plugins.discovery import get_plugin, plugin_names


def check_catalog(catalog: Catalog) -> list[str]:
    """Every problem with every entry, each naming the file, entry, field and fix."""
    problems: list[str] = []
    for entry in catalog.entries:
        problems.extend(
            f"{catalog.path}: entry {entry.name!r}: {p}" for p in _entry(catalog, entry)
        )
    return problems


def _entry(catalog: Catalog, entry: CatalogEntry) -> list[str]:
    try:
        plugin = get_plugin(entry.modality)
    except PluginError:
        known = ", ".join(plugin_names()) or "none"
        return [f"field 'modality', value {entry.modality!r}: no such plugin; installed: {known}"]
    problems = []
    readers = [r.name for r in plugin.readers]
    if entry.format is not None and entry.format not in readers:
        problems.append(
            f"field 'format', value {entry.format!r}: not a {entry.modality} reader; "
            f"accepted: {', '.join(readers)}"
        )
    uri = catalog.resolve_uri(entry)
    fs, root = fsspec.core.url_to_fs(uri)
    if not fs.exists(root):
        problems.append(f"field 'uri', value {entry.uri!r}: {uri} does not exist")
        return problems
    if entry.labels and entry.labels.sidecar:
        sidecar = root.rstrip("/") + "/" + entry.labels.sidecar
        if not fs.exists(sidecar):
            problems.append(
                f"field 'labels.sidecar', value {entry.labels.sidecar!r}: {sidecar} does not exist"
            )
    if entry.splits and entry.splits.lists:
        for split, name in entry.splits.lists.items():
            if not fs.exists(root.rstrip("/") + "/" + name):
                problems.append(f"field 'splits.lists.{split}', value {name!r}: file not found")
    return problems
