"""``sslsci weights list / info / export-hf`` and loading a Hugging Face layout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from sslsci.bundle import BundleError, UnsafeFileError, load_bundle
from sslsci.weights import load_pretrained

from .conftest import NAME, invoke, make_bundle, sample
from .http_registry import RegistryServer


def test_list_shows_models_and_filters_by_modality(server: RegistryServer) -> None:
    result = invoke("list", "--registry", server.url, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["name"], r["versions"]) for r in rows] == [(NAME, ["1.0"])]
    assert rows[0]["latest"]["card"]["method"] == "simclr"
    table = invoke("list", "--registry", server.url)
    assert NAME in table.stdout and "resnet1d" in table.stdout
    empty = invoke("list", "--registry", server.url, "--modality", "speech", "--json")
    assert json.loads(empty.stdout) == []


def test_info_shows_the_verified_card(server: RegistryServer) -> None:
    result = invoke("info", NAME, "--registry", server.url)
    assert result.exit_code == 0, result.output
    assert f"{NAME}@1.0" in result.stdout
    assert "weights.safetensors" in result.stdout
    assert "## Results" in result.stdout
    assert f"sslsci.load_pretrained('{NAME}@1.0')" in result.stdout


def test_info_of_a_missing_version_lists_the_existing_ones(server: RegistryServer) -> None:
    result = invoke("info", f"{NAME}@9.9", "--registry", server.url)
    assert result.exit_code == 2
    assert "has no version '9.9'" in result.stderr and "it has 1.0" in result.stderr


def test_list_without_a_registry_says_how_to_give_one() -> None:
    result = invoke("list")
    assert result.exit_code == 2
    assert "set SSLSCI_REGISTRY" in result.stderr


def test_export_hf_layout_loads_like_the_bundle(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "hf"
    result = invoke("export-hf", bundle, out, "--license", "apache-2.0")
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "config.json",
        "model.safetensors",
        "heads.safetensors",
        "README.md",
    }
    card = (out / "README.md").read_text()
    front = yaml.safe_load(card.split("---\n")[1])
    assert front["library_name"] == "sslsci"
    assert front["license"] == "apache-2.0"
    assert {"sslsci", "wearables", "simclr"} <= set(front["tags"])
    config = json.loads((out / "config.json").read_text())
    assert config["files"]["weights"]["path"] == "model.safetensors"
    expected = load_bundle(bundle)(sample())
    assert np.array_equal(load_pretrained(out)(sample()), expected)
    assert load_pretrained(str(out), drop_heads=False).heads is not None


def test_hf_folder_with_only_pickle_weights_is_refused(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "hf"
    invoke("export-hf", bundle, out)
    shutil.move(out / "model.safetensors", out / "pytorch_model.bin")
    with pytest.raises(UnsafeFileError, match=r"pickle-based"):
        load_pretrained(out)


def test_adapt_and_drop_heads_through_load_pretrained(bundle: Path) -> None:
    model = load_pretrained(bundle, adapt_in_channels=3)
    assert model.in_channels == 3
    assert model(sample()[:3]).shape == (16,)
    assert model.heads is None


def test_unknown_name_that_is_not_a_folder_is_explained(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=r"neither a bundle folder .* nor a model name"):
        load_pretrained(str(tmp_path / "Not A Model"))


def test_export_refuses_a_tampered_bundle(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "b")
    (bundle / "heads.safetensors").write_bytes(b"junk")
    with pytest.raises(BundleError, match=r"heads.safetensors is 4 bytes"):
        from sslsci.weights import export_hf

        export_hf(bundle, tmp_path / "hf")
