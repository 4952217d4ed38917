"""A tiny bundle, a registry published by the CLI, an HTTP server over it, a clean cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from sslsci.bundle import write_bundle
from sslsci.cli.weights import weights_app as app
from sslsci.plugins.discovery import get_plugin
from sslsci.weights import RetryPolicy

from .http_registry import RegistryServer

NAME = "wearables/resnet1d-simclr"
WEIGHTS_PATH = f"{NAME}/1.0/weights.safetensors"
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, timeout=10.0)


def make_bundle(folder: Path, seed: int = 0) -> Path:
    """A small wearables ResNet1D bundle with seeded weights."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        backbone = get_plugin("wearables").backbones["resnet1d"](
            widths=[8, 16], blocks_per_stage=1
        )
    return write_bundle(
        folder,
        backbone=backbone.eval(),
        name="resnet1d-simclr",
        plugin_name="wearables",
        backbone_name="resnet1d",
        backbone_config={"widths": [8, 16], "blocks_per_stage": 1},
        preprocessing={"normalize": {"target_rate": 30}, "window": {"time": 60}},
        input_contract={},
        method={"name": "simclr", "hparams": {"temperature": 0.1}},
        training={"max_steps": 20},
        data={"manifest_sha256": "cd" * 32, "rows": 8, "catalog": [{"name": "demo"}]},
        evaluation={"activity": {"ssl": {"linear_probe": {"accuracy": 0.8}}}},
        heads={"projector.weight": torch.ones(2, 16)},
    )


def invoke(*args: str):
    """Run ``sslsci weights ARGS`` through Typer's test runner."""
    return CliRunner().invoke(app, [str(a) for a in args])


def cache_files(cache: Path) -> list[Path]:
    """Every file in the weights cache except the (empty) lock files."""
    root = cache / "weights"
    return [p for p in root.rglob("*") if p.is_file() and ".locks" not in p.parts]


def sample(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((6, 90)).astype(np.float32)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "bundle")


@pytest.fixture
def registry(tmp_path: Path, bundle: Path) -> Path:
    """A local registry holding NAME@1.0, published with the CLI."""
    folder = tmp_path / "registry"
    result = invoke("publish", bundle, "--registry", folder, "--name", NAME, "--version", "1.0")
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def server(registry: Path) -> Iterator[RegistryServer]:
    with RegistryServer(registry) as running:
        yield running


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache via $SSLSCI_CACHE; no registry or offline mode from the environment."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SSLSCI_CACHE", str(folder))
    monkeypatch.delenv("SSLSCI_OFFLINE", raising=False)
    monkeypatch.delenv("SSLSCI_REGISTRY", raising=False)
    return folder
