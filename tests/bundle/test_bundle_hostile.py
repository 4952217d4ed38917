"""Tampered metadata is refused before it costs memory or escapes as a Python error."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sslsci.bundle import BundleError, load_bundle
from sslsci.bundle.load import tensors_on_meta
from sslsci.plugins.discovery import get_plugin

from .conftest import CONFIG

HUGE_WIDTHS = [6000, 6000]

LOAD_AND_MEASURE = """
import resource, sys
from sslsci.bundle import BundleError, load_bundle
load_bundle(sys.argv[1])  # warm up imports, the plugin and the allocator
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_bundle(sys.argv[2])
    outcome = "loaded"
except BundleError as exc:
    print(exc, file=sys.stderr)
    outcome = "refused"
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(outcome, before, after)
"""


def _edit_metadata(folder: Path, change) -> Path:
    path = folder / "sslsci.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    return path


def _huge_backbone_bytes() -> int:
    """What rebuilding the tampered config would allocate (counted on the meta device)."""
    with tensors_on_meta():
        skeleton = get_plugin("wearables").backbones["resnet1d"](
            **{**CONFIG, "widths": HUGE_WIDTHS}
        )
    return sum(t.numel() * t.element_size() for t in skeleton.state_dict().values())


def test_huge_widths_are_refused_before_anything_that_size_is_allocated(
    bundle: Path, tmp_path: Path
) -> None:
    tampered = tmp_path / "huge"
    shutil.copytree(bundle, tampered)
    _edit_metadata(tampered, lambda d: d["backbone"]["config"].update(widths=HUGE_WIDTHS))
    result = subprocess.run(
        [sys.executable, "-c", LOAD_AND_MEASURE, str(bundle), str(tampered)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome, before, after = result.stdout.split()
    assert outcome == "refused"
    assert "weights.safetensors does not fit backbone 'resnet1d'" in result.stderr
    assert "has shape [8] in the weights but [6000] in the backbone" in result.stderr
    assert "Nothing was allocated" in result.stderr
    growth = (int(after) - int(before)) * 1024  # ru_maxrss is in KiB on Linux
    allocation = _huge_backbone_bytes()
    assert allocation > 2 * 1024**3
    assert growth < 64 * 1024**2, f"peak grew by {growth} bytes refusing the bundle"


def test_mismatched_tensor_names_are_listed(bundle: Path) -> None:
    _edit_metadata(bundle, lambda d: d["backbone"]["config"].update(blocks_per_stage=2))
    with pytest.raises(BundleError, match=r"is missing from the weights"):
        load_bundle(bundle)


def test_a_genuine_bundle_still_loads_without_growing_past_its_size(bundle: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    model = load_bundle(bundle)
    assert model.num_features == 16
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_deeply_nested_metadata_is_a_bundle_error_naming_the_file(bundle: Path) -> None:
    path = bundle / "sslsci.json"
    path.write_text(f'{{"format_version": 1, "training": {_deep(100_000)}}}')
    with pytest.raises(BundleError, match=rf"{path} nests arrays or objects more than 64"):
        load_bundle(bundle)


def test_nesting_that_python_parses_is_refused_before_it_breaks_later(bundle: Path) -> None:
    deep = json.loads(_deep(600))
    path = _edit_metadata(bundle, lambda d: d["training"].update(deep=deep))
    with pytest.raises(BundleError, match=rf"{path} nests arrays or objects more than 64"):
        _ = load_bundle(bundle).metadata  # unbounded, dumping the metadata overflowed
