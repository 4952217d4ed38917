"""Classification metrics shared by every probe, so SSL and baseline rows compare like for like."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray
) -> dict[str, Any]:
    """Accuracy, macro-F1 and balanced accuracy, plus the confusion matrix over ``labels``.

    Macro-F1 averages over the classes that occur in the test labels or the
    predictions (a class predicted but absent scores F1 = 0); a train-only class
    that is never predicted does not dilute it. ``labels`` (all class indices
    known to the probe) only fixes the confusion matrix's rows and columns.
    """
    labels = np.asarray(labels)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "balanced_accuracy": float(_balanced_accuracy(y_true, y_pred)),
        "labels": [int(v) for v in labels],
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def _balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean recall over the classes present in the test labels (sklearn's definition)."""
    with warnings.catch_warnings():
        # Predictions of a class absent from the test labels are simply wrong; no warning.
        warnings.filterwarnings("ignore", message="y_pred contains classes not in y_true")
        return balanced_accuracy_score(y_true, y_pred)
