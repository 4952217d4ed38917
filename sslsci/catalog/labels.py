"""Labels, groups and splits of the items of one catalog entry: from the path, a
sidecar table, or the file itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import fsspec
import pandas as pd

from sslsci.catalog.model import CatalogEntry, LabelSpec, archive_file
from sslsci.catalog.splits import split_by_fraction, split_by_regex


@dataclass
class EntryLabeler:
    """Computes labels, group and split for the items of one catalog entry."""

    entry: CatalogEntry
    sidecar: dict[str, dict[str, str]] = field(default_factory=dict)
    split_lists: dict[str, set[str]] = field(default_factory=dict)
    # Items grouped so far, those lacking the group column, and the label columns seen:
    # a group column no item has would silently make every item its own group.
    grouped: int = 0
    ungrouped: int = 0
    columns: set[str] = field(default_factory=set)

    @classmethod
    def for_entry(cls, entry: CatalogEntry, uri: str) -> EntryLabeler:
        """Load the sidecar table and split lists the entry names, once per ingest."""
        labeler = cls(entry)
        if entry.labels and entry.labels.sidecar:
            labeler.sidecar = _read_sidecar(entry.labels, _join(uri, entry.labels.sidecar))
        if entry.splits and entry.splits.lists:
            for split, list_file in entry.splits.lists.items():
                with fsspec.open(_join(uri, list_file), "rt") as handle:
                    names = {line.strip() for line in handle if line.strip()}
                labeler.split_lists[split] = {_norm(n) for n in names}
        return labeler

    def labels(self, rel_path: str, from_file: dict[str, str]) -> dict[str, str]:
        """All labels of an item: file labels, then regex groups, then sidecar columns."""
        spec = self.entry.labels or LabelSpec()
        found: dict[str, str] = dict(from_file) if spec.from_file else {}
        if spec.regex:
            match = re.search(spec.regex, rel_path)
            if match:
                found.update({k: v for k, v in match.groupdict().items() if v is not None})
        row = self.sidecar.get(_norm(rel_path)) or self.sidecar.get(PurePosixPath(rel_path).name)
        if row:
            found.update(row)
        return found

    def target(self, labels: dict[str, str]) -> str | None:
        spec = self.entry.labels or LabelSpec()
        return labels.get(spec.target)

    def group(self, labels: dict[str, str], rel_path: str) -> str:
        """The key that must not cross splits: the configured group, else the file."""
        key = self.group_column()
        if key:
            self.grouped += 1
            self.columns.update(labels)
            self.ungrouped += key not in labels
        return self._group_key(labels, rel_path)

    def _group_key(self, labels: dict[str, str], rel_path: str) -> str:
        key = self.group_column()
        return labels[key] if key and key in labels else rel_path

    def group_column(self) -> str | None:
        """The label that keys groups: ``splits.group_by``, else ``labels.group_column``."""
        split = self.entry.splits
        spec = self.entry.labels or LabelSpec()
        return (split.group_by if split else None) or spec.group_column

    def group_warnings(self) -> list[str]:
        """Items that lacked the group column and so became groups of one."""
        key = self.group_column()
        if not key or not self.ungrouped:
            return []
        field_name = (
            "splits.group_by"
            if self.entry.splits and self.entry.splits.group_by
            else ("labels.group_column")
        )
        there = ", ".join(sorted(self.columns)) or "none"
        return [
            f"entry {self.entry.name!r}: {field_name} {key!r} is missing from "
            f"{self.ungrouped} of {self.grouped} items, so each of them is its own group and "
            f"group-aware splits do not hold for them; label columns there: {there}. "
            f"Set {field_name} to one of them, or add the column (labels.regex or a sidecar)."
        ]

    def split(self, rel_path: str, labels: dict[str, str]) -> str | None:
        spec = self.entry.splits
        if spec is None:
            return None
        if spec.regex is not None:
            return split_by_regex(spec, rel_path)
        if spec.lists is not None:
            for split, names in self.split_lists.items():
                if _norm(rel_path) in names or PurePosixPath(rel_path).name in names:
                    return split
            return spec.default
        return split_by_fraction(spec, self._group_key(labels, rel_path))


def _read_sidecar(spec: LabelSpec, url: str) -> dict[str, dict[str, str]]:
    with fsspec.open(url, "rb") as handle:
        table = (
            pd.read_parquet(handle) if url.endswith((".parquet", ".pq")) else pd.read_csv(handle)
        )
    missing = [c for c in (spec.file_column, spec.label_column) if c not in table.columns]
    if missing:
        raise ValueError(
            f"{url}: sidecar lacks column(s) {missing}; it has {list(table.columns)}. "
            "Set labels.file_column / labels.label_column in the catalog entry."
        )
    rows: dict[str, dict[str, str]] = {}
    for record in table.astype(str).to_dict(orient="records"):
        key = _norm(record.pop(spec.file_column))
        record[spec.target] = record.pop(spec.label_column)
        if spec.group_column and spec.group_column not in record:
            raise ValueError(f"{url}: sidecar has no group column {spec.group_column!r}")
        rows[key] = record
    return rows


def _join(uri: str, name: str) -> str:
    return archive_file(uri, name)


def _norm(path: str) -> str:
    return str(PurePosixPath(path.replace("\\", "/"))).lstrip("./")
