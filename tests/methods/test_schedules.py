"""Schedules at their endpoints and midpoints, and the EMA update at its limits."""

import copy
import itertools
import math

import pytest
import torch
from torch import nn

from sslsci.methods.ema import deactivate_requires_grad, ema_update
from sslsci.methods.schedules import cosine_schedule, linear_warmup_cosine


def test_cosine_schedule_endpoints_and_midpoint() -> None:
    assert cosine_schedule(0, 100, 0.996, 1.0) == pytest.approx(0.996)
    assert cosine_schedule(50, 100, 0.996, 1.0) == pytest.approx(0.998)
    assert cosine_schedule(100, 100, 0.996, 1.0) == pytest.approx(1.0)
    assert cosine_schedule(250, 100, 0.996, 1.0) == 1.0
    # BYOL sec. 3.2 at a quarter of training.
    byol = 1 - (1 - 0.996) * (math.cos(math.pi * 25 / 100) + 1) / 2
    assert cosine_schedule(25, 100, 0.996, 1.0) == pytest.approx(byol)


def test_cosine_schedule_is_monotone_between_endpoints() -> None:
    values = [cosine_schedule(step, 20, 1.0, 0.0) for step in range(21)]
    assert all(a >= b for a, b in itertools.pairwise(values))


def test_linear_warmup_cosine_phases() -> None:
    kwargs = {"max_steps": 110, "warmup_steps": 10, "base": 2.0, "final": 0.2}
    assert linear_warmup_cosine(0, **kwargs) == pytest.approx(0.2)
    assert linear_warmup_cosine(4, **kwargs) == pytest.approx(1.0)
    assert linear_warmup_cosine(9, **kwargs) == pytest.approx(2.0)
    assert linear_warmup_cosine(10, **kwargs) == pytest.approx(2.0)
    assert linear_warmup_cosine(60, **kwargs) == pytest.approx(1.1)
    assert linear_warmup_cosine(110, **kwargs) == pytest.approx(0.2)
    assert linear_warmup_cosine(500, **kwargs) == pytest.approx(0.2)


def test_linear_warmup_cosine_without_warmup_starts_at_base() -> None:
    assert linear_warmup_cosine(0, 10, 0, base=1.0) == pytest.approx(1.0)
    assert linear_warmup_cosine(5, 10, 0, base=1.0) == pytest.approx(0.5)


def test_schedules_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="max_steps"):
        cosine_schedule(0, 0, 0.9, 1.0)
    with pytest.raises(ValueError, match="step must be >= 0"):
        cosine_schedule(-1, 10, 0.9, 1.0)
    with pytest.raises(ValueError, match="warmup_steps"):
        linear_warmup_cosine(0, 10, 11, base=1.0)


def small_net(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


def with_running_stats(net: nn.Sequential, seed: int) -> nn.Sequential:
    generator = torch.Generator().manual_seed(seed)
    net.train()(torch.randn(8, 3, generator=generator))
    return net


def test_ema_update_with_momentum_zero_copies_and_one_keeps() -> None:
    online = with_running_stats(small_net(0), 1)
    target = small_net(2)
    kept = copy.deepcopy(target)
    ema_update(target, online, momentum=1.0)
    for a, b in zip(target.state_dict().values(), kept.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    ema_update(target, online, momentum=0.0)
    for name, value in target.state_dict().items():
        if value.is_floating_point():
            assert torch.equal(value, online.state_dict()[name]), name


def test_ema_update_interpolates_parameters_and_float_buffers_only() -> None:
    online = with_running_stats(small_net(0), 1)
    target = small_net(2)
    before = copy.deepcopy(target.state_dict())
    ema_update(target, online, momentum=0.75)
    after = target.state_dict()
    for name, old in before.items():
        if old.is_floating_point():
            expected = 0.75 * old + 0.25 * online.state_dict()[name]
            torch.testing.assert_close(after[name], expected)
        else:  # num_batches_tracked stays the target's own
            assert torch.equal(after[name], old)
    assert not torch.equal(
        after["1.num_batches_tracked"], online.state_dict()["1.num_batches_tracked"]
    )


def test_ema_update_records_no_graph_even_on_trainable_targets() -> None:
    online, target = small_net(0), small_net(1)
    ema_update(target, online, momentum=0.5)
    assert all(p.grad_fn is None and p.is_leaf for p in target.parameters())


def test_ema_update_rejects_mismatched_modules_and_bad_momentum() -> None:
    with pytest.raises(ValueError, match="same parameters"):
        ema_update(nn.Linear(3, 4, bias=False), nn.Linear(3, 4), momentum=0.5)
    with pytest.raises(ValueError, match="momentum"):
        ema_update(small_net(0), small_net(1), momentum=1.5)


def test_deactivate_requires_grad_freezes_every_parameter() -> None:
    net = small_net(0)
    deactivate_requires_grad(net)
    assert not any(p.requires_grad for p in net.parameters())
