"""The optimiser a pipeline names is the one that trains, over groups that spare norms,
biases, position tables and tokens from weight decay (and, for LARS, from adaptation)."""

import numpy as np
import pytest
import torch
from torch import nn

from sslsci.methods import build_method
from sslsci.nn import PatchTransformer
from sslsci.train.lars import LARS
from sslsci.train.module import SSLModule
from sslsci.train.pipeline import OptimizerConfig
from tests.methods.conftest import SMALL_HPARAMS, resnet

NORMS = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm)
TOKENS = {"pos_embed", "cls_token", "mask_token"}


def spared_by_role(method: nn.Module) -> set[str]:
    """Parameters that should get no decay, found from module types and names alone."""
    spared = set()
    for module_name, module in method.named_modules():
        for name, parameter in module.named_parameters(recurse=False):
            if not parameter.requires_grad:
                continue
            if isinstance(module, NORMS) or name == "bias" or name in TOKENS:
                spared.add(f"{module_name}.{name}" if module_name else name)
    return spared


def optimizer_of(method: nn.Module, **config) -> torch.optim.Optimizer:
    module = SSLModule(method, OptimizerConfig(**config), max_steps=10)
    return module.configure_optimizers()["optimizer"]


def transformer() -> nn.Module:
    return PatchTransformer(
        6, (8,), embed_dim=16, depth=1, num_heads=2, pos_embed="learned", input_size=(64,)
    )


@pytest.mark.parametrize(
    ("name", "optimizer"), [(name, "adamw") for name in sorted(SMALL_HPARAMS)] + [("byol", "sgd")]
)
def test_no_weight_decay_on_exactly_norms_biases_positions_and_tokens(name, optimizer) -> None:
    backbone = transformer() if name == "mae" else resnet()
    method = build_method(name, backbone, **SMALL_HPARAMS[name])
    built = optimizer_of(method, name=optimizer, weight_decay=0.05)
    names = {id(p): n for n, p in method.named_parameters()}
    undecayed = {
        names[id(p)] for g in built.param_groups if g["weight_decay"] == 0 for p in g["params"]
    }
    decayed = {
        names[id(p)] for g in built.param_groups if g["weight_decay"] == 0.05 for p in g["params"]
    }
    trainable = {n for n, p in method.named_parameters() if p.requires_grad}
    assert undecayed == spared_by_role(method)
    assert decayed == trainable - undecayed
    if name == "mae":
        assert {"backbone.pos_embed", "decoder.mask_token"} <= undecayed


def test_lars_in_a_pipeline_builds_lars_that_leaves_norms_and_biases_unadapted() -> None:
    method = build_method("simclr", resnet(), **SMALL_HPARAMS["simclr"])
    built = optimizer_of(method, name="lars", lr=0.3, weight_decay=1e-6, lars_eta=0.02)
    assert isinstance(built, LARS)
    names = {id(p): n for n, p in method.named_parameters()}
    for group in built.param_groups:
        assert group["lars_adapt"] == (group["weight_decay"] > 0)
        assert group["eta"] == 0.02 and group["momentum"] == 0.9
    unadapted = {
        names[id(p)] for g in built.param_groups if not g["lars_adapt"] for p in g["params"]
    }
    assert unadapted == spared_by_role(method)


def test_lars_only_settings_are_refused_for_other_optimizers() -> None:
    with pytest.raises(ValueError, match="'lars_eta' applies to optimizer lars, not 'adamw'"):
        OptimizerConfig(name="adamw", lars_eta=0.01)
    with pytest.raises(ValueError, match="'momentum' applies to optimizer sgd or lars"):
        OptimizerConfig(name="adam", momentum=0.5)


@pytest.mark.parametrize("name", ["adamw", "adam", "sgd", "lars"])
def test_a_dumped_optimizer_config_loads_again(name) -> None:
    """Checkpoints record the pipeline with every default; export validates it again."""
    config = OptimizerConfig(name=name)
    assert OptimizerConfig.model_validate(config.model_dump()) == config


def lars_by_hand(w, g, buf, lr, momentum, wd, eta, adapt):
    """One LARS step in float64 numpy, written from You et al. 2017, eq. (6)-(7)."""
    d = g + wd * w
    if adapt:
        wn, dn = np.sqrt((w**2).sum()), np.sqrt((d**2).sum())
        d = d * (eta * wn / dn)
    buf = momentum * buf + d
    return w - lr * buf, buf


def test_two_lars_steps_match_a_hand_computation() -> None:
    rng = np.random.default_rng(0)
    weight0, bias0 = rng.normal(size=(4, 3)), rng.normal(size=4)
    grads = [(rng.normal(size=(4, 3)) * 50, rng.normal(size=4)) for _ in range(2)]
    weight = torch.tensor(weight0, requires_grad=True)
    bias = torch.tensor(bias0, requires_grad=True)
    lr, momentum, wd, eta = 0.5, 0.9, 0.01, 0.002
    optimizer = LARS(
        [{"params": [weight]}, {"params": [bias], "weight_decay": 0.0, "lars_adapt": False}],
        lr=lr,
        momentum=momentum,
        weight_decay=wd,
        eta=eta,
    )
    w, b, wbuf, bbuf = weight0, bias0, np.zeros_like(weight0), np.zeros_like(bias0)
    for gw, gb in grads:
        weight.grad, bias.grad = torch.tensor(gw), torch.tensor(gb)
        optimizer.step()
        w, wbuf = lars_by_hand(w, gw, wbuf, lr, momentum, wd, eta, adapt=True)
        b, bbuf = lars_by_hand(b, gb, bbuf, lr, momentum, 0.0, eta, adapt=False)
    np.testing.assert_allclose(weight.detach().numpy(), w, rtol=1e-12)
    np.testing.assert_allclose(bias.detach().numpy(), b, rtol=1e-12)


def test_lars_leaves_a_zero_weight_to_plain_sgd() -> None:
    weight = torch.zeros(3, 2, requires_grad=True)
    weight.grad = torch.ones(3, 2)
    LARS([weight], lr=0.1, momentum=0.0).step()
    np.testing.assert_allclose(weight.detach().numpy(), -0.1 * np.ones((3, 2)))
