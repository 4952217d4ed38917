"""Multitask (Yuan et al. 2024): the labels say exactly which time transforms were applied."""

import pytest
import torch
import torch.nn.functional as F

from sslsci.methods import build_method
from sslsci.methods.time_pretext import PRETEXT_TASKS, apply_pretext_tasks, warp_positions
from tests.methods.conftest import resnet

LENGTH = 60


def ramp(batch: int) -> torch.Tensor:
    """x[b, c, t] = t + 100 c: strictly increasing in time, channels kept apart."""
    t = torch.arange(LENGTH, dtype=torch.float32)
    return (t + 100.0 * torch.arange(2.0)[:, None]).expand(batch, 2, LENGTH).clone()


def is_segment_shuffle(row: torch.Tensor) -> bool:
    """A permutation of 0..T-1 made of increasing runs, not the identity."""
    values = row.round().long()
    if sorted(values.tolist()) != list(range(LENGTH)) or torch.equal(values, torch.arange(LENGTH)):
        return False
    breaks = int((values.diff() != 1).sum())
    return 1 <= breaks <= 3  # four segments give at most three breaks


def test_labels_match_the_applied_transforms() -> None:
    x = ramp(200)
    out, labels = apply_pretext_tasks(x, generator=torch.Generator().manual_seed(0))
    assert labels.shape == (200, 3) and set(labels.unique().tolist()) == {0.0, 1.0}
    torch.testing.assert_close(out[:, 1] - out[:, 0], torch.full((200, LENGTH), 100.0))
    seen = set()
    for row, label in zip(out[:, 0], labels.tolist(), strict=True):
        combo = tuple(int(v) for v in label)
        seen.add(combo)
        if combo == (0, 0, 0):
            torch.testing.assert_close(row, x[0, 0])
        elif combo == (1, 0, 0):
            torch.testing.assert_close(row, x[0, 0].flip(0))
        elif combo == (0, 1, 0):
            assert is_segment_shuffle(row)
        elif combo == (0, 0, 1):
            assert torch.all(row.diff() > 0) and row[0] == 0 and row[-1] == LENGTH - 1
            assert (row - x[0, 0]).abs().max() > 0.5
    assert len(seen) == 8  # every combination occurs, so each case above was checked


def test_each_task_is_applied_with_probability_half() -> None:
    _, labels = apply_pretext_tasks(ramp(2000), generator=torch.Generator().manual_seed(1))
    rates = labels.mean(dim=0)
    assert torch.all((rates > 0.46) & (rates < 0.54)), rates
    correlation = torch.corrcoef(labels.T)
    assert (correlation - torch.eye(3)).abs().max() < 0.06  # drawn independently


def test_warp_is_monotone_and_spans_the_window() -> None:
    positions = warp_positions(16, 50, 0.2, 4, torch.Generator().manual_seed(0))
    assert torch.all(positions.diff(dim=1) > 0)
    torch.testing.assert_close(positions[:, 0], torch.zeros(16))
    torch.testing.assert_close(positions[:, -1], torch.full((16,), 49.0))


def test_method_loss_is_mean_bce_on_those_labels(signals) -> None:
    torch.manual_seed(0)
    method = build_method("multitask", resnet())
    output = method(signals[:1], generator=torch.Generator().manual_seed(4))
    transformed, labels = apply_pretext_tasks(
        signals[0], generator=torch.Generator().manual_seed(4)
    )
    logits = method.logits(transformed)
    expected = torch.stack(
        [F.binary_cross_entropy_with_logits(logits[:, i], labels[:, i]) for i in range(3)]
    ).mean()
    torch.testing.assert_close(output.loss, expected)
    assert set(output.logs) == {f"{t}_{k}" for t in PRETEXT_TASKS for k in ("bce", "accuracy")}


def test_time_must_be_last_and_long_enough() -> None:
    with pytest.raises(ValueError, match="time last"):
        apply_pretext_tasks(torch.randn(2, 1, 8, 8))
    method = build_method("multitask", resnet())
    with pytest.raises(ValueError, match=r"4 \* 10 <= window length 32"):
        method([torch.randn(4, 6, 32)], generator=torch.Generator().manual_seed(0))
