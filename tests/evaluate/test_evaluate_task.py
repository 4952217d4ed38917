"""evaluate_task: SSL and random-init rows from the same split, with the same probes."""

import json

import numpy as np
import pytest
import torch

from sslsci.data import LabelledWindows
from sslsci.evaluate import embed_items, evaluate_task, random_init_like
from sslsci.evaluate.task import probe_features


def trained_backbone(mean_backbone):
    model = mean_backbone(2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([1.0, 0.01]))
    return model


def test_results_hold_both_backbones_and_split_sizes(two_class_splits, mean_backbone) -> None:
    train, test = two_class_splits
    results = evaluate_task(
        trained_backbone(mean_backbone),
        lambda: mean_backbone(2),
        train,
        test,
        k=5,
        seed=3,
        synthetic=True,
    )
    assert (results["n_train"], results["n_test"]) == (24, 12)
    assert results["classes"] == ["down", "up"]
    assert results["synthetic"] is True
    assert results["ssl"]["linear"]["accuracy"] >= 0.9
    assert results["ssl"]["knn"]["k"] == 5
    assert results["ssl"]["num_features"] == 2
    json.dumps(results)  # plain JSON types only

    baseline = random_init_like(lambda: mean_backbone(2), seed=3)
    (train_X, train_y), (test_X, test_y) = (embed_items(baseline, s) for s in (train, test))
    expected = probe_features(train_X, train_y, test_X, test_y, k=5, seed=3)
    for probe in ("linear", "knn"):
        for name in ("accuracy", "macro_f1", "balanced_accuracy", "confusion_matrix"):
            assert results["random_init"][probe][name] == expected[probe][name]


def test_baseline_of_another_architecture_is_refused(two_class_splits, mean_backbone) -> None:
    train, test = two_class_splits
    with pytest.raises(ValueError, match=r"random-init baseline .* differs"):
        evaluate_task(trained_backbone(mean_backbone), lambda: mean_backbone(3), train, test)


def test_splits_must_number_classes_alike(two_class_splits, mean_backbone) -> None:
    train, test = two_class_splits
    renumbered = LabelledWindows(
        test.store, test.items, test.window, test.standardizer, ["up", "down"]
    )
    with pytest.raises(ValueError, match="number their classes differently"):
        evaluate_task(trained_backbone(mean_backbone), lambda: mean_backbone(2), train, renumbered)


def test_features_of_both_rows_differ(two_class_splits, mean_backbone) -> None:
    train, _ = two_class_splits
    trained = embed_items(trained_backbone(mean_backbone), train)[0]
    baseline = embed_items(random_init_like(lambda: mean_backbone(2), seed=0), train)[0]
    assert not np.allclose(trained, baseline)
