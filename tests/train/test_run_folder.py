"""Resume from a truncated last.ckpt (newest readable stepN.ckpt), and reruns refused."""

import pytest
import torch

from sslsci.train.errors import RunExistsError
from sslsci.train.pipeline import load_pipeline
from sslsci.train.pretrain import pretrain


def _step(path) -> int:
    return int(torch.load(path, map_location="cpu", weights_only=True)["global_step"])


def test_truncated_last_falls_back_and_rerun_is_refused(study, make_pipeline, caplog):
    path = make_pipeline(study, "truncated", max_steps=4, every=2)
    pretrain(load_pipeline(path))
    folder = study / "runs" / "truncated" / "checkpoints"
    with pytest.raises(RunExistsError, match="--resume"):
        pretrain(load_pipeline(path))
    last = folder / "last.ckpt"
    last.write_bytes(last.read_bytes()[: last.stat().st_size // 2])  # a kill mid-write
    with caplog.at_level("WARNING", logger="sslsci.train"):
        result = pretrain(load_pipeline(path), resume=True)
    assert "resuming from" in caplog.text and "step000004.ckpt" in caplog.text
    assert _step(result.checkpoint) == 4
