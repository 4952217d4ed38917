"""Checks on a parsed catalog that need the installed plugins and the archives.

Every problem names the file, the line, the entry, the field and what is accepted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import fsspec

from sslsci.catalog.model import Catalog, CatalogEntry, CatalogError, archive_file
from sslsci.catalog.yaml_lines import located
from sslsci.plugins.contract import PluginError
from sslsci.plugins.discovery import get_plugin, plugin_names
from sslsci.plugins.kit import Plugin
from sslsci.plugins.options import OptionsError


def check_catalog(catalog: Catalog) -> list[str]:
    """Every problem with every entry."""
    problems: list[str] = []
    for entry in catalog.entries:
        problems.extend(_entry(catalog, entry))
    return problems


def workdir_problems(catalog: Catalog, override: str | Path | None = None) -> list[str]:
    """The store folder (``--workdir``, else the catalog's) must be a folder ingest can
    write, or creatable in one."""
    workdir = catalog.resolve_workdir(override)
    if isinstance(workdir, str):  # a URL: object storage, reached only when ingest runs
        return []
    where = "--workdir" if override is not None else f"{catalog.path}: workdir"
    if workdir.exists() and not workdir.is_dir():
        return [f"{where} {workdir} is not a folder; name a folder for the store"]
    existing = workdir
    while not existing.exists():
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        return [f"{where} {workdir}: {existing} is not writable; name a folder you can write"]
    return []


def _at(catalog: Catalog, entry: CatalogEntry, field: list[Any], message: str) -> str:
    """One problem, placed at the line of ``field`` inside the entry; ``message`` starts
    with ``value ...`` or says what is wrong with the field itself."""
    where = located(catalog.path, ["entries", catalog.entries.index(entry), *field])
    name = ".".join(str(part) for part in field)
    joint = ", " if message.startswith("value ") else ": "
    return f"{where}: entry {entry.name!r}: field {name!r}{joint}{message}"


def options_problems(catalog: Catalog, entry: CatalogEntry, plugin: Plugin) -> list[str]:
    """The entry's ``options`` against the plugin's options model."""
    try:
        plugin.parse_options(entry.options)
    except OptionsError as exc:
        return [_at(catalog, entry, ["options", *p.loc], p.message) for p in exc.problems]
    return []


def check_entry_options(catalog: Catalog, entry: CatalogEntry, plugin: Plugin) -> None:
    """Raise a ``CatalogError`` for options the plugin refuses (ingest calls this first)."""
    problems = options_problems(catalog, entry, plugin)
    if problems:
        raise CatalogError(f"invalid {plugin.name} options:\n  " + "\n  ".join(problems))


def _entry(catalog: Catalog, entry: CatalogEntry) -> list[str]:
    try:
        plugin = get_plugin(entry.modality)
    except PluginError:
        known = ", ".join(plugin_names()) or "none"
        return [
            _at(
                catalog,
                entry,
                ["modality"],
                f"value {entry.modality!r}: no such plugin; installed: {known}",
            )
        ]
    problems = options_problems(catalog, entry, plugin)
    readers = [r.name for r in plugin.readers]
    if entry.format is not None and entry.format not in readers:
        problems.append(
            _at(
                catalog,
                entry,
                ["format"],
                f"value {entry.format!r}: not a {entry.modality} "
                f"reader; accepted: {', '.join(readers)}",
            )
        )
    return problems + _archive_problems(catalog, entry)


def demo_notes(catalog: Catalog) -> list[str]:
    """Demo entries whose synthetic archive is not written yet: a note, not a problem."""
    return [
        f"entry {entry.name!r}: demo archive {catalog.resolve_uri(entry)} is not written yet; "
        "`sslsci demo --pipeline <its pipeline>` writes it"
        for entry in catalog.entries
        if entry.demo and not _exists(catalog.resolve_uri(entry))
    ]


def _exists(uri: str) -> bool:
    fs, root = fsspec.core.url_to_fs(uri)
    return bool(fs.exists(root))


def _archive_problems(catalog: Catalog, entry: CatalogEntry) -> list[str]:
    """The archive and the label and split files it names must exist (a demo entry's
    archive may be missing until `sslsci demo` writes it; see ``demo_notes``)."""
    uri = catalog.resolve_uri(entry)
    fs, root = fsspec.core.url_to_fs(uri)
    if not fs.exists(root):
        if entry.demo:
            return []
        return [_at(catalog, entry, ["uri"], f"value {entry.uri!r}: {uri} does not exist")]
    problems = []
    if entry.labels and entry.labels.sidecar:
        sidecar = archive_file(uri, entry.labels.sidecar)
        if not _exists(sidecar):
            problems.append(
                _at(
                    catalog,
                    entry,
                    ["labels", "sidecar"],
                    f"value {entry.labels.sidecar!r}: {sidecar} does not exist",
                )
            )
    if entry.splits and entry.splits.lists:
        for split, name in entry.splits.lists.items():
            if not _exists(archive_file(uri, name)):
                problems.append(
                    _at(
                        catalog,
                        entry,
                        ["splits", "lists", split],
                        f"value {name!r}: file not found",
                    )
                )
    return problems
