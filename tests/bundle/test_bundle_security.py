"""Only verified safetensors are loaded: corrupt, truncated or pickle files are refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sslsci.bundle import BundleError, UnsafeFileError, load_bundle


def test_flipped_byte_is_refused(bundle: Path) -> None:
    path = bundle / "weights.safetensors"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=r"weights\.safetensors has sha256 .* but the metadata"):
        load_bundle(bundle)


def test_truncated_file_is_refused(bundle: Path) -> None:
    path = bundle / "weights.safetensors"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(BundleError, match=r"truncated or was replaced"):
        load_bundle(bundle)


def test_pickle_weights_in_place_of_safetensors_are_refused(bundle: Path) -> None:
    shutil.move(bundle / "weights.safetensors", bundle / "pytorch_model.bin")
    with pytest.raises(UnsafeFileError, match=r"'pytorch_model.bin': .bin files are pickle"):
        load_bundle(bundle)


@pytest.mark.parametrize("name", ["weights.pt", "weights.pkl", "model.ckpt"])
def test_metadata_naming_a_pickle_file_is_refused(bundle: Path, name: str) -> None:
    path = bundle / "sslsci.json"
    document = json.loads(path.read_text())
    document["files"]["weights"]["path"] = name
    path.write_text(json.dumps(document))
    with pytest.raises(BundleError, match=r"pickle-based"):
        load_bundle(bundle)
