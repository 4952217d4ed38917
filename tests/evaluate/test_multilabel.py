"""Multi-label probes: mAP and F1 against hand-computed references, probes that find a
separable signal, constant classes left out and named, multi-hot targets from items."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sslsci.data import LabelledWindows
from sslsci.evaluate.multilabel import (
    multilabel_knn_probe,
    multilabel_linear_probe,
    multilabel_metrics,
)
from sslsci.store import ItemRow


def average_precision(truth: np.ndarray, scores: np.ndarray) -> float:
    """AP written out: mean precision at the rank of each positive (scores distinct)."""
    order = np.argsort(-scores)
    hits = truth[order]
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision_at[hits == 1].mean())


def test_metrics_match_written_out_references() -> None:
    truth = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0], [1, 0, 0]])
    scores = np.array([[0.9, 0.2, 0.1], [0.4, 0.7, 0.3], [0.6, 0.3, 0.2], [0.5, 0.1, 0.6],
                       [0.2, 0.8, 0.4]])
    result = multilabel_metrics(truth, scores)
    expected = [average_precision(truth[:, k], scores[:, k]) for k in (0, 1)]
    assert result["average_precision"] == pytest.approx({0: expected[0], 1: expected[1]})
    assert result["mean_average_precision"] == pytest.approx(np.mean(expected))
    assert result["classes_scored"] == 2  # class 2 never occurs in the test labels
    predicted = scores >= 0.5
    tp = int((predicted & (truth == 1)).sum())
    fp, fn = int((predicted & (truth == 0)).sum()), int((~predicted & (truth == 1)).sum())
    assert result["micro_f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn))


def separable(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features whose first two coordinates say which of two labels an item carries."""
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, 2, size=(n, 2))
    features = rng.normal(0, 0.3, size=(n, 6))
    features[:, :2] += 3.0 * targets
    return features, targets


def test_probes_recover_a_separable_multi_label_signal() -> None:
    train_X, train_Y = separable(80, 0)
    test_X, test_Y = separable(40, 1)
    linear = multilabel_linear_probe(train_X, train_Y, test_X, test_Y, seed=0)
    knn = multilabel_knn_probe(train_X, train_Y, test_X, test_Y, k=5)
    assert linear["mean_average_precision"] > 0.99 and linear["micro_f1"] > 0.95
    assert knn["micro_f1"] > 0.9  # k=5 votes tie often, so its mAP sits lower (~0.9)
    noise = np.random.default_rng(2).normal(size=test_X.shape)
    chance = multilabel_linear_probe(train_X, train_Y, noise, test_Y, seed=0)
    chance_knn = multilabel_knn_probe(train_X, train_Y, noise, test_Y, k=5)
    assert chance["mean_average_precision"] < linear["mean_average_precision"] - 0.2
    assert chance_knn["mean_average_precision"] < knn["mean_average_precision"] - 0.2


def test_a_class_constant_in_train_is_left_out_and_named() -> None:
    train_X, train_Y = separable(40, 3)
    train_Y = np.column_stack([train_Y, np.zeros(40, dtype=int)])
    test_X, test_Y = separable(20, 4)
    test_Y = np.column_stack([test_Y, np.r_[1, np.zeros(19, dtype=int)]])
    result = multilabel_linear_probe(train_X, train_Y, test_X, test_Y, seed=0)
    assert result["learnt_classes"] == [0, 1]


def test_labelled_windows_give_multi_hot_targets_from_a_label_key(tmp_path) -> None:
    from sslsci.data import Standardizer
    from sslsci.store import ArrayStore

    store = ArrayStore(tmp_path)
    import xarray as xr

    rows = []
    for k, names in enumerate(["forest;water", "urban", "water"]):
        key = f"{k:040d}"
        store.put(key, xr.DataArray(np.ones((2, 8, 8), np.float32), dims=("channel", "y", "x")),
                  ("y", "x"))
        rows.append(ItemRow(key, "e", f"u{k}", "0", "s", ("channel", "y", "x"), (2, 8, 8), None,
                            None, {"labels": names}, "test", {}, {}))
    data = LabelledWindows(store, rows, {"y": 8, "x": 8}, Standardizer((0.0, 0.0), (1.0, 1.0)),
                           ["forest", "urban", "water"], label_key="labels", multilabel=True)
    targets = torch.stack([data[i][1] for i in range(3)])
    assert targets.tolist() == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]
