"""The pretraining loader's defaults: batches prepared in worker processes while the model
steps (bench_data_wait.py: with none, CPU steps waited 7-46 % of their time for data),
pinned memory only when training on CUDA, and an explicit ``num_workers: 0`` honoured."""

import pytest
import torch
import yaml

from sslsci.plugins.discovery import get_plugin
from sslsci.train.pipeline import DataConfig, load_pipeline
from sslsci.train.pretrain import load_training_data, training_loader
from sslsci.train.window import resolve_window


def _loader(study, make_pipeline, **data):
    path = make_pipeline(study, "loader")
    recipe = yaml.safe_load(path.read_text())
    recipe["data"].pop("num_workers")  # the suite's pipelines train in-process
    recipe["data"].update(data)
    path.write_text(yaml.safe_dump(recipe))
    pipeline = load_pipeline(path)
    plugin = get_plugin(pipeline.plugin)
    training = load_training_data(pipeline)
    pipeline = resolve_window(pipeline, plugin.spec, training.items)
    return pipeline, training_loader(pipeline, plugin, training)


def test_default_loader_uses_worker_processes_that_prefetch(study, make_pipeline):
    pipeline, loader = _loader(study, make_pipeline)
    assert "num_workers" not in pipeline.data.model_fields_set  # the default, not the test's
    assert loader.num_workers == DataConfig.model_fields["num_workers"].default >= 2
    assert loader.prefetch_factor == DataConfig.model_fields["prefetch_factor"].default
    assert loader.persistent_workers and loader.multiprocessing_context is not None
    assert not loader.pin_memory  # the conftest pipeline trains on the CPU

    # Windows are cut in the workers: the training process never opens an item to read.
    batches = [batch for batch, _ in zip(loader, range(4), strict=False)]
    assert len(batches) == 4 and not loader.dataset.store._readers


def test_explicit_zero_workers_prepare_batches_in_the_training_process(study, make_pipeline):
    _, loader = _loader(study, make_pipeline, num_workers=0)
    assert loader.num_workers == 0 and loader.prefetch_factor is None
    assert not loader.persistent_workers
    next(iter(loader))
    assert loader.dataset.store._readers  # read here, in this process


@pytest.mark.parametrize(
    ("accelerator", "cuda", "pinned"),
    [("cpu", True, False), ("gpu", True, True), ("auto", True, True), ("auto", False, False)],
)
def test_memory_is_pinned_only_for_cuda(accelerator, cuda, pinned, monkeypatch):
    from sslsci.train.acceleration import pin_memory
    from sslsci.train.pipeline import TrainerConfig

    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert pin_memory(TrainerConfig(accelerator=accelerator)) is pinned


def test_prefetch_without_workers_is_refused_naming_the_fix(tmp_path):
    from sslsci.train.pipeline import PipelineError

    path = tmp_path / "p.yaml"
    path.write_text(
        "name: tiny\nplugin: wearables\nbackbone: {name: resnet1d}\nmethod: {name: simclr}\n"
        "data: {entries: [demo], window: {time: 64}, num_workers: 0, prefetch_factor: 4}\n"
    )
    with pytest.raises(PipelineError, match="num_workers: 1 or more") as info:
        load_pipeline(path)
    assert "field 'data'" in str(info.value)
    path.write_text(path.read_text().replace("num_workers: 0", "num_workers: 1"))
    assert load_pipeline(path).data.prefetch_factor == 4
