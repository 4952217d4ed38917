"""The fine-tuning head starts as the linear probe (LP-FT, Kumar et al. 2022).

A fresh random head on a pretrained backbone sends large, uninformed gradients into the
backbone in the first steps and distorts its features before the head is any good; with
a few labels and a small step budget, fine-tuning then ends below the frozen probe. So the
head is first fitted on the frozen embeddings of the labelled subset (a standardised
linear model, as the probes fit) and the standardisation is folded into its weights:
step 0 of fine-tuning predicts what a linear probe on those samples predicts.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV, RidgeCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits
from torch import nn

from sslsci.evaluate.probes import DEFAULT_CS, MAX_ITER

ABSENT_CLASS_MARGIN = 10.0  # logits below the lowest bias for a class the subset lacks
RIDGE_ALPHAS = tuple(float(a) for a in np.logspace(-3, 3, 7))


def probe_head(
    kind: str,
    features: np.ndarray,
    targets: np.ndarray,
    outputs: int,
    seed: int,
    target_scale: tuple[float, float] | None = None,
) -> nn.Linear:
    """A linear head ``[outputs, num_features]`` fitted on frozen ``features``.

    Classification: multinomial logistic regression, C by cross-validation when every
    class has two samples. Multi-label: one logistic regression per class. Regression:
    ridge (alpha by leave-one-out) on targets standardised by ``target_scale``, the scale
    the fine-tuning loss uses.
    """
    scaler = StandardScaler().fit(features)
    standardised = scaler.transform(features)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if kind == "regression":
            weight, bias = _ridge(standardised, targets, target_scale)
        elif kind == "multilabel":
            weight, bias = _per_class_logistic(standardised, targets, seed)
        else:
            weight, bias = _softmax(standardised, targets, outputs, seed)
    return folded_linear(weight, bias, scaler.mean_, scaler.scale_)


def folded_linear(
    weight: np.ndarray, bias: np.ndarray, mean: np.ndarray, scale: np.ndarray
) -> nn.Linear:
    """``W (x - mean) / scale + b`` as one ``nn.Linear`` on raw features."""
    folded_weight = weight / scale[None, :]
    folded_bias = bias - folded_weight @ mean
    head = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(folded_weight))
        head.bias.copy_(torch.from_numpy(folded_bias))
    return head


def _softmax(
    X: np.ndarray, y: np.ndarray, outputs: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise ValueError(
            f"the labelled subset has only class {classes.tolist()}; fine-tuning needs two"
        )
    if counts.min() >= 2:
        model = LogisticRegressionCV(
            Cs=list(DEFAULT_CS),
            cv=StratifiedKFold(
                n_splits=max(2, min(5, int(counts.min()))), shuffle=True, random_state=seed
            ),
            scoring="accuracy",
            l1_ratios=(0.0,),
            max_iter=MAX_ITER,
            random_state=seed,
            use_legacy_attributes=False,
        )
    else:
        model = LogisticRegression(C=1.0, max_iter=MAX_ITER, random_state=seed)
    model.fit(X, y)
    coef, intercept = model.coef_, model.intercept_
    if len(classes) == 2:  # one logit for class 1; softmax([0, z]) is the same model
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.array([0.0, intercept[0]])
    weight = np.zeros((outputs, X.shape[1]))
    bias = np.full(outputs, intercept.min() - ABSENT_CLASS_MARGIN)
    weight[classes.astype(int)] = coef
    bias[classes.astype(int)] = intercept
    return weight, bias


def _per_class_logistic(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    weight = np.zeros((y.shape[1], X.shape[1]))
    bias = np.zeros(y.shape[1])
    for column in range(y.shape[1]):
        target = (np.asarray(y[:, column]) > 0).astype(int)
        if target.min() == target.max():  # constant in the subset: its log-odds, clipped
            rate = float(np.clip(target.mean(), 0.01, 0.99))
            bias[column] = np.log(rate / (1 - rate))
            continue
        model = LogisticRegression(C=1.0, max_iter=MAX_ITER, random_state=seed).fit(X, target)
        weight[column], bias[column] = model.coef_[0], model.intercept_[0]
    return weight, bias


def _ridge(
    X: np.ndarray, y: np.ndarray, target_scale: tuple[float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    mean, std = target_scale or (0.0, 1.0)
    model = RidgeCV(alphas=RIDGE_ALPHAS).fit(X, (np.asarray(y, dtype=float) - mean) / std)
    return model.coef_[None, :], np.atleast_1d(model.intercept_)
