"""``model(array)`` on a test item gives the embedding evaluation probed (one definition)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import sslsci
from sslsci.bundle import load_bundle, write_bundle
from sslsci.catalog import load_catalog
from sslsci.data import Standardizer
from sslsci.evaluate import embed_items
from sslsci.evaluate.on_bundle import item_sets
from sslsci.plugins.discovery import get_plugin
from sslsci.store import Workspace


def _bundle(study: Path, out: Path, window: int) -> tuple[Path, Workspace, list, list]:
    catalog = load_catalog(study / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())
    manifest = workspace.manifest()
    train, test = manifest.items(["study"], split="train"), manifest.items(["study"], "test")
    manifest.close()
    config = {"in_channels": 6, "widths": [8, 16]}
    torch.manual_seed(5)
    backbone = get_plugin("wearables").backbones["resnet1d"](**config).eval()
    stats = Standardizer.from_items(train)
    folder = write_bundle(
        out,
        backbone=backbone,
        name="agree",
        plugin_name="wearables",
        backbone_name="resnet1d",
        backbone_config=config,
        preprocessing={"normalize": {}, "standardize": stats.as_dict(), "window": {"time": window}},
        input_contract={},
        method={"name": "simclr"},
        training={},
        data={"manifest_sha256": "ab" * 32, "rows": len(train)},
    )
    return folder, workspace, train, test


@pytest.mark.parametrize(
    "window", [16, 64, 500], ids=["capped-at-max-tiles", "tiles-cover-item", "short-padded"]
)
def test_model_on_a_test_file_reproduces_the_evaluated_embedding(study, tmp_path, window):
    folder, workspace, train, test = _bundle(study, tmp_path / "bundle", window)
    model = load_bundle(folder)
    _, test_set = item_sets(model.metadata, (train, test), workspace)
    evaluated, _ = embed_items(model.backbone, test_set, batch_size=4)
    for row, expected in zip(test, evaluated, strict=True):
        (record,) = sslsci.read(row.uri, "wearables")
        np.testing.assert_allclose(model(record.array), expected, rtol=1e-5, atol=1e-6)
    tiles = {len(test_set[k][0]) for k in range(len(test))}
    assert tiles == {16: {16}, 64: {6}, 500: {1}}[window]  # 360 samples per item
