"""A round killed after Lightning wrote ``stepN.ckpt`` but before ``last.ckpt`` resumes
from the step file (the serve end-to-end test once failed with RunExistsError there)."""

from __future__ import annotations

from pathlib import Path

import torch

from sslsci.continual.round import resumable_step


def _save(path: Path, step: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"global_step": step, "state_dict": {"w": torch.zeros(2)}}, path)


def test_a_round_without_checkpoints_starts_fresh(tmp_path: Path) -> None:
    assert resumable_step(tmp_path) is None
    (tmp_path / "checkpoints").mkdir()
    assert resumable_step(tmp_path) is None


def test_a_step_file_without_last_ckpt_is_resumed(tmp_path: Path) -> None:
    _save(tmp_path / "checkpoints" / "step000005.ckpt", 5)
    assert resumable_step(tmp_path) == 5


def test_the_newest_of_last_and_step_files_is_resumed(tmp_path: Path) -> None:
    _save(tmp_path / "checkpoints" / "step000005.ckpt", 5)
    _save(tmp_path / "checkpoints" / "last.ckpt", 5)
    _save(tmp_path / "checkpoints" / "step000010.ckpt", 10)
    assert resumable_step(tmp_path) == 10
