"""One downstream task: probe the SSL backbone and its random-init twin on the same split."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from torch import nn

from sslsci.data import LabelledWindows
from sslsci.evaluate.embed import check_same_architecture, embed_items, random_init_like
from sslsci.evaluate.multilabel import multilabel_knn_probe, multilabel_linear_probe
from sslsci.evaluate.probes import knn_probe, linear_probe


def evaluate_task(
    backbone: nn.Module,
    make_random_backbone: Callable[[], nn.Module],
    train: LabelledWindows,
    test: LabelledWindows,
    *,
    k: int = 20,
    seed: int = 0,
    synthetic: bool = False,
    batch_size: int = 64,
    num_workers: int = 0,
) -> dict[str, Any]:
    """Linear and kNN probes of frozen features, SSL vs random init, plus the split sizes.

    ``make_random_backbone`` builds an untrained backbone of the same
    architecture; it is built under ``seed`` so the baseline is reproducible.
    """
    classes = _class_names(train, test)
    baseline = random_init_like(make_random_backbone, seed)
    check_same_architecture(backbone, baseline)
    results: dict[str, Any] = {}
    for name, model in (("ssl", backbone), ("random_init", baseline)):
        train_X, train_y = embed_items(model, train, batch_size, num_workers)
        test_X, test_y = embed_items(model, test, batch_size, num_workers)
        results[name] = probe_features(train_X, train_y, test_X, test_y, k=k, seed=seed)
        results[name]["num_features"] = int(train_X.shape[1])
    return {
        **results,
        "kind": "multilabel" if getattr(train, "multilabel", False) else "classification",
        "n_train": len(train),
        "n_test": len(test),
        "classes": classes,
        "synthetic": synthetic,
    }


def probe_features(
    train_X: np.ndarray,
    train_y: np.ndarray,
    test_X: np.ndarray,
    test_y: np.ndarray,
    *,
    k: int,
    seed: int,
) -> dict[str, Any]:
    """Linear and kNN probes; multi-hot targets [N, K] get the multi-label probes."""
    if np.ndim(train_y) == 2:
        return {
            "linear": multilabel_linear_probe(train_X, train_y, test_X, test_y, seed=seed),
            "knn": multilabel_knn_probe(train_X, train_y, test_X, test_y, k=k),
            "multilabel": True,
        }
    return {
        "linear": linear_probe(train_X, train_y, test_X, test_y, seed=seed),
        "knn": knn_probe(train_X, train_y, test_X, test_y, k=k),
    }


def _class_names(train: LabelledWindows, test: LabelledWindows) -> list[str]:
    """Class names in index order; both splits must index classes the same way."""
    if train.class_index != test.class_index:
        raise ValueError(
            "the train and test datasets number their classes differently; build both "
            "LabelledWindows with the same `classes` list"
        )
    return [name for name, _ in sorted(train.class_index.items(), key=lambda kv: kv[1])]
