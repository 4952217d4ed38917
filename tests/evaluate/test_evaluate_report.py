"""report.json, report.md and the confusion-matrix PNG carry the numbers."""

import json

from matplotlib.image import imread

from sslsci.evaluate import write_report
from sslsci.evaluate.report import CONFUSION_PNG


def probe(acc: float, f1: float, bal: float, **extra) -> dict:
    return {
        "accuracy": acc,
        "macro_f1": f1,
        "balanced_accuracy": bal,
        "labels": [0, 1, 2],
        "confusion_matrix": [[5, 1, 0], [0, 4, 2], [1, 0, 7]],
        "n_train": 60,
        "n_test": 20,
        **extra,
    }


def results(synthetic: bool, leakage: list[str] | None = None) -> dict:
    row = {
        "linear": probe(0.9123, 0.8765, 0.8555, C=0.1, cv_folds=5, cv_accuracy=0.8, converged=True),
        "knn": probe(0.8111, 0.7222, 0.7333, k=20, vote="majority", metric="cosine"),
    }
    base = {
        "linear": probe(
            0.4444, 0.4111, 0.4222, C=10.0, cv_folds=5, cv_accuracy=0.4, converged=True
        ),
        "knn": probe(0.3556, 0.3333, 0.3444, k=20, vote="majority", metric="cosine"),
    }
    return {
        "ssl": row,
        "random_init": base,
        "n_train": 60,
        "n_test": 20,
        "classes": ["walk", "run", "sit"],
        "synthetic": synthetic,
        "leakage": leakage or [],
    }


def test_files_hold_the_numbers(tmp_path) -> None:
    data = results(synthetic=False)
    json_path, md_path = write_report(data, tmp_path / "bundle", title="demo on task")
    assert json.loads(json_path.read_text()) == data
    text = md_path.read_text()
    assert "# demo on task" in text
    assert "| SSL | 0.912 | 0.876 | 0.856 | 0.811 | 0.722 |" in text
    assert "| random init | 0.444 | 0.411 | 0.422 | 0.356 | 0.333 |" in text
    assert "n_train = 60, n_test = 20" in text
    assert "SSL C = 0.1" in text and "k = 20" in text
    assert "synthetic" not in text.lower()
    assert "Leakage" not in text
    image = imread(tmp_path / "bundle" / CONFUSION_PNG)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert f"]({CONFUSION_PNG})" in text


def test_synthetic_labels_and_leakage_are_stated(tmp_path) -> None:
    _, md_path = write_report(results(True, ["file://a.ts", "file://b.ts"]), tmp_path, "t")
    text = md_path.read_text()
    assert "**Labels are synthetic**" in text
    assert "**Leakage**: 2 test file(s)" in text and "file://a.ts" in text
