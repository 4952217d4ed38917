"""Pull, verify, resume and load over a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import sslsci
from sslsci.bundle import load_bundle
from sslsci.weights import (
    IntegrityError,
    OfflineError,
    TransferError,
    UnsafeIndexError,
    load_pretrained,
    pull,
)
from sslsci.weights.index import MAX_INDEX_BYTES
from sslsci.weights.transfer import RetryPolicy

from .conftest import FAST, NAME, WEIGHTS_PATH, cache_files, invoke, sample
from .http_registry import RegistryServer, closed_port_url


def test_cli_pull_then_load_and_run(server: RegistryServer, bundle: Path, cache: Path) -> None:
    result = invoke("pull", f"{NAME}@1.0", "--registry", server.url, "--no-progress")
    assert result.exit_code == 0, result.output
    folder = Path(result.stdout.strip())
    assert folder == cache / "weights" / NAME / "1.0"
    assert {p.name for p in folder.iterdir()} == {
        "weights.safetensors",
        "heads.safetensors",
        "sslsci.json",
        "README.md",
        "registry-entry.json",
    }
    model = sslsci.load_pretrained(f"{NAME}@1.0", registry=server.url, progress=False)
    expected = load_bundle(bundle)(sample())
    assert np.array_equal(model(sample()), expected)
    assert [r.range for r in server.requests_for(WEIGHTS_PATH)] == [None]


def test_latest_version_and_cache_reuse(server: RegistryServer, cache: Path) -> None:
    first = pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert first.name == "1.0"
    requests_before = len(server.log)
    assert pull(f"{NAME}@1.0", registry=server.url, progress=False) == first
    assert len(server.log) == requests_before  # a verified cached version needs no network


def test_corrupt_cached_file_is_downloaded_again(server: RegistryServer) -> None:
    folder = pull(f"{NAME}@1.0", registry=server.url, progress=False, retry=FAST)
    weights = folder / "weights.safetensors"
    weights.write_bytes(b"\0" + weights.read_bytes()[1:])
    pull(f"{NAME}@1.0", registry=server.url, progress=False, retry=FAST)
    assert len(server.requests_for(WEIGHTS_PATH)) == 2
    load_bundle(folder)


def test_flipped_byte_is_refused_and_cache_left_clean(
    server: RegistryServer, registry: Path, cache: Path
) -> None:
    path = registry / WEIGHTS_PATH
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match=r"weights\.safetensors has sha256 .* index lists"):
        pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert cache_files(cache) == []


def test_truncated_file_is_refused_and_cache_left_clean(
    server: RegistryServer, registry: Path, cache: Path
) -> None:
    path = registry / WEIGHTS_PATH
    path.write_bytes(path.read_bytes()[:-64])
    with pytest.raises(IntegrityError, match=r"registry is truncated"):
        pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert cache_files(cache) == []


def _edit_index(registry: Path, change) -> None:
    path = registry / "index.json"
    document = json.loads(path.read_text())
    change(document["models"][NAME]["versions"]["1.0"]["files"])
    path.write_text(json.dumps(document))


def test_pickle_file_in_index_is_refused(
    server: RegistryServer, registry: Path, cache: Path
) -> None:
    (registry / NAME / "1.0" / "model.pkl").write_bytes(b"not even a pickle")
    _edit_index(
        registry,
        lambda files: files.append(
            {"path": f"{NAME}/1.0/model.pkl", "sha256": "0" * 64, "size": 17}
        ),
    )
    with pytest.raises(UnsafeIndexError, match=r"refusing 'model.pkl': .pkl files are pickle"):
        pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert cache_files(cache) == []
    assert server.requests_for(f"{NAME}/1.0/model.pkl") == []


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        (f"{NAME}/1.0/../../../escape.safetensors", "'..' component"),
        ("/etc/escape.safetensors", "is absolute"),
        (f"{NAME}/1.0/sub/deeper.safetensors", "is not laid out as"),
        (f"{NAME}/1.0\\..\\escape.safetensors", "backslash"),
    ],
)
def test_paths_that_could_escape_are_refused(
    server: RegistryServer, registry: Path, cache: Path, path: str, problem: str
) -> None:
    def redirect(files: list[dict]) -> None:
        files[0]["path"] = path

    _edit_index(registry, redirect)
    with pytest.raises(UnsafeIndexError, match=problem):
        pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert cache_files(cache) == []
    assert not (cache.parent / "escape.safetensors").exists()


def test_oversized_index_is_refused(server: RegistryServer, registry: Path, cache: Path) -> None:
    index = registry / "index.json"
    document = index.read_text()
    index.write_text(document[:-2] + " " * MAX_INDEX_BYTES + document[-2:])
    with pytest.raises(UnsafeIndexError, match=r"larger than the 4194304-byte bound"):
        pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert cache_files(cache) == []


def test_cut_download_resumes_with_a_range_request(
    server: RegistryServer, registry: Path, bundle: Path
) -> None:
    half = (registry / WEIGHTS_PATH).stat().st_size // 2
    server.faults.cut_after[WEIGHTS_PATH] = half
    folder = pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert [r.range for r in server.requests_for(WEIGHTS_PATH)] == [None, f"bytes={half}-"]
    assert (folder / "weights.safetensors").read_bytes() == (
        bundle / "weights.safetensors"
    ).read_bytes()


def test_interrupted_pull_keeps_the_part_and_the_next_pull_resumes(
    server: RegistryServer, registry: Path, cache: Path
) -> None:
    half = (registry / WEIGHTS_PATH).stat().st_size // 2
    server.faults.cut_after[WEIGHTS_PATH] = half
    once = RetryPolicy(attempts=1, base_delay=0.0, timeout=10.0)
    with pytest.raises(TransferError, match=r"run the same pull again to resume"):
        pull(NAME, registry=server.url, progress=False, retry=once)
    part = cache / "weights" / ".staging" / NAME / "1.0" / "weights.safetensors.part"
    assert part.stat().st_size == half
    pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert server.requests_for(WEIGHTS_PATH)[-1].range == f"bytes={half}-"
    assert not part.exists()


def test_server_errors_are_retried(server: RegistryServer) -> None:
    server.faults.unavailable[WEIGHTS_PATH] = 2
    pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert len(server.requests_for(WEIGHTS_PATH)) == 3


def test_first_mirror_down_second_serves(server: RegistryServer, monkeypatch) -> None:
    monkeypatch.setenv("SSLSCI_REGISTRY", f"{closed_port_url()},{server.url}")
    model = load_pretrained(NAME, progress=False, retry=FAST)
    assert model(sample()).shape == (16,)
    assert server.requests_for("index.json")


def test_every_mirror_down_is_reported(monkeypatch) -> None:
    dead = closed_port_url()
    with pytest.raises(TransferError, match=f"no registry answered:\n  - {dead}"):
        pull(NAME, registry=[dead], progress=False, retry=FAST)


def test_offline_uses_the_cache(server: RegistryServer, monkeypatch) -> None:
    online = load_pretrained(NAME, registry=server.url, progress=False, retry=FAST)
    requests_before = len(server.log)
    monkeypatch.setenv("SSLSCI_OFFLINE", "1")
    offline = load_pretrained(NAME, registry=closed_port_url())
    assert np.array_equal(offline(sample()), online(sample()))
    assert len(server.log) == requests_before


def test_offline_without_cache_says_what_is_missing(cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("SSLSCI_OFFLINE", "1")
    with pytest.raises(OfflineError) as caught:
        load_pretrained(f"{NAME}@1.0")
    message = str(caught.value)
    assert f"{NAME}@1.0 is not usable from the cache" in message
    assert str(cache / "weights" / NAME / "1.0") in message
    assert "unset SSLSCI_OFFLINE" in message


def test_offline_names_a_missing_cached_file(server: RegistryServer, monkeypatch) -> None:
    folder = pull(NAME, registry=server.url, progress=False, retry=FAST)
    (folder / "heads.safetensors").unlink()
    monkeypatch.setenv("SSLSCI_OFFLINE", "1")
    with pytest.raises(OfflineError, match=r"heads.safetensors is missing"):
        pull(NAME)
    result = invoke("pull", NAME)
    assert result.exit_code == 2
    assert "heads.safetensors is missing" in result.stderr
