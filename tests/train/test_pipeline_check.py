"""A pipeline is checked against its plugin before any work: misspelt view options,
backbone config keys, method hyperparameters and window dims name the file, the line,
the field and what is accepted; `sslsci run` stops there, before ingesting."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sslsci.cli import app
from sslsci.train.check import check_pipeline
from sslsci.train.pipeline import PipelineError, load_pipeline

PIPELINE = """\
name: typo
catalog: catalog.yaml
plugin: wearables
data:
  entries: [study]
  window: {tim: 64}
views:
  cropp: 32
backbone:
  name: resnet1d
  config: {widht: [8]}
method:
  name: simclr
  temprature: 0.2
"""


def test_every_problem_is_named_with_its_line_and_the_accepted_keys(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(PIPELINE)
    with pytest.raises(PipelineError) as info:
        check_pipeline(load_pipeline(path))
    text = str(info.value)
    assert f"{path}: line 6: field 'data.window.tim': 'tim' is not a wearables window dim" in text
    assert (f"{path}: line 8: field 'views.cropp': unknown key 'cropp'; accepted keys: crop, "
            "channels, max_rotation_degrees") in text
    assert (f"{path}: line 11: field 'backbone.config.widht': unknown config key 'widht' for "
            "backbone 'resnet1d'; accepted keys: in_channels, widths") in text
    assert (f"{path}: line 14: field 'method.temprature': method 'simclr' has no "
            "hyperparameter 'temprature'; accepted: hidden_dim") in text


def test_a_method_whose_views_the_plugin_lacks_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mt.yaml"
    path.write_text(PIPELINE.replace("wearables", "speech").replace("{tim: 64}", "{time: 64}")
                    .replace("cropp: 32", "crop: 32").replace("resnet1d", "logmel_cnn")
                    .replace("{widht: [8]}", "{}").replace("simclr", "multitask")
                    .replace("  temprature: 0.2\n", ""))
    with pytest.raises(PipelineError, match=r"line 13: field 'method.name': value 'multitask' "
                                            r"takes 'pretext' views \(pretext\)"):
        check_pipeline(load_pipeline(path))


def test_unknown_pipeline_fields_name_their_line_and_the_accepted_fields(tmp_path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(PIPELINE.replace("  window: {tim: 64}", "  window: {time: 64}\n  windw: 3"))
    with pytest.raises(PipelineError, match=r"line 7: field 'data.windw'.*accepted fields: "
                                            r"entries, split, window"):
        load_pipeline(path)


def test_sslsci_run_stops_before_ingesting(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(
        "entries:\n  - {name: study, modality: wearables, uri: archive}\n"
    )
    path = tmp_path / "typo.yaml"
    path.write_text(PIPELINE)
    result = CliRunner().invoke(app, ["run", str(path)], terminal_width=400)
    assert result.exit_code == 2
    assert "field 'views.cropp': unknown key 'cropp'" in " ".join(result.output.split())
    assert not (tmp_path / ".sslsci").exists()
