"""Metrics against a small case worked out by hand."""

import numpy as np
import pytest

from sslsci.evaluate import classification_metrics

# y_true / y_pred by hand:
#   class 0: TP=2 FP=0 FN=1 -> P=1,   R=2/3, F1=0.8
#   class 1: TP=1 FP=1 FN=1 -> P=1/2, R=1/2, F1=0.5
#   class 2: TP=1 FP=1 FN=0 -> P=1/2, R=1,   F1=2/3
Y_TRUE = np.array([0, 0, 0, 1, 1, 2])
Y_PRED = np.array([0, 0, 1, 1, 2, 2])


def test_hand_computed_three_class_case() -> None:
    metrics = classification_metrics(Y_TRUE, Y_PRED, np.array([0, 1, 2]))
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert metrics["balanced_accuracy"] == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert metrics["confusion_matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_train_only_class_widens_the_matrix_but_not_macro_f1() -> None:
    metrics = classification_metrics(Y_TRUE, Y_PRED, np.array([0, 1, 2, 3]))
    assert metrics["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert metrics["labels"] == [0, 1, 2, 3]
    assert metrics["confusion_matrix"][3] == [0, 0, 0, 0]
    assert [row[3] for row in metrics["confusion_matrix"]] == [0, 0, 0, 0]


def test_predicting_an_absent_class_costs_macro_f1() -> None:
    # Class 1 is predicted once but never true: its F1 is 0 and it joins the average.
    # class 0: TP=1 FP=0 FN=1 -> F1 = 2/3; class 2: TP=2, FP=0, FN=0 -> F1 = 1.
    metrics = classification_metrics(
        np.array([0, 0, 2, 2]), np.array([0, 1, 2, 2]), np.array([0, 1, 2])
    )
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0 + 1) / 3)
    assert metrics["balanced_accuracy"] == pytest.approx((1 / 2 + 1) / 2)
