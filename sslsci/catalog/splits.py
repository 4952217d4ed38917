"""Splits of catalog items: by regex on the path, by list files, or by seeded fraction.

Fraction splits are drawn per group (subject, speaker), so no group lands in two
splits. Groups are dealt to splits in seeded hash order to meet the fractions as
closely as whole groups allow; a group keeps its split while the spec stays the
same, so a growing archive never moves a test subject into training.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

from sslsci.catalog.model import SplitSpec


def split_by_regex(spec: SplitSpec, rel_path: str) -> str | None:
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
