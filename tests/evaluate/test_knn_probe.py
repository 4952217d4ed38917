"""Cosine kNN against a loop-by-loop reference written out here."""

import math

import numpy as np
import pytest

from sslsci.evaluate import classification_metrics, knn_probe


def reference_knn(train_X: np.ndarray, train_y: np.ndarray, test_X: np.ndarray, k: int):
    """Majority vote of the k largest cosine similarities; ties go to the smallest class."""
    predictions = []
    for query in test_X:
        sims = []
        for row, label in zip(train_X, train_y, strict=True):
            dot = sum(float(a) * float(b) for a, b in zip(query, row, strict=True))
            norm = math.sqrt(sum(float(a) ** 2 for a in query)) * math.sqrt(
                sum(float(b) ** 2 for b in row)
            )
            sims.append((dot / norm, int(label)))
        top = sorted(sims, key=lambda pair: -pair[0])[:k]
        votes: dict[int, int] = {}
        for _, label in top:
            votes[label] = votes.get(label, 0) + 1
        best = max(votes.values())
        predictions.append(min(label for label, n in votes.items() if n == best))
    return np.array(predictions)


@pytest.mark.parametrize("k", [1, 4, 5])
def test_matches_reference(k: int) -> None:
    rng = np.random.default_rng(k)
    train_X, test_X = rng.normal(size=(40, 6)), rng.normal(size=(30, 6))
    train_y, test_y = rng.integers(0, 4, 40), rng.integers(0, 4, 30)
    result = knn_probe(train_X, train_y, test_X, test_y, k=k)
    expected = classification_metrics(
        test_y, reference_knn(train_X, train_y, test_X, k), np.union1d(train_y, test_y)
    )
    assert result["confusion_matrix"] == expected["confusion_matrix"]
    for name in ("accuracy", "macro_f1", "balanced_accuracy"):
        assert result[name] == pytest.approx(expected[name])
    assert (result["k"], result["vote"], result["metric"]) == (k, "majority", "cosine")


def test_only_direction_matters() -> None:
    rng = np.random.default_rng(11)
    train_X, test_X = rng.normal(size=(30, 5)), rng.normal(size=(20, 5))
    train_y, test_y = rng.integers(0, 3, 30), rng.integers(0, 3, 20)
    plain = knn_probe(train_X, train_y, test_X, test_y, k=3)
    scaled = knn_probe(
        train_X * rng.uniform(0.1, 50, (30, 1)),
        train_y,
        test_X * rng.uniform(0.1, 50, (20, 1)),
        test_y,
        k=3,
    )
    assert plain["confusion_matrix"] == scaled["confusion_matrix"]


def test_k_is_capped_at_the_train_size() -> None:
    train_X = np.random.default_rng(0).normal(size=(7, 3))
    train_y = np.array([0, 0, 0, 0, 1, 1, 1])
    test_y = np.array([0, 1, 1])
    result = knn_probe(train_X, train_y, np.ones((3, 3)), test_y, k=50)
    assert result["k"] == 7
    # Every query sees all 7 neighbours: the majority class 0 for all.
    assert result["accuracy"] == pytest.approx(1 / 3)
    assert result["confusion_matrix"] == [[1, 0], [2, 0]]


def test_nonpositive_k_is_refused() -> None:
    with pytest.raises(ValueError, match="k=0"):
        knn_probe(np.ones((2, 2)), np.array([0, 1]), np.ones((1, 2)), np.array([0]), k=0)
