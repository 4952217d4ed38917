"""Dealing an entry's groups to fraction splits once all its sources are recorded."""

from __future__ import annotations

from sslsci.catalog import CatalogEntry
from sslsci.catalog.splits import assign_groups, fraction_spec_hash
from sslsci.store import Manifest


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
