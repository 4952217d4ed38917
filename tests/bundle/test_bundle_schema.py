"""Bad metadata is refused with a message naming the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sslsci.bundle import BundleError, load_bundle, write_bundle

from .conftest import bundle_kwargs


def _edit(bundle: Path, change) -> None:
    path = bundle / "sslsci.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("value", [2, "1", None, 0])
def test_unknown_format_version_names_the_field(bundle: Path, value) -> None:
    _edit(bundle, lambda d: d.update(format_version=value))
    with pytest.raises(BundleError, match=r"sslsci\.json: field 'format_version' is"):
        load_bundle(bundle)


def test_missing_format_version_is_refused(bundle: Path) -> None:
    _edit(bundle, lambda d: d.pop("format_version"))
    with pytest.raises(BundleError, match=r"'format_version' is missing"):
        load_bundle(bundle)


def test_unknown_field_is_named(bundle: Path) -> None:
    _edit(bundle, lambda d: d["backbone"].update(num_feature=3))
    with pytest.raises(BundleError, match=r"backbone\.num_feature: Extra inputs"):
        load_bundle(bundle)


def test_wrong_type_is_named(bundle: Path) -> None:
    _edit(bundle, lambda d: d["preprocessing"]["window"].update(time=-5))
    with pytest.raises(BundleError, match=r"preprocessing\.window\.time"):
        load_bundle(bundle)


def test_contradicting_sections_are_named(bundle: Path) -> None:
    _edit(bundle, lambda d: d["input"]["window"].update(time=61))
    with pytest.raises(BundleError, match=r"input.window .* differs from preprocessing.window"):
        load_bundle(bundle)


def test_not_json_is_refused(bundle: Path) -> None:
    (bundle / "sslsci.json").write_text("{not json")
    with pytest.raises(BundleError, match=r"is not valid JSON"):
        load_bundle(bundle)


def test_folder_without_metadata_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"neither sslsci.json nor config.json"):
        load_bundle(tmp_path)


def test_write_refuses_a_config_that_does_not_rebuild(tmp_path: Path, backbone) -> None:
    kwargs = bundle_kwargs(
        backbone_config={"in_channels": 6, "widths": [8, 32], "blocks_per_stage": 1}
    )
    with pytest.raises(BundleError, match=r"does not rebuild the trained 'resnet1d'"):
        write_bundle(tmp_path / "b", backbone=backbone, **kwargs)
    assert not (tmp_path / "b").exists()


def test_write_refuses_an_unknown_backbone_name(tmp_path: Path, backbone) -> None:
    with pytest.raises(BundleError, match=r"backbone_name 'resnet9000' is not one of"):
        write_bundle(tmp_path / "b", backbone=backbone, **bundle_kwargs(backbone_name="resnet9000"))


def test_write_refuses_channels_the_stem_does_not_take(tmp_path: Path, backbone) -> None:
    kwargs = bundle_kwargs(input_contract={"channels": ["acc_x", "acc_y", "acc_z"]})
    kwargs["preprocessing"] = {**kwargs["preprocessing"], "standardize": None}
    with pytest.raises(BundleError, match=r"disagree with the stem 'stem', which takes 6"):
        write_bundle(tmp_path / "b", backbone=backbone, **kwargs)


def test_write_refuses_a_window_along_the_wrong_dim(tmp_path: Path, backbone) -> None:
    kwargs = bundle_kwargs()
    kwargs["preprocessing"] = {**kwargs["preprocessing"], "window": {"channel": 6}}
    with pytest.raises(BundleError, match=r"preprocessing.window names dims"):
        write_bundle(tmp_path / "b", backbone=backbone, **kwargs)
