"""Linear probe: learns separable features, is at chance on noise, picks C from train only."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sslsci.evaluate import linear_probe
from sslsci.evaluate.probes import DEFAULT_CS, cv_folds


def blobs(n: int, classes: int, dim: int, spread: float, seed: int):
    """Gaussian clusters around well separated random centres."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(1000).normal(0, 3, (classes, dim))
    y = rng.integers(0, classes, n)
    return centres[y] + spread * rng.normal(size=(n, dim)), y


def test_separable_features_are_learned() -> None:
    train_X, train_y = blobs(90, 3, 8, 1.0, seed=0)
    test_X, test_y = blobs(60, 3, 8, 1.0, seed=1)
    result = linear_probe(train_X, train_y, test_X, test_y, seed=0)
    assert result["accuracy"] >= 0.95
    assert result["macro_f1"] >= 0.95
    assert result["balanced_accuracy"] >= 0.95
    assert (result["n_train"], result["n_test"]) == (90, 60)
    assert result["C"] in DEFAULT_CS


def test_random_labels_stay_near_chance() -> None:
    rng = np.random.default_rng(7)
    train_X, test_X = rng.normal(size=(150, 16)), rng.normal(size=(900, 16))
    train_y, test_y = rng.integers(0, 3, 150), rng.integers(0, 3, 900)
    result = linear_probe(train_X, train_y, test_X, test_y, seed=0)
    assert abs(result["accuracy"] - 1 / 3) < 0.08
    assert abs(result["balanced_accuracy"] - 1 / 3) < 0.08


def test_chosen_c_ignores_the_test_split() -> None:
    train_X, train_y = blobs(60, 3, 6, 2.5, seed=2)
    test_a = blobs(40, 3, 6, 2.5, seed=3)
    rng = np.random.default_rng(4)
    test_b = (rng.normal(0, 10, size=(25, 6)), rng.integers(0, 3, 25))  # unrelated data
    a = linear_probe(train_X, train_y, *test_a, seed=0)
    b = linear_probe(train_X, train_y, *test_b, seed=0)
    assert a["C"] == b["C"]
    assert a["cv_accuracy"] == b["cv_accuracy"]
    assert a["accuracy"] != b["accuracy"]  # the test data did change the score


def reference_best_c(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, float]:
    """Standardise with train statistics, stratified K-fold on train alone, first best C."""
    X = StandardScaler().fit_transform(X)
    splitter = StratifiedKFold(n_splits=cv_folds(y), shuffle=True, random_state=seed)
    scores = []
    with threadpool_limits(limits=1):  # tiny fits: extra threads only add contention
        for C in DEFAULT_CS:
            fold_scores = []
            for fit_index, val_index in splitter.split(X, y):
                model = LogisticRegression(C=C, max_iter=2000).fit(X[fit_index], y[fit_index])
                fold_scores.append(model.score(X[val_index], y[val_index]))
            scores.append(np.mean(fold_scores))
    best = int(np.argmax(scores))
    return DEFAULT_CS[best], scores[best]


def test_chosen_c_matches_a_hand_written_cross_validation() -> None:
    train_X, train_y = blobs(45, 3, 5, 3.0, seed=5)
    test_X, test_y = blobs(20, 3, 5, 3.0, seed=6)
    result = linear_probe(train_X, train_y, test_X, test_y, seed=3)
    best_c, best_score = reference_best_c(train_X, train_y, seed=3)
    assert result["C"] == best_c
    assert result["cv_accuracy"] == pytest.approx(best_score)


def test_standardisation_comes_from_train_only() -> None:
    train_X, train_y = blobs(90, 3, 8, 1.0, seed=0)
    test_X, test_y = blobs(60, 3, 8, 1.0, seed=1)
    plain = linear_probe(train_X, train_y, test_X, test_y, seed=0)
    # A scaler fit on the test split would cancel this shift; the train scaler must not.
    shifted = linear_probe(train_X, train_y, test_X + 25.0, test_y, seed=0)
    assert shifted["C"] == plain["C"]
    assert shifted["accuracy"] < plain["accuracy"] - 0.1
    scaler = StandardScaler().fit(train_X)
    model = LogisticRegression(C=shifted["C"], max_iter=2000)
    model.fit(scaler.transform(train_X), train_y)
    expected = model.score(scaler.transform(test_X + 25.0), test_y)
    assert shifted["accuracy"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("counts", "folds"), [((10, 10, 10), 5), ((3, 12), 3), ((1, 12), 2), ((2, 2), 2)]
)
def test_folds_follow_the_smallest_class(counts: tuple[int, ...], folds: int) -> None:
    y = np.concatenate([np.full(n, label) for label, n in enumerate(counts)])
    assert cv_folds(y) == folds


def test_one_class_is_refused() -> None:
    with pytest.raises(ValueError, match="only one class"):
        linear_probe(np.zeros((4, 2)), np.zeros(4), np.zeros((2, 2)), np.zeros(2), seed=0)


def test_non_finite_features_are_refused() -> None:
    X = np.ones((6, 2))
    X[2, 1] = np.nan
    y = np.array([0, 1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="train split: features contain NaN"):
        linear_probe(X, y, np.ones((2, 2)), np.array([0, 1]), seed=0)


def test_feature_dimensions_must_agree() -> None:
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="4 dimensions but test features 3"):
        linear_probe(np.ones((4, 4)), y, np.ones((4, 3)), y, seed=0)
