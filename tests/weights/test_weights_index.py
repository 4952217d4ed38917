"""Names, versions and index paths: the rules that keep releases inside the cache."""

from __future__ import annotations

import json

import pytest

from sslsci.weights import InvalidNameError, UnsafeIndexError
from sslsci.weights.index import MAX_CARD_BYTES, check_file_path, parse_index
from sslsci.weights.locations import registry_urls
from sslsci.weights.names import latest_version, parse_ref

NAME, VERSION = "wearables/model", "1.0"


def test_refs_parse_with_and_without_version() -> None:
    assert parse_ref("wearables/resnet1d-simclr@1.0").version == "1.0"
    assert parse_ref("wearables/resnet1d-simclr").version is None
    with pytest.raises(InvalidNameError):
        parse_ref("wearables/resnet1d@latest")


def test_latest_orders_numerically() -> None:
    assert latest_version(["1.9", "1.10", "1.2.3", "0.99"]) == "1.10"
    assert latest_version([]) is None


@pytest.mark.parametrize(
    "filename", ["weights.safetensors", "sslsci.json", "README.md", "report.md"]
)
def test_layout_paths_are_accepted(filename: str) -> None:
    assert check_file_path(f"{NAME}/{VERSION}/{filename}", NAME, VERSION, "index") == filename


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("wearables/model/1.0/../../x.json", "'..' component"),
        ("/abs/wearables/model/1.0/x.json", "is absolute"),
        ("C:/wearables/model/1.0/x.json", "is absolute"),
        ("file:///etc/passwd", "is absolute"),
        ("wearables/model/1.0//x.json", "empty"),
        ("wearables/model/2.0/x.json", "is not laid out as"),
        ("wearables/model/1.0/a/x.json", "is not laid out as"),
        ("wearables\\model\\1.0\\x.json", "backslash"),
        ("wearables/model/1.0/.x.json", "file name outside"),
        ("wearables/model/1.0/weights.pt", "pickle-based"),
        ("wearables/model/1.0/weights.pth", "pickle-based"),
        ("wearables/model/1.0/run.sh", "not one of the allowed types"),
    ],
)
def test_unsafe_paths_are_refused(path: str, problem: str) -> None:
    with pytest.raises(UnsafeIndexError, match=problem):
        check_file_path(path, NAME, VERSION, "index")


def test_registry_mirrors_come_from_argument_or_environment(monkeypatch) -> None:
    monkeypatch.setenv("SSLSCI_REGISTRY", "https://a.example/r, https://b.example/r")
    assert registry_urls() == ["https://a.example/r", "https://b.example/r"]
    assert registry_urls(["/tmp/x", "https://c.example"]) == ["/tmp/x", "https://c.example"]


def _index_with(card_size: int) -> bytes:
    digest = "0" * 64
    files = [
        {"path": f"{NAME}/{VERSION}/weights.safetensors", "sha256": digest, "size": 10},
        {"path": f"{NAME}/{VERSION}/sslsci.json", "sha256": digest, "size": 10},
        {"path": f"{NAME}/{VERSION}/README.md", "sha256": digest, "size": card_size},
    ]
    card = {
        "modality": "wearables",
        "dims": ["channel", "time"],
        "channels": None,
        "backbone": "resnet1d",
        "num_features": 16,
        "method": "simclr",
        "data_manifest_sha256": digest,
    }
    entry = {
        "created": "2025-01-01T00:00:00Z",
        "published": "2025-01-01T00:00:00Z",
        "sslsci_version": "0.1.0",
        "files": files,
        "card": card,
    }
    document = {"schema_version": 1, "models": {NAME: {"versions": {VERSION: entry}}}}
    return json.dumps(document).encode()


def test_index_bounds_the_listed_card_size() -> None:
    assert parse_index(_index_with(MAX_CARD_BYTES), "index.json").models[NAME]
    with pytest.raises(UnsafeIndexError, match=r"over the 4194304-byte bound for README\.md"):
        parse_index(_index_with(MAX_CARD_BYTES + 1), "index.json")
