"""Write then load a bundle: identical outputs, eval mode, and metadata that fits the model."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from torch import nn

import sslsci
from sslsci.bundle import load_bundle, read_metadata

from .conftest import CONFIG, MEAN, STD, WINDOW


def test_loaded_backbone_gives_identical_outputs(bundle: Path, backbone: nn.Module) -> None:
    loaded = load_bundle(bundle)
    x = torch.randn(3, 6, WINDOW, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        expected = backbone.forward_features(x)
        found = loaded.backbone.forward_features(x)
    assert torch.equal(found, expected)
    assert not loaded.backbone.training


def test_round_trip_through_the_package_entry_point(bundle: Path, backbone: nn.Module) -> None:
    loaded = sslsci.load_bundle(bundle)
    original = backbone.state_dict()
    for name, tensor in loaded.backbone.state_dict().items():
        assert torch.equal(tensor, original[name]), name


def test_weights_file_holds_only_the_backbone(bundle: Path, backbone: nn.Module) -> None:
    assert set(load_file(bundle / "weights.safetensors")) == set(backbone.state_dict())
    assert set(load_file(bundle / "heads.safetensors")) == {"projector.weight"}


def test_metadata_agrees_with_the_model(bundle: Path) -> None:
    loaded = load_bundle(bundle)
    meta = read_metadata(bundle)
    stem = loaded.backbone.get_submodule(meta.layers.stem)
    assert meta.backbone.stem_name == "stem" == meta.layers.stem
    assert isinstance(stem, nn.Conv1d)
    assert stem.in_channels == len(meta.input.channels) == len(meta.modality.channels)
    assert meta.backbone.num_features == loaded.backbone.num_features == 16
    assert meta.backbone.config == CONFIG
    assert {k: loaded.backbone.config[k] for k in CONFIG} == CONFIG
    assert meta.backbone.accepts["in_channels"] == 6
    assert meta.layers.heads == ["projector.weight"]
    x = np.zeros((6, WINDOW), dtype=np.float32)
    assert loaded.embed(x).shape == (meta.backbone.num_features,)


def test_metadata_records_spec_preprocessing_and_provenance(bundle: Path) -> None:
    document = json.loads((bundle / "sslsci.json").read_text())
    assert document["format_version"] == 1
    assert document["sslsci_version"] == sslsci.__version__
    assert document["plugin"]["name"] == "wearables"
    assert document["modality"]["dims"] == ["channel", "time"]
    assert document["modality"]["sampling"] == {"time": 30.0}
    assert document["input"]["channels"] == ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    assert document["input"]["window"] == {"time": WINDOW}
    assert document["preprocessing"]["standardize"] == {"mean": MEAN, "std": STD}
    assert document["preprocessing"]["normalize"] == {"target_rate": 30}
    assert document["method"] == {"name": "simclr", "hparams": {"temperature": 0.1}}
    assert document["data"]["manifest_sha256"] == "ab" * 32
    assert datetime.fromisoformat(document["created"]).utcoffset() == timedelta(0)
    digest = hashlib.sha256((bundle / "weights.safetensors").read_bytes()).hexdigest()
    assert document["files"]["weights"]["sha256"] == digest


def test_heads_are_dropped_unless_asked(bundle: Path) -> None:
    assert load_bundle(bundle).heads is None
    heads = load_bundle(bundle, drop_heads=False).heads
    assert heads is not None
    assert torch.equal(heads["projector.weight"], torch.arange(12.0).reshape(3, 4))


def test_load_refuses_to_unpickle(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args, **kwargs):
        raise AssertionError("torch.load must never be called")

    monkeypatch.setattr(torch, "load", forbidden)
    load_bundle(bundle)
