"""The suite on seeded synthetic tasks with known answers, against sklearn fit in the test."""

import numpy as np
import pytest
from pydantic import ValidationError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import f1_score, r2_score

from sslsci.data import LabelledWindows, Standardizer
from sslsci.evaluate.embed import embed_items
from sslsci.evaluate.finetune import FinetuneSettings
from sslsci.evaluate.suite import SuiteSettings, fraction_key, run_suite
from sslsci.train.pipeline import EvalConfig
from tests.evaluate.suite_data import SyntheticItems, channel_items

QUICK = SuiteSettings(
    fractions=(0.25, 1.0), seeds=(0, 1), k=5, finetune=FinetuneSettings(max_steps=8, eval_every=4)
)


def test_classification_protocols_fractions_seeds_and_gains(two_class_splits, mean_backbone):
    train, test = two_class_splits
    seen = []
    results, extra = run_suite(
        mean_backbone(), mean_backbone, train, test, settings=QUICK, progress=seen.append
    )
    assert len(results["runs"]) == 2 * 2 * (2 * 2 + 2)  # fractions x seeds x runs per draw
    assert any(line.startswith("finetune random_init 25% seed 1") for line in seen)
    full = results["summary"]["linear"]["ssl"]["100%"]["accuracy"]
    assert full["mean"] == 1.0 and full["n_seeds"] == 2  # up/down is linearly separable
    quarter = results["summary"]["knn"]["ssl"]["25%"]["accuracy"]
    assert quarter["n_labelled"] == 6 and quarter["n_test"] == 12  # round(0.25 * 12) per class
    for protocol in ("linear", "knn", "finetune"):
        for fraction in QUICK.fractions:
            runs = {
                (r["backbone"], r["seed"]): r["accuracy"]
                for r in results["runs"]
                if r["protocol"] == protocol and r["fraction"] == fraction
            }
            gain = results["gain"][protocol][fraction_key(fraction)]["accuracy"]
            paired = [runs["ssl", s] - runs["random_init", s] for s in QUICK.seeds]
            assert gain["values"] == pytest.approx(paired)
    assert extra["test_embedding"].shape == (12, 2)
    tuned = [r for r in results["runs"] if r["protocol"] == "finetune"]
    assert all(1 <= r["finetune"]["steps"] <= 8 for r in tuned)


def test_regression_recovers_a_linear_target_like_sklearn(mean_backbone):
    values, means = channel_items(90, 3, seed=2)
    target = means @ np.array([1.5, -2.0, 0.5]) + 0.3
    train = SyntheticItems(values[:60], target[:60], "regression")
    test = SyntheticItems(values[60:], target[60:], "regression")
    backbone = mean_backbone(3)
    settings = SuiteSettings(fractions=(1.0,), seeds=(0,), k=5, finetune=None)
    results, _ = run_suite(
        backbone, lambda: mean_backbone(3), train, test, kind="regression", settings=settings
    )
    train_X, train_y = embed_items(backbone, train)
    test_X, test_y = embed_items(backbone, test)
    reference = r2_score(test_y, LinearRegression().fit(train_X, train_y).predict(test_X))
    r2 = results["summary"]["linear"]["ssl"]["100%"]["r2"]["mean"]
    assert reference > 0.99 and r2 == pytest.approx(reference, abs=0.01)
    mae = results["summary"]["linear"]["ssl"]["100%"]["mae"]["mean"]
    assert mae < 0.1 * np.abs(test_y - test_y.mean()).mean()


def test_multilabel_finds_a_known_label_set_like_sklearn(mean_backbone):
    values, means = channel_items(120, 3, seed=5)
    labels = (means > 0).astype(float)  # each channel's sign is one label
    train = SyntheticItems(values[:80], labels[:80], "multilabel")
    test = SyntheticItems(values[80:], labels[80:], "multilabel")
    backbone = mean_backbone(3)
    settings = SuiteSettings(
        fractions=(1.0,), seeds=(0,), k=5, finetune=FinetuneSettings(max_steps=4, eval_every=2)
    )
    results, _ = run_suite(
        backbone, lambda: mean_backbone(3), train, test, kind="multilabel", settings=settings
    )
    train_X, _ = embed_items(backbone, train)
    test_X, _ = embed_items(backbone, test)
    predicted = np.stack(
        [
            LogisticRegression(C=100.0).fit(train_X, labels[:80, k]).predict(test_X)
            for k in range(3)
        ],
        axis=1,
    )
    reference = f1_score(labels[80:], predicted, average="micro")
    cell = results["summary"]["linear"]["ssl"]["100%"]
    assert reference > 0.95 and cell["micro_f1"]["mean"] == pytest.approx(reference, abs=0.05)
    assert cell["mean_average_precision"]["mean"] > 0.95
    assert "finetune" in results["summary"]


def test_pipeline_declares_the_budget_and_a_misspelt_key_errors():
    config = EvalConfig(entry="e", finetune={"max_steps": 7, "lr": 0.01}, fractions=[0.1, 1])
    assert config.finetune.max_steps == 7 and config.seeds == 3
    assert EvalConfig(entry="e").fractions == [0.01, 0.1, 1.0]
    with pytest.raises(ValidationError, match="max_step"):
        EvalConfig(entry="e", finetune={"max_step": 7})
    with pytest.raises(ValidationError):
        EvalConfig(entry="e", fractions=[0.0])


def test_catalog_labels_as_regression_targets(store, put_items, mean_backbone):
    rng = np.random.default_rng(3)
    arrays, truth = [], []
    for index in range(40):
        values = rng.normal(0, 1, (2, 8)).astype(np.float32)
        truth.append(float(2 * values[0].mean() - values[1].mean()))
        arrays.append((str(index), values, f"{truth[-1]!r}", "train" if index < 30 else "test"))
    rows = put_items(arrays)
    sets = [
        LabelledWindows(
            store,
            [r for r in rows if r.split == split],
            {"time": 8},
            Standardizer((0.0, 0.0), (1.0, 1.0)),
            [],
            regression=True,
        )
        for split in ("train", "test")
    ]
    assert float(sets[1][0][1]) == pytest.approx(truth[30], rel=1e-6)
    settings = SuiteSettings(fractions=(1.0,), seeds=(0,), k=3, finetune=None)
    results, _ = run_suite(
        mean_backbone(), mean_backbone, *sets, kind="regression", settings=settings
    )
    assert results["summary"]["linear"]["ssl"]["100%"]["r2"]["mean"] > 0.99


def test_knn_with_one_label_per_class_votes_with_one_neighbour():
    from sslsci.evaluate.suite import probe

    train_X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    test_X = train_X * 2 + 0.1
    labels = np.arange(4)
    result = probe("classification", "knn", (train_X, labels), (test_X, labels), k=5, seed=0)
    assert result["k"] == 1 and result["accuracy"] == 1.0  # cosine nearest is its own class
