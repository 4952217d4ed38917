"""Multi-label probes of frozen features: one-vs-rest logistic regression and a cosine kNN.

A multi-label item (a SAR tile showing forest and water) carries a multi-hot target.
Each probe scores every class, and the metrics are the ones multi-label land-cover work
reports (BigEarthNet): mean average precision over classes, and micro and macro F1 of the
predictions at 0.5. A class that is constant in the train split cannot be learnt; it is
left out of the linear probe and named in the result.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import average_precision_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler, normalize
from threadpoolctl import threadpool_limits

from sslsci.evaluate.probes import DEFAULT_CS, MAX_ITER

THRESHOLD = 0.5


def multilabel_metrics(truth: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    """mAP over classes with a positive in ``truth``; micro/macro F1 at ``THRESHOLD``."""
    truth = np.asarray(truth, dtype=int)
    present = [k for k in range(truth.shape[1]) if truth[:, k].any()]
    per_class = {int(k): float(average_precision_score(truth[:, k], scores[:, k])) for k in present}
    predicted = (scores >= THRESHOLD).astype(int)
    return {
        "mean_average_precision": float(np.mean(list(per_class.values()))) if per_class else 0.0,
        "average_precision": per_class,
        "micro_f1": float(f1_score(truth, predicted, average="micro", zero_division=0)),
        "macro_f1": float(
            f1_score(truth[:, present], predicted[:, present], average="macro", zero_division=0)
        ),
        "classes_scored": len(present),
    }


def _fit_one(features: np.ndarray, target: np.ndarray, seed: int) -> LogisticRegressionCV:
    """A binary logistic regression, C chosen by log loss over stratified folds (AP alone
    is rank-only: it would pick the strongest penalty and leave F1 at chance)."""
    folds = max(2, min(5, int(target.sum()), int(len(target) - target.sum())))
    model = LogisticRegressionCV(
        Cs=list(DEFAULT_CS),
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
        scoring="neg_log_loss",  # a proper score: calibrated for the 0.5 threshold
        max_iter=MAX_ITER,
        random_state=seed,
        use_legacy_attributes=False,
    )
    return model.fit(features, target)


def multilabel_linear_probe(
    train_X: np.ndarray, train_Y: np.ndarray, test_X: np.ndarray, test_Y: np.ndarray, seed: int
) -> dict[str, Any]:
    """Standardise -> one logistic regression per class (one-vs-rest), test touched once."""
    scaler = StandardScaler().fit(train_X)
    train_Z, test_Z = scaler.transform(train_X), scaler.transform(test_X)
    scores = np.zeros(test_Y.shape, dtype=np.float64)
    learnable = [k for k in range(train_Y.shape[1]) if 2 <= train_Y[:, k].sum() <= len(train_Y) - 2]
    with threadpool_limits(limits=1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        for k in learnable:
            scores[:, k] = _fit_one(train_Z, train_Y[:, k], seed).predict_proba(test_Z)[:, 1]
    for k in set(range(train_Y.shape[1])) - set(learnable):
        scores[:, k] = train_Y[:, k].mean()  # a constant class: predict its train frequency
    return {
        **multilabel_metrics(test_Y, scores),
        "learnt_classes": learnable,
        "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "n_train": len(train_Y),
        "n_test": len(test_Y),
    }


def multilabel_knn_probe(
    train_X: np.ndarray, train_Y: np.ndarray, test_X: np.ndarray, test_Y: np.ndarray, k: int
) -> dict[str, Any]:
    """Each class's score is its share among the k most cosine-similar train items."""
    if k < 1:
        raise ValueError(f"k={k} for the kNN probe; give a positive number of neighbours")
    k_used = min(k, len(train_Y))
    similarity = normalize(test_X) @ normalize(train_X).T
    nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k_used]
    scores = np.asarray(train_Y, dtype=np.float64)[nearest].mean(axis=1)
    return {
        **multilabel_metrics(test_Y, scores),
        "k": k_used,
        "metric": "cosine",
        "n_train": len(train_Y),
        "n_test": len(test_Y),
    }
