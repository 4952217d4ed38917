"""Names, versions and index paths: the rules that keep releases inside the cache."""

from __future__ import annotations

import pytest

from sslsci.weights import InvalidNameError, UnsafeIndexError
from sslsci.weights.index import check_file_path
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
