"""Resume from a truncated last.ckpt (newest readable stepN.ckpt), and reruns refused."""

import pytest
import torch

from sslsci.train.errors import RunExistsError
from sslsci.train.pipeline import load_pipeline
from sslsci.train.pretrain import pretrain
from sslsci.train.run_folder import resume_checkpoint


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


def test_resume_prefers_a_step_file_newer_than_last(tmp_path, caplog):
    """A kill after ``step30.ckpt`` is written but before ``last.ckpt`` is updated."""
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    for name, step in (("last.ckpt", 20), ("step000020.ckpt", 20), ("step000030.ckpt", 30)):
        torch.save({"global_step": step}, folder / name)
    with caplog.at_level("WARNING", logger="sslsci.train"):
        path, loaded = resume_checkpoint(tmp_path, lambda p: torch.load(p, weights_only=True))
    assert path.name == "step000030.ckpt" and loaded["global_step"] == 30
    assert "behind it" in caplog.text


def test_resume_keeps_last_when_it_is_the_newest(tmp_path, caplog):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    for name, step in (("last.ckpt", 35), ("step000030.ckpt", 30)):
        torch.save({"global_step": step}, folder / name)
    with caplog.at_level("WARNING", logger="sslsci.train"):
        path, _ = resume_checkpoint(tmp_path, lambda p: torch.load(p, weights_only=True))
    assert path.name == "last.ckpt" and not caplog.text
