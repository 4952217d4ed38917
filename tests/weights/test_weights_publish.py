"""Publishing: immutable versions, name rules, atomic index, racing publishers."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from sslsci.weights import InvalidNameError, PublishError, UnsafeIndexError, publish, pull
from sslsci.weights.index import parse_index

from .conftest import FAST, NAME, invoke, make_bundle


def test_index_lists_files_card_and_provenance(registry: Path, bundle: Path) -> None:
    index = parse_index((registry / "index.json").read_bytes(), "index.json")
    entry = index.models[NAME].versions["1.0"]
    files = {f.path: f for f in entry.files}
    assert set(files) == {
        f"{NAME}/1.0/{n}"
        for n in ("weights.safetensors", "heads.safetensors", "sslsci.json", "README.md")
    }
    weights = files[f"{NAME}/1.0/weights.safetensors"]
    assert weights.size == (bundle / "weights.safetensors").stat().st_size
    assert entry.card.modality == "wearables"
    assert entry.card.backbone == "resnet1d"
    assert entry.card.method == "simclr"
    assert entry.card.data_manifest_sha256 == "cd" * 32
    assert entry.card.results == {"activity/ssl/linear_probe/accuracy": 0.8}
    assert index.schema_version == 1
    card = (registry / NAME / "1.0" / "README.md").read_text()
    assert f"sslsci.load_pretrained('{NAME}@1.0')" in card
    assert not list(registry.glob(".index.json*.tmp"))


def test_same_version_twice_is_refused(registry: Path, bundle: Path) -> None:
    before = (registry / "index.json").read_bytes()
    result = invoke("publish", bundle, "--registry", registry, "--name", NAME, "--version", "1.0")
    assert result.exit_code == 2
    assert f"{NAME}@1.0 is already published" in result.stderr
    assert "immutable" in result.stderr
    assert (registry / "index.json").read_bytes() == before


def test_new_version_is_added_and_becomes_latest(registry: Path, tmp_path: Path) -> None:
    other = make_bundle(tmp_path / "other", seed=1)
    publish(other, str(registry), NAME, "1.10")
    publish(other, str(registry), NAME, "1.9")
    folder = pull(NAME, registry=str(registry), progress=False, retry=FAST)
    assert folder.name == "1.10"


@pytest.mark.parametrize(
    "name", ["Wearables/model", "wearables", "wearables/../x", "a/b/c", "wearables/.hidden", ""]
)
def test_bad_names_are_refused(bundle: Path, tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidNameError, match="use 'modality/model' in lowercase"):
        publish(bundle, str(tmp_path / "r"), name, "1.0")


@pytest.mark.parametrize("version", ["v1", "1.0-beta", "../1", "1..0", ""])
def test_bad_versions_are_refused(bundle: Path, tmp_path: Path, version: str) -> None:
    with pytest.raises(InvalidNameError, match="use dotted integers"):
        publish(bundle, str(tmp_path / "r"), NAME, version)


def test_name_must_start_with_the_bundle_modality(bundle: Path, tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="name it 'wearables/resnet1d'"):
        publish(bundle, str(tmp_path / "r"), "speech/resnet1d", "1.0")


def test_http_registries_are_read_only(bundle: Path) -> None:
    with pytest.raises(PublishError, match="read-only"):
        publish(bundle, "https://example.org/registry", NAME, "1.0")


def test_a_tampered_bundle_is_not_published(bundle: Path, tmp_path: Path) -> None:
    weights = bundle / "weights.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1] + b"\x00")
    result = invoke(
        "publish", bundle, "--registry", tmp_path / "r", "--name", NAME, "--version", "1.0"
    )
    assert result.exit_code == 2
    assert "sha256" in result.stderr
    assert not (tmp_path / "r" / "index.json").exists()


def test_unknown_index_schema_is_refused(registry: Path, bundle: Path) -> None:
    index = registry / "index.json"
    document = json.loads(index.read_text())
    document["schema_version"] = 2
    index.write_text(json.dumps(document))
    with pytest.raises(UnsafeIndexError, match="field 'schema_version' is 2"):
        publish(bundle, str(registry), NAME, "2.0")


def _publish_versions(bundle: str, registry: str, versions: list[str]) -> list[str]:
    for version in versions:
        publish(bundle, registry, NAME, version)
    return versions


def test_racing_publishers_both_land_in_the_index(bundle: Path, tmp_path: Path) -> None:
    registry = tmp_path / "shared-registry"
    jobs = [["1.0", "1.1", "1.2", "1.3"], ["2.0", "2.1", "2.2", "2.3"]]
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        pool.starmap(_publish_versions, [(str(bundle), str(registry), v) for v in jobs])
    index = parse_index((registry / "index.json").read_bytes(), "index.json")
    assert sorted(index.models[NAME].versions) == sorted(jobs[0] + jobs[1])
    for version in jobs[0] + jobs[1]:
        assert (registry / NAME / version / "weights.safetensors").is_file()


def test_object_store_registry_round_trip(bundle: Path) -> None:
    """Any fsspec URL works as a registry; memory:// stands in for s3:// here."""
    url = "memory://sslsci-test-registry"
    publish(bundle, url, NAME, "1.0")
    with pytest.raises(PublishError, match="already published"):
        publish(bundle, url, NAME, "1.0")
    folder = pull(NAME, registry=url, progress=False, retry=FAST)
    assert (folder / "weights.safetensors").read_bytes() == (
        bundle / "weights.safetensors"
    ).read_bytes()
