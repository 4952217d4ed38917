"""Label-fraction subsets of a train split: stratified, spread over groups, every class kept.

A scientist with 1% of the labels still has at least one example of each class, and
draws them from as many recordings/subjects (groups) as possible, so a fraction does not
quietly become "one subject's data". Regression targets are stratified by quantile bins.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

REGRESSION_BINS = 5


def strata(targets: np.ndarray, kind: str) -> np.ndarray:
    """One stratum id per sample: the class, a quantile bin (regression), or for multi-hot
    rows the rarest positive class (so rare classes are sampled first)."""
    targets = np.asarray(targets)
    if kind == "regression":
        edges = np.quantile(targets, np.linspace(0, 1, REGRESSION_BINS + 1)[1:-1])
        return np.searchsorted(edges, targets, side="right")
    if kind == "multilabel":
        frequency = targets.sum(axis=0)
        rarest = np.where(targets > 0, frequency[None, :], np.inf).argmin(axis=1)
        return np.where(targets.any(axis=1), rarest, -1)
    return targets.astype(np.int64)


def label_fraction(
    targets: np.ndarray,
    fraction: float,
    seed: int,
    *,
    kind: str = "classification",
    groups: Sequence[str] | None = None,
) -> np.ndarray:
    """Sorted indices of a ``fraction`` of the samples, at least one per stratum.

    Within a stratum the samples are shuffled by ``seed`` and taken round-robin over
    groups, so the subset covers as many groups as it can. A multi-label subset then gets
    one positive for each class it still lacks.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"label fraction {fraction} must be in (0, 1]")
    targets = np.asarray(targets)
    count = len(targets)
    if fraction == 1:
        return np.arange(count)
    rng = np.random.default_rng(seed)
    group_of = np.asarray(groups if groups is not None else np.arange(count).astype(str))
    stratum = strata(targets, kind)
    chosen: list[int] = []
    for value in np.unique(stratum):
        members = rng.permutation(np.flatnonzero(stratum == value))
        take = max(1, round(fraction * len(members)))
        chosen += _round_robin(members, group_of[members])[:take]
    if kind == "multilabel":
        for column in range(targets.shape[1]):
            positives = np.flatnonzero(targets[:, column] > 0)
            if len(positives) and not targets[chosen, column].any():
                chosen.append(int(rng.choice(positives)))
    return np.unique(np.asarray(chosen, dtype=np.int64))


def _round_robin(members: np.ndarray, groups: np.ndarray) -> list[int]:
    """Members reordered: first of each group, then second of each group, ..."""
    rank = np.zeros(len(members), dtype=np.int64)
    seen: dict[str, int] = {}
    for position, group in enumerate(groups):
        rank[position] = seen.get(group, 0)
        seen[group] = rank[position] + 1
    order = np.argsort(rank, kind="stable")
    return [int(members[k]) for k in order]


def validation_part(
    indices: np.ndarray,
    targets: np.ndarray,
    seed: int,
    *,
    kind: str = "classification",
    groups: Sequence[str] | None = None,
    share: float = 0.2,
) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) indices for early stopping, whole groups held out where possible.

    The validation part is ``share`` of the subset; every stratum keeps at least one sample
    in train. When that cannot be met (e.g. one sample per class), validation is empty and
    fine-tuning runs its whole budget.
    """
    indices = np.asarray(indices)
    rng = np.random.default_rng(seed + 104729)
    stratum = strata(np.asarray(targets)[indices], kind)
    want = round(share * len(indices))
    if want < 1:
        return indices, indices[:0]
    group_of = np.asarray(groups)[indices] if groups is not None else None
    if group_of is not None and len(set(group_of)) >= 3:
        for _ in range(20):
            held = np.zeros(len(indices), dtype=bool)
            for group in rng.permutation(np.unique(group_of)):
                if held.sum() >= want:
                    break
                held |= group_of == group
            if set(stratum[~held]) == set(stratum) and held.any():
                return indices[~held], indices[held]
    held = np.zeros(len(indices), dtype=bool)
    for value in np.unique(stratum):
        members = rng.permutation(np.flatnonzero(stratum == value))
        held[members[: int(share * len(members))] if len(members) > 1 else []] = True
    return indices[~held], indices[held]
