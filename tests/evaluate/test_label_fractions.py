"""Label-fraction subsets and the seed interval, checked against independent counts."""

import statistics
from collections import Counter

import numpy as np
import pytest

from sslsci.evaluate.fractions import label_fraction, validation_part
from sslsci.evaluate.intervals import mean_interval


def test_subset_is_stratified_keeps_every_class_and_spreads_over_groups() -> None:
    targets = np.array([0] * 200 + [1] * 50 + [2] * 3)
    groups = [f"subject{i % 10}" for i in range(len(targets))]
    subset = label_fraction(targets, 0.1, seed=4, groups=groups)
    counts = Counter(targets[subset].tolist())
    assert counts == {0: 20, 1: 5, 2: 1}  # round(0.1 * n) per class, at least one
    assert len({groups[i] for i in subset if targets[i] == 0}) == 10
    assert len({groups[i] for i in subset if targets[i] == 1}) == 5
    again = label_fraction(targets, 0.1, seed=4, groups=groups)
    other = label_fraction(targets, 0.1, seed=5, groups=groups)
    assert np.array_equal(subset, again) and not np.array_equal(subset, other)
    assert np.array_equal(label_fraction(targets, 1.0, seed=0), np.arange(len(targets)))
    with pytest.raises(ValueError, match="in \\(0, 1\\]"):
        label_fraction(targets, 0.0, seed=0)


def test_multilabel_subset_has_a_positive_of_every_class() -> None:
    rng = np.random.default_rng(0)
    targets = (rng.random((300, 6)) < [0.5, 0.5, 0.3, 0.2, 0.05, 0.01]).astype(float)
    targets[0, 5] = 1.0
    subset = label_fraction(targets, 0.01, seed=1, kind="multilabel")
    present = targets.sum(axis=0) > 0
    assert (targets[subset].sum(axis=0)[present] >= 1).all()


def test_validation_part_holds_out_whole_groups_and_keeps_classes() -> None:
    targets = np.array([0, 1] * 30)
    groups = [f"g{i // 6}" for i in range(60)]
    fit, held = validation_part(np.arange(60), targets, seed=0, groups=groups)
    assert set(fit) | set(held) == set(range(60)) and not set(fit) & set(held)
    assert not {groups[i] for i in fit} & {groups[i] for i in held}
    assert set(targets[fit]) == {0, 1} and len(held) >= 12
    one_each = validation_part(np.array([0, 1]), targets, seed=0, groups=groups)
    assert len(one_each[1]) == 0  # nothing can be held out of one sample per class


def test_interval_matches_the_t_table() -> None:
    values = [0.71, 0.74, 0.80]
    result = mean_interval(values)
    half = 4.302653 * statistics.stdev(values) / 3**0.5  # t(0.975, df=2) from a table
    assert result["mean"] == pytest.approx(statistics.mean(values))
    assert result["half_width"] == pytest.approx(half, rel=1e-5)
    assert result["low"] == pytest.approx(result["mean"] - half)
    assert result["n_seeds"] == 3 and result["values"] == values
    assert mean_interval([0.5])["half_width"] is None
