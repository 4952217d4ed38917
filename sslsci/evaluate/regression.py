"""Regression probes of frozen features: cross-validated ridge and a cosine kNN mean."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.preprocessing import StandardScaler, normalize

ALPHAS = tuple(float(a) for a in np.logspace(-4, 4, 17))


def regression_metrics(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """MAE and R² (sklearn's definitions: R² = 1 - SS_res / SS_tot on the test targets)."""
    return {
        "mae": float(mean_absolute_error(truth, predicted)),
        "r2": float(r2_score(truth, predicted)),
    }


def regression_linear_probe(
    train_X: np.ndarray, train_y: np.ndarray, test_X: np.ndarray, test_y: np.ndarray
) -> dict[str, Any]:
    """Standardise -> ridge regression; alpha by leave-one-out CV on the train split only."""
    scaler = StandardScaler().fit(train_X)
    model = RidgeCV(alphas=ALPHAS).fit(scaler.transform(train_X), train_y)
    predicted = model.predict(scaler.transform(test_X))
    return {
        **regression_metrics(test_y, predicted),
        "alpha": float(model.alpha_),
        "n_train": len(train_y),
        "n_test": len(test_y),
    }


def regression_knn_probe(
    train_X: np.ndarray, train_y: np.ndarray, test_X: np.ndarray, test_y: np.ndarray, k: int
) -> dict[str, Any]:
    """The mean target of the k most cosine-similar train items."""
    if k < 1:
        raise ValueError(f"k={k} for the kNN probe; give a positive number of neighbours")
    k_used = min(k, len(train_y))
    similarity = normalize(test_X) @ normalize(train_X).T
    nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k_used]
    predicted = np.asarray(train_y, dtype=np.float64)[nearest].mean(axis=1)
    return {
        **regression_metrics(test_y, predicted),
        "k": k_used,
        "metric": "cosine",
        "n_train": len(train_y),
        "n_test": len(test_y),
    }
