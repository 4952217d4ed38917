"""The fine-tuning head starts as the linear probe (LP-FT), checked against sklearn fits."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from sslsci.evaluate.finetune import FinetuneSettings, finetune, predict
from sslsci.evaluate.head_init import folded_linear, probe_head
from tests.evaluate.suite_data import SyntheticItems, channel_items


def test_folded_linear_is_the_standardised_model_on_raw_features():
    rng = np.random.default_rng(0)
    weight, bias = rng.normal(size=(3, 4)), rng.normal(size=3)
    mean, scale = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
    x = rng.normal(size=(6, 4))
    head = folded_linear(weight, bias, mean, scale)
    expected = ((x - mean) / scale) @ weight.T + bias
    got = head(torch.from_numpy(x).float()).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_softmax_head_agrees_with_an_independent_standardised_fit():
    rng = np.random.default_rng(1)
    centres = rng.normal(0, 2, (4, 6))
    y = np.repeat(np.arange(4), 15)
    X = centres[y] + rng.normal(0, 1.5, (60, 6)) + 10.0  # offset: folding must undo it
    head = probe_head("classification", X, y, outputs=4, seed=0)
    logits = head(torch.from_numpy(X).float()).detach().numpy()
    # an independent fit of the standardised model at C=1 agrees on nearly every sample
    scaler = StandardScaler().fit(X)
    reference = LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(X), y)
    agree = (logits.argmax(1) == reference.predict(scaler.transform(X))).mean()
    assert agree >= 0.9
    assert (logits.argmax(1) == y).mean() >= 0.8


def test_binary_subset_of_four_classes_never_predicts_the_absent_ones():
    rng = np.random.default_rng(2)
    y = np.array([0, 2] * 10)
    X = np.where(y[:, None] == 2, 1.0, -1.0) + rng.normal(0, 0.3, (20, 3))
    head = probe_head("classification", X, y, outputs=4, seed=0)
    probe = rng.normal(0, 3, (200, 3))
    predicted = head(torch.from_numpy(probe).float()).argmax(1).numpy()
    assert set(predicted.tolist()) <= {0, 2}
    on_train = head(torch.from_numpy(X).float()).argmax(1).numpy()
    np.testing.assert_array_equal(on_train, y)


def test_regression_head_recovers_a_linear_target_in_the_finetune_scale():
    rng = np.random.default_rng(3)
    X = rng.normal(0, 1, (80, 5)) * np.array([1, 10, 0.1, 3, 1])
    y = X @ np.array([2.0, -0.1, 5.0, 0.5, 0.0]) + 7.0
    scale = (float(y.mean()), float(y.std()))
    head = probe_head("regression", X, y, outputs=1, seed=0, target_scale=scale)
    scaled = head(torch.from_numpy(X).float())[:, 0].detach().numpy()
    reference = Ridge(alpha=1e-3).fit(X, y).predict(X)
    np.testing.assert_allclose(scaled * scale[1] + scale[0], reference, atol=0.05)


def test_multilabel_head_keeps_a_constant_class_at_its_rate():
    rng = np.random.default_rng(4)
    X = rng.normal(0, 1, (40, 3))
    y = np.stack([(X[:, 0] > 0), (X[:, 1] > 0), np.zeros(40, bool)], axis=1).astype(float)
    head = probe_head("multilabel", X, y, outputs=3, seed=0)
    probabilities = torch.sigmoid(head(torch.from_numpy(X).float())).detach().numpy()
    assert ((probabilities[:, :2] > 0.5) == y[:, :2].astype(bool)).mean() >= 0.95
    np.testing.assert_allclose(probabilities[:, 2], 0.01, rtol=1e-4)


def _items(seed: int) -> SyntheticItems:
    values, means = channel_items(60, 3, seed)
    return SyntheticItems(values, (means[:, 0] > 0).astype(int), "classification")


@pytest.mark.parametrize("head_init", ["probe", "random"])
def test_a_harmful_budget_keeps_the_step_zero_model(mean_backbone, head_init):
    """With a learning rate that wrecks the model, early stopping returns the start:
    the linear probe itself for ``probe``, and the untrained model for ``random``."""
    torch.manual_seed(0)
    backbone = mean_backbone(3)
    data = _items(0)
    fit, held = np.arange(0, 40), np.arange(40, 60)
    wreck = FinetuneSettings(
        max_steps=20, lr=1e4, backbone_lr_scale=1.0, eval_every=5, head_init=head_init
    )
    model, head, log = finetune(
        backbone, data, fit, held, kind="classification", outputs=2, settings=wreck, seed=0
    )
    assert log["best_step"] == 0 and log["history"][0]["step"] == 0
    torch.testing.assert_close(model.weight, backbone.weight)
    if head_init == "probe":
        accuracy = (predict(model, head, data, "classification") == data.targets).mean()
        assert accuracy >= 0.9  # the probe on per-channel means separates the sign of mean 0
