"""Labels and splits for catalog items: from the path, a sidecar table, or the file.

Splits by fraction are drawn per group (subject, speaker), so no group lands in
two splits. Groups are dealt to splits in seeded hash order to meet the fractions
as closely as whole groups allow; a group keeps its split while the spec stays
the same, so a growing archive never moves a test subject into training.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import fsspec
import pandas as pd

from sslsci.catalog import CatalogEntry, LabelSpec, SplitSpec


@dataclass
class EntryLabeler:
    """Computes labels, group and split for the items of one catalog entry."""

    entry: CatalogEntry
    sidecar: dict[str, dict[str, str]] = field(default_factory=dict)
    split_lists: dict[str, set[str]] = field(default_factory=dict)

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
        split = self.entry.splits
        spec = self.entry.labels or LabelSpec()
        key = (split.group_by if split else None) or spec.group_column
        if key and key in labels:
            return labels[key]
        return rel_path

    def split(self, rel_path: str, labels: dict[str, str]) -> str | None:
        spec = self.entry.splits
        if spec is None:
            return None
        if spec.regex is not None:
            return _split_by_regex(spec, rel_path)
        if spec.lists is not None:
            for split, names in self.split_lists.items():
                if _norm(rel_path) in names or PurePosixPath(rel_path).name in names:
                    return split
            return spec.default
        return split_by_fraction(spec, self.group(labels, rel_path))


def _split_by_regex(spec: SplitSpec, rel_path: str) -> str | None:
    for split, pattern in (spec.regex or {}).items():
        if re.search(pattern, rel_path):
            return split
    return spec.default


def _unit_hash(seed: int, group: str) -> float:
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def fraction_spec_hash(spec: SplitSpec) -> str:
    """Names a fraction spec: assignments made under another spec are redrawn."""
    blob = json.dumps({"fraction": spec.fraction, "seed": spec.seed}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def group_targets(fractions: dict[str, float], n_groups: int) -> dict[str, int]:
    """Whole groups per split by largest remainder; every positive split gets one if it can."""
    total = sum(fractions.values())
    exact = {split: n_groups * share / total for split, share in fractions.items()}
    targets = {split: int(value) for split, value in exact.items()}
    by_remainder = sorted(exact, key=lambda s: exact[s] - targets[s], reverse=True)
    for split in by_remainder[: n_groups - sum(targets.values())]:
        targets[split] += 1
    for split, share in fractions.items():
        donor = max(targets, key=targets.get)
        if share > 0 and targets[split] == 0 and targets[donor] > 1:
            targets[donor] -= 1
            targets[split] += 1
    return targets


def assign_groups(spec: SplitSpec, groups: set[str], kept: dict[str, str]) -> dict[str, str]:
    """Each group's split: kept ones stay, new ones fill the splits furthest below target."""
    fractions = spec.fraction or {}
    kept = {g: s for g, s in kept.items() if g in groups and s in fractions}
    targets = group_targets(fractions, len(groups))
    counts = Counter(kept.values())
    order = list(fractions)
    assigned = dict(kept)
    for group in sorted(groups - kept.keys(), key=lambda g: (_unit_hash(spec.seed, g), g)):
        split = max(order, key=lambda s: (targets[s] - counts[s], -order.index(s)))
        assigned[group] = split
        counts[split] += 1
    return assigned


def split_by_fraction(spec: SplitSpec, group: str) -> str:
    """A provisional split for one group by hashing; ingest then deals all groups by
    ``assign_groups``, which keeps the fractions when groups are few."""
    u = _unit_hash(spec.seed, group)
    cumulative = 0.0
    fractions = spec.fraction or {}
    for split, fraction in fractions.items():
        cumulative += fraction
        if u < cumulative:
            return split
    return list(fractions)[-1]


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
    if "://" in name or name.startswith("/"):
        return name
    return uri.rstrip("/") + "/" + name


def _norm(path: str) -> str:
    return str(PurePosixPath(path.replace("\\", "/"))).lstrip("./")
