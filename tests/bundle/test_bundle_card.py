"""The model card and evaluation updates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sslsci.bundle import BundleError, update_bundle_evaluation


def test_card_has_the_sections_and_the_results_table(bundle: Path) -> None:
    card = (bundle / "README.md").read_text()
    for section in (
        "## Usage",
        "## Intended use",
        "## Data",
        "## Method",
        "## Results",
        "## Limitations",
    ):
        assert section in card
    assert "| activity / ssl / linear_probe | 0.75 |" in card
    assert "model = sslsci.load_pretrained(" in card
    assert "embedding = model(array)" in card


def test_update_evaluation_merges_and_rerenders(bundle: Path) -> None:
    update_bundle_evaluation(
        bundle, {"activity": {"random_init": {"linear_probe": {"accuracy": 0.25}}}}
    )
    document = json.loads((bundle / "sslsci.json").read_text())
    assert document["evaluation"]["activity"] == {
        "ssl": {"linear_probe": {"accuracy": 0.75}},
        "random_init": {"linear_probe": {"accuracy": 0.25}},
    }
    card = (bundle / "README.md").read_text()
    assert "| activity / ssl / linear_probe | 0.75 |" in card
    assert "| activity / random_init / linear_probe | 0.25 |" in card


def test_update_evaluation_refuses_non_json_values(bundle: Path) -> None:
    with pytest.raises(BundleError, match=r"results must hold only JSON values"):
        update_bundle_evaluation(bundle, {"bad": object()})
