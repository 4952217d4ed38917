"""DINO against per-sample loops written from Caron et al. 2021, Algorithm 1."""

import math

import pytest
import torch

from sslsci.losses import DINOLoss
from sslsci.losses.dino import teacher_temperature


def softmax(values: list[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    return [e / sum(exps) for e in exps]


def reference_dino(teacher, student, center, teacher_temp, student_temp) -> float:
    pair_losses = []
    for i, t in enumerate(teacher):
        for j, s in enumerate(student):
            if i == j:
                continue
            sample_losses = []
            for b in range(t.shape[0]):
                p = softmax(
                    [(float(t[b, k]) - float(center[k])) / teacher_temp for k in range(t.shape[1])]
                )
                q = softmax([float(s[b, k]) / student_temp for k in range(s.shape[1])])
                sample_losses.append(-sum(pk * math.log(qk) for pk, qk in zip(p, q, strict=True)))
            pair_losses.append(sum(sample_losses) / len(sample_losses))
    return sum(pair_losses) / len(pair_losses)


def views(seed: int, count: int, batch: int = 3, dim: int = 5) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, dim, generator=generator, dtype=torch.float64) for _ in range(count)]


def test_matches_loop_reference_with_a_nonzero_center() -> None:
    teacher, student = views(0, 2), views(1, 4)  # 2 global + 2 local crops
    loss_fn = DINOLoss(output_dim=5, teacher_temp=0.07, student_temp=0.1).double()
    center = torch.linspace(-0.5, 0.5, 5, dtype=torch.float64)
    loss_fn.center.copy_(center)
    loss = loss_fn(teacher, student, step=0)
    assert loss.item() == pytest.approx(reference_dino(teacher, student, center, 0.07, 0.1))


def test_uniform_teacher_gives_log_k_for_uniform_student_and_more_otherwise() -> None:
    k = 6
    teacher = [torch.zeros(2, k), torch.zeros(2, k)]
    loss_fn = DINOLoss(output_dim=k)
    uniform = loss_fn(teacher, [torch.full((2, k), 3.0), torch.zeros(2, k)], step=0)
    assert uniform.item() == pytest.approx(math.log(k))
    # Cross-entropy from the uniform distribution is log K plus a KL term >= 0.
    other = DINOLoss(output_dim=k)(teacher, views(2, 2, batch=2, dim=k), step=0)
    assert other.item() > math.log(k) + 1e-3


def test_teacher_temperature_warms_up_linearly() -> None:
    assert teacher_temperature(0, 0.04, 0.07, 10) == pytest.approx(0.04)
    assert teacher_temperature(5, 0.04, 0.07, 10) == pytest.approx(0.055)
    assert teacher_temperature(10, 0.04, 0.07, 10) == pytest.approx(0.07)
    assert teacher_temperature(0, 0.04, 0.07, 0) == pytest.approx(0.07)
    teacher, student = views(3, 2), views(4, 2)
    loss_fn = DINOLoss(5, warmup_teacher_temp=0.04, teacher_temp=0.07, warmup_teacher_temp_steps=10)
    loss = loss_fn.double()(teacher, student, step=5)
    zero = torch.zeros(5, dtype=torch.float64)
    assert loss.item() == pytest.approx(reference_dino(teacher, student, zero, 0.055, 0.1))


def test_center_moves_towards_teacher_mean_at_the_set_momentum() -> None:
    loss_fn = DINOLoss(output_dim=5, center_momentum=0.9).double()
    first, second = views(5, 2), views(6, 2)
    loss_fn(first, views(7, 2), step=0)
    mean_first = torch.cat(first).mean(dim=0)
    assert torch.allclose(loss_fn.center[0], 0.1 * mean_first)
    loss_fn.update_center(second)
    mean_second = torch.cat(second).mean(dim=0)
    assert torch.allclose(loss_fn.center[0], 0.9 * 0.1 * mean_first + 0.1 * mean_second)


def test_loss_uses_the_center_from_before_its_own_update() -> None:
    teacher, student = views(8, 2), views(9, 3)
    loss = DINOLoss(output_dim=5).double()(teacher, student, step=0)
    zero = torch.zeros(5, dtype=torch.float64)
    assert loss.item() == pytest.approx(reference_dino(teacher, student, zero, 0.04, 0.1))


def test_gradients_reach_the_student_only() -> None:
    teacher = [v.requires_grad_(True) for v in views(10, 2)]
    student = [v.requires_grad_(True) for v in views(11, 3)]
    DINOLoss(output_dim=5).double()(teacher, student, step=0).backward()
    assert all(t.grad is None for t in teacher)
    for s in student:
        assert s.grad is not None and torch.isfinite(s.grad).all() and s.grad.abs().sum() > 0


def test_rejects_bad_views() -> None:
    loss_fn = DINOLoss(output_dim=5)
    with pytest.raises(ValueError, match=r"student_out\[1\]"):
        loss_fn([torch.zeros(2, 5)], [torch.zeros(2, 5), torch.zeros(2, 4)], step=0)
    with pytest.raises(ValueError, match="no pair"):
        loss_fn([torch.zeros(2, 5)], [torch.zeros(2, 5)], step=0)
    with pytest.raises(ValueError, match="center_momentum"):
        DINOLoss(output_dim=5, center_momentum=1.5)
