"""BYOL's target and DINO's teacher move by the EMA rule at the cosine-scheduled momentum."""

import math

import torch

from sslsci.methods import build_method
from tests.methods.conftest import SMALL_HPARAMS, resnet, transformer


def cosine_momentum(step: int, max_steps: int, start: float, end: float) -> float:
    """BYOL sec. 3.2: tau = end - (end - start) * (cos(pi k / K) + 1) / 2."""
    return end - (end - start) * (math.cos(math.pi * step / max_steps) + 1) / 2


def float_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items() if v.is_floating_point()}


def take_a_step(method, views) -> None:
    optimizer = torch.optim.SGD([p for p in method.parameters() if p.requires_grad], lr=0.5)
    loss = method(views).loss
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def check_ema(pairs, momentum: float) -> None:
    for target, online, target_before in pairs:
        after = float_state(target)
        online_state = float_state(online)
        moved = False
        for key, before in target_before.items():
            expected = momentum * before + (1 - momentum) * online_state[key]
            torch.testing.assert_close(after[key], expected, rtol=1e-5, atol=1e-6)
            moved = moved or not torch.equal(after[key], before)
        assert moved  # the online network had moved away, so the target follows


def test_byol_target_follows_the_ema_rule(signals) -> None:
    torch.manual_seed(0)
    method = build_method("byol", resnet(), momentum_start=0.9, **SMALL_HPARAMS["byol"])
    target_start = [p.detach().clone() for p in method.target_backbone.parameters()]
    take_a_step(method, signals)
    # The optimiser never touches the target's weights (its BatchNorm running
    # statistics do move: the target normalises with batch statistics, as in BYOL).
    after_step = list(method.target_backbone.parameters())
    assert all(torch.equal(a, b) for a, b in zip(after_step, target_start, strict=True))
    pairs = [
        (method.target_backbone, method.backbone, float_state(method.target_backbone)),
        (
            method.target_projection_head,
            method.projection_head,
            float_state(method.target_projection_head),
        ),
    ]
    method.momentum_update(3, 10)
    expected = cosine_momentum(3, 10, 0.9, 1.0)
    assert method.momentum == expected
    check_ema(pairs, expected)


def test_dino_teacher_follows_the_ema_rule_and_counts_steps(signals) -> None:
    torch.manual_seed(0)
    hparams = {
        **SMALL_HPARAMS["dino"],
        "momentum_start": 0.8,
        "warmup_teacher_temp_steps": 10,
        "warmup_teacher_temp": 0.02,
        "teacher_temp": 0.06,
    }
    method = build_method("dino", transformer(), **hparams)
    take_a_step(method, signals)
    pairs = [
        (method.teacher_backbone, method.backbone, float_state(method.teacher_backbone)),
        (method.teacher_head, method.student_head, float_state(method.teacher_head)),
    ]
    method.momentum_update(4, 8)
    check_ema(pairs, cosine_momentum(4, 8, 0.8, 1.0))
    assert int(method.step) == 4 and "step" in method.state_dict()
    logs = method(signals).logs
    torch.testing.assert_close(logs["teacher_temp"], torch.tensor(0.02 + 0.04 * 4 / 10))


def test_dino_teacher_gets_no_gradient_and_sees_global_views_only() -> None:
    torch.manual_seed(0)
    method = build_method("dino", resnet(), **SMALL_HPARAMS["dino"])
    generator = torch.Generator().manual_seed(0)
    views = [torch.randn(4, 6, 64, generator=generator) for _ in range(2)]
    local = [torch.randn(4, 6, 32, generator=generator) for _ in range(3)]  # multi-crop
    seen = []
    stem = method.teacher_backbone.get_submodule(method.teacher_backbone.stem_name)
    stem.register_forward_hook(lambda m, i, o: seen.append(i[0].shape[-1]))
    output = method(views + local)
    output.loss.backward()
    assert seen == [64, 64]
    assert all(p.grad is None for p in method.teacher_backbone.parameters())
    assert all(p.grad is None for p in method.teacher_head.parameters())
