"""The GPU path's pipeline options (precision, compile, channels-last, fused AdamW):
parsed and checked from the YAML, refused where they would hurt, and reaching the
Trainer, the backbone and the optimiser. No GPU needed."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from sslsci.train.acceleration import conv_memory_format, prepare_backbone, resolve_precision
from sslsci.train.errors import TrainingError
from sslsci.train.optimizers import build_optimizer
from sslsci.train.pipeline import OptimizerConfig, PipelineError, TrainerConfig, load_pipeline

PIPELINE = """
name: tiny
plugin: wearables
data: {{entries: [demo], window: {{time: 64}}}}
backbone: {{name: resnet1d}}
method: {{name: simclr}}
trainer: {trainer}
"""


def pipeline_with(tmp_path: Path, trainer: str):
    path = tmp_path / "p.yaml"
    path.write_text(PIPELINE.format(trainer=trainer))
    return load_pipeline(path)


def test_the_options_parse_from_the_pipeline(tmp_path) -> None:
    cfg = pipeline_with(
        tmp_path, "{accelerator: gpu, precision: bf16-mixed, compile: true, channels_last: false}"
    ).trainer
    assert (cfg.precision, cfg.compile, cfg.channels_last) == ("bf16-mixed", True, False)


def test_an_unknown_precision_is_refused_naming_the_field(tmp_path) -> None:
    with pytest.raises(PipelineError, match=r"trainer\.precision") as caught:
        pipeline_with(tmp_path, "{precision: bf17}")
    assert "bf16-mixed" in str(caught.value)


def test_auto_precision_is_bf16_on_cuda_and_float32_on_the_cpu() -> None:
    assert resolve_precision(TrainerConfig(precision="auto", accelerator="gpu")) == "bf16-mixed"
    assert resolve_precision(TrainerConfig(precision="auto", accelerator="cpu")) == "32-true"


def test_bf16_on_the_cpu_is_refused_with_the_fix() -> None:
    with pytest.raises(TrainingError, match=r"7x slower.*32-true"):
        resolve_precision(TrainerConfig(precision="bf16-mixed", accelerator="cpu"))


def test_pretrain_refuses_cpu_bf16_before_reading_any_data(tmp_path) -> None:
    from sslsci.train.pretrain import pretrain

    pipeline = pipeline_with(tmp_path, "{precision: bf16-mixed}")
    missing = tmp_path / "no_such_catalog.yaml"  # reading it would fail otherwise
    with pytest.raises(TrainingError, match="bf16"):
        pretrain(pipeline, catalog_path=missing, output=tmp_path / "runs")


def test_the_trainer_gets_the_resolved_precision(tmp_path) -> None:
    from sslsci.train.pretrain import make_trainer

    pipeline = pipeline_with(tmp_path, "{precision: auto, max_steps: 1}")
    trainer = make_trainer(pipeline, tmp_path / "run", [])
    assert trainer.precision == "32-true"


def tiny_conv(kind: type[nn.Module]) -> nn.Module:
    return nn.Sequential(kind(2, 4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(3))


@pytest.mark.parametrize(
    ("kind", "layout"),
    [(nn.Conv1d, None), (nn.Conv2d, torch.channels_last), (nn.Conv3d, torch.channels_last_3d)],
)
def test_channels_last_only_for_2d_and_3d_convolutions(kind, layout) -> None:
    model = nn.Sequential(kind(2, 4, 3))
    assert conv_memory_format(model) == layout
    prepare_backbone(model, TrainerConfig(channels_last=True))
    weight = model[0].weight
    if layout is None:
        assert weight.is_contiguous()
    else:
        assert weight.is_contiguous(memory_format=layout) and not weight.is_contiguous()


def test_channels_last_is_off_by_default_on_the_cpu() -> None:
    model = nn.Sequential(nn.Conv2d(2, 4, 3))
    prepare_backbone(model, TrainerConfig())
    assert model[0].weight.is_contiguous()


def test_compile_compiles_the_backbone_in_place_keeping_its_keys_and_outputs() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.Linear(16, 4))
    keys = list(model.state_dict())
    x = torch.randn(5, 8)
    eager = model(x)
    same = prepare_backbone(model, TrainerConfig(compile=True))
    assert same is model and model._compiled_call_impl is not None
    assert list(model.state_dict()) == keys  # checkpoints and bundles keep their keys
    torch.testing.assert_close(model(x), eager)


def test_no_compile_by_default() -> None:
    model = nn.Linear(2, 2)
    prepare_backbone(model, TrainerConfig())
    assert model._compiled_call_impl is None


def test_adamw_is_fused_when_asked_and_not_on_cpu_by_default() -> None:
    model = nn.Linear(4, 2)
    assert build_optimizer(model, OptimizerConfig(fused=True)).defaults["fused"] is True
    assert build_optimizer(model, OptimizerConfig()).defaults["fused"] is False


def test_fused_is_refused_for_an_optimizer_without_it() -> None:
    with pytest.raises(ValueError, match="fused"):
        OptimizerConfig(name="sgd", fused=True)
