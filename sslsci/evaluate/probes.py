"""Frozen-feature probes: a cross-validated linear probe and a cosine kNN classifier.

Both see only arrays, so the same code scores the SSL backbone and its
random-init baseline, and tests can feed them hand-made features.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler, normalize
from threadpoolctl import threadpool_limits

from sslsci.evaluate.metrics import classification_metrics

# Inverse regularisation strengths searched by cross-validation (1e-4 ... 1e4).
DEFAULT_CS = tuple(float(c) for c in np.logspace(-4, 4, 9))
MAX_ITER = 2000


def linear_probe(
    train_X: np.ndarray,
    train_y: np.ndarray,
    test_X: np.ndarray,
    test_y: np.ndarray,
    seed: int,
    Cs: tuple[float, ...] = DEFAULT_CS,
) -> dict[str, Any]:
    """Standardise -> multinomial logistic regression; C picked by CV on the train split only.

    The scaler is fit on the train split and C is the first of ``Cs`` with the
    best mean accuracy over stratified folds of the train split (a warm-started
    regularisation path per fold); the test split is touched once, for the final
    predictions. With lbfgs, scikit-learn fits a multinomial (softmax) model
    whenever there are more than two classes.
    """
    train_X, train_y, test_X, test_y = _checked_split(train_X, train_y, test_X, test_y)
    folds = cv_folds(train_y)
    if np.unique(train_y, return_counts=True)[1].min() < 2:
        return _uncrossvalidated(train_X, train_y, test_X, test_y, seed)
    scaler = StandardScaler().fit(train_X)
    model = LogisticRegressionCV(
        Cs=list(Cs),
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
        scoring="accuracy",
        l1_ratios=(0.0,),
        max_iter=MAX_ITER,
        random_state=seed,
        use_legacy_attributes=False,
    )
    # Probe problems are small: one BLAS/OpenMP thread is as fast, and avoids
    # oversubscribing the cores next to torch's own thread pool.
    with threadpool_limits(limits=1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(scaler.transform(train_X), train_y)
    _reissue_other_warnings(caught)
    predictions = model.predict(scaler.transform(test_X))
    cv_scores = np.asarray(model.scores_).reshape(folds, len(Cs)).mean(axis=0)
    return {
        **classification_metrics(test_y, predictions, np.union1d(train_y, test_y)),
        "C": float(np.ravel(model.C_)[0]),
        "cv_folds": folds,
        "cv_accuracy": float(cv_scores.max()),
        "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "n_train": len(train_y),
        "n_test": len(test_y),
    }


def _uncrossvalidated(
    train_X: np.ndarray, train_y: np.ndarray, test_X: np.ndarray, test_y: np.ndarray, seed: int
) -> dict[str, Any]:
    """A class with one labelled sample (1% of labels) leaves no folds: fit C = 1 once."""
    scaler = StandardScaler().fit(train_X)
    model = LogisticRegression(C=1.0, max_iter=MAX_ITER, random_state=seed)
    with threadpool_limits(limits=1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(scaler.transform(train_X), train_y)
    _reissue_other_warnings(caught)
    predictions = model.predict(scaler.transform(test_X))
    return {
        **classification_metrics(test_y, predictions, np.union1d(train_y, test_y)),
        "C": 1.0,
        "cv_folds": 0,
        "cv_accuracy": None,
        "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "n_train": len(train_y),
        "n_test": len(test_y),
    }


def knn_probe(
    train_X: np.ndarray,
    train_y: np.ndarray,
    test_X: np.ndarray,
    test_y: np.ndarray,
    k: int = 20,
) -> dict[str, Any]:
    """Majority vote of the k most cosine-similar train items (k capped at n_train).

    Features are L2-normalised first, so cosine similarity is a dot product; a
    tied vote goes to the smallest class index (scikit-learn's mode).
    """
    if k < 1:
        raise ValueError(f"k={k} for the kNN probe; give a positive number of neighbours")
    train_X, train_y, test_X, test_y = _checked_split(train_X, train_y, test_X, test_y)
    k_used = min(k, len(train_y))
    classifier = KNeighborsClassifier(
        n_neighbors=k_used, weights="uniform", metric="cosine", algorithm="brute"
    )
    classifier.fit(normalize(train_X), train_y)
    predictions = classifier.predict(normalize(test_X))
    return {
        **classification_metrics(test_y, predictions, np.union1d(train_y, test_y)),
        "k": k_used,
        "vote": "majority",
        "metric": "cosine",
        "n_train": len(train_y),
        "n_test": len(test_y),
    }


def _reissue_other_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Convergence is summarised in the result; every other warning still reaches the user."""
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def cv_folds(train_y: np.ndarray) -> int:
    """min(5, smallest class count), at least 2: every fold can hold every class."""
    _, counts = np.unique(train_y, return_counts=True)
    if len(counts) < 2:
        raise ValueError(
            f"the train split has only one class ({np.unique(train_y).tolist()}); a probe "
            "needs at least two labelled classes in the train split"
        )
    return max(2, min(5, int(counts.min())))


def _checked_split(
    train_X: np.ndarray, train_y: np.ndarray, test_X: np.ndarray, test_y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    train_X, train_y = _checked_features(train_X, train_y, "train")
    test_X, test_y = _checked_features(test_X, test_y, "test")
    if train_X.shape[1] != test_X.shape[1]:
        raise ValueError(
            f"train features have {train_X.shape[1]} dimensions but test features "
            f"{test_X.shape[1]}; embed both splits with the same backbone"
        )
    return train_X, train_y, test_X, test_y


def _checked_features(X: np.ndarray, y: np.ndarray, split: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(y) == 0:
        raise ValueError(
            f"{split} split: expected features [N, F] and labels [N] with N > 0, got "
            f"{X.shape} and {y.shape}"
        )
    if not np.isfinite(X).all():
        raise ValueError(
            f"{split} split: features contain NaN or inf; the backbone diverged or the "
            "input was not standardised, so probing it would be meaningless"
        )
    return X, y
