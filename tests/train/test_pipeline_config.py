"""Pipeline YAML validation: errors name the file, the field and the bad value."""

from pathlib import Path

import pytest

from sslsci.train.pipeline import PipelineError, load_pipeline

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
name: tiny
plugin: wearables
data: {entries: [demo], window: {time: 64}}
backbone: {name: resnet1d}
method: {name: simclr, temperature: 0.2}
"""


def test_shipped_pipelines_validate():
    for path in sorted((ROOT / "pipelines").glob("*.yaml")):
        pipeline = load_pipeline(path)
        assert pipeline.path == path.resolve()


def test_method_hyperparameters_pass_through(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(GOOD)
    pipeline = load_pipeline(path)
    assert pipeline.method.hparams() == {"temperature": 0.2}
    assert pipeline.output_dir() == (tmp_path / "runs" / "tiny").resolve()


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (("window: {time: 64}", "window: {time: -3}"), "data.window", None),
        (("name: tiny", "name: Tiny Model"), "name", "'Tiny Model'"),
        (("backbone: {name: resnet1d}", "backbone: {name: resnet1d, widht: 3}"),
         "backbone.widht", "3"),
        (("plugin: wearables\n", "plugin: wearables\ntrainer: {max_steps: 0}\n"),
         "trainer.max_steps", "0"),
    ],
)
def test_errors_name_file_field_and_value(tmp_path, change, field, value):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(PipelineError) as info:
        load_pipeline(path)
    message = str(info.value)
    assert str(path) in message and f"field '{field}" in message
    if value is not None:
        assert value in message


def test_missing_file_says_where_examples_are(tmp_path):
    with pytest.raises(PipelineError, match="pipelines/"):
        load_pipeline(tmp_path / "nope.yaml")
