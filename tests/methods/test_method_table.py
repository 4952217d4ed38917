"""The method table: one dict, clear errors for unknown names, hparams and backbones."""

import pytest
import torch

from sslsci.methods import METHODS, build_method, method_hparams
from sslsci.methods.base import SSLMethod
from tests.methods.conftest import resnet, transformer


def test_table_holds_every_method_under_its_own_name_with_its_view_kind() -> None:
    assert set(METHODS) == {"simclr", "byol", "vicreg", "barlow_twins", "dino", "mae", "multitask"}
    kinds = {name: method.view_kind.name for name, method in METHODS.items()}
    assert kinds == {
        "simclr": "two_views",
        "byol": "two_views",
        "vicreg": "two_views",
        "barlow_twins": "two_views",
        "dino": "two_views",
        "mae": "masked",
        "multitask": "pretext",
    }
    for name, method in METHODS.items():
        assert method.name == name
        assert issubclass(method, SSLMethod)
        assert method.num_views == len(method.view_kind.roles)


def test_backbone_problem_names_what_a_backbone_lacks_before_building() -> None:
    assert METHODS["simclr"].backbone_problem(resnet()) is None
    assert "token interface" in METHODS["mae"].backbone_problem(resnet())
    assert METHODS["mae"].backbone_problem(transformer()) is None
    assert METHODS["multitask"].backbone_problem(resnet()) is None


def test_unknown_method_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown SSL method 'moco'.*simclr, byol"):
        build_method("moco", resnet())


def test_unknown_hparam_names_key_and_accepted() -> None:
    with pytest.raises(ValueError, match=r"no hyperparameter 'temp'; accepted: .*temperature"):
        build_method("simclr", resnet(), temp=0.1)


def test_hparams_reach_the_method() -> None:
    method = build_method("simclr", resnet(), hidden_dim=12, output_dim=5, temperature=0.2)
    assert method.criterion.temperature == 0.2
    assert method.projection_head(torch.randn(3, 16)).shape == (3, 5)
    assert method_hparams("mae")["mask_ratio"] == 0.75


def test_mae_on_a_backbone_without_tokens_says_which_backbones_work() -> None:
    with pytest.raises(ValueError, match=r"token interface.*ResNet1D lacks.*PatchTransformer"):
        build_method("mae", resnet())


def test_multitask_needs_time_last() -> None:
    with pytest.raises(ValueError, match=r"\[batch, channel, time\]"):
        build_method("multitask", transformer(1, patch=(4, 4)))


def test_backbone_without_interface_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"backbone protocol.*Linear lacks num_features, feature_dim"
    ):
        build_method("simclr", torch.nn.Linear(3, 3))


@pytest.mark.parametrize("name", ["simclr", "byol", "dino"])
def test_too_few_views(name) -> None:
    method = build_method(name, resnet(), hidden_dim=8, output_dim=8)
    with pytest.raises(ValueError, match=f"{name!r} needs a list of 2 view"):
        method([torch.randn(4, 6, 32)])
    with pytest.raises(ValueError, match="different batch sizes"):
        method([torch.randn(4, 6, 32), torch.randn(3, 6, 32)])


def test_parameter_groups_spare_norms_and_biases() -> None:
    method = build_method("mae", transformer(), decoder_dim=8, decoder_depth=1, decoder_num_heads=2)
    decay, no_decay = method.parameter_groups(0.05)
    assert decay["weight_decay"] == 0.05 and no_decay["weight_decay"] == 0.0
    assert all(p.ndim >= 2 for p in decay["params"])
    assert any(p is method.decoder.mask_token for p in no_decay["params"])
    total = len([p for p in method.parameters() if p.requires_grad])
    assert len(decay["params"]) + len(no_decay["params"]) == total
