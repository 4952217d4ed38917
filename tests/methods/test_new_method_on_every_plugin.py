"""A method added to the core's method table runs on every installed plugin, untouched:
methods name a view kind, plugins supply views per role, and neither lists the other."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from sslsci.methods import METHODS, MethodOutput, SSLMethod, build_method
from sslsci.plugins import get_plugin, plugin_names
from sslsci.testing.checks import compatible_backbone, train_steps
from sslsci.views import TWO_VIEWS


class SimSiam(SSLMethod):
    """Chen & He 2021: predictor on one branch, stop-gradient on the other, no EMA."""

    name = "simsiam"
    view_kind = TWO_VIEWS

    def __init__(self, backbone: nn.Module, dim: int = 32, pred_dim: int = 16) -> None:
        super().__init__(backbone)
        features = backbone.num_features
        self.projector = nn.Sequential(
            nn.Linear(features, dim), nn.BatchNorm1d(dim), nn.ReLU(), nn.Linear(dim, dim)
        )
        self.predictor = nn.Sequential(
            nn.Linear(dim, pred_dim), nn.BatchNorm1d(pred_dim), nn.ReLU(), nn.Linear(pred_dim, dim)
        )

    def forward(self, views: Sequence[Tensor]) -> MethodOutput:
        x0, x1 = self.check_views(views)[:2]
        h0, h1 = self.backbone(x0), self.backbone(x1)
        z0, z1 = self.projector(h0), self.projector(h1)
        p0, p1 = self.predictor(z0), self.predictor(z1)
        similarity = F.cosine_similarity(p0, z1.detach()) + F.cosine_similarity(p1, z0.detach())
        loss = -0.5 * similarity.mean()
        return MethodOutput(loss, {}, (h0.detach(), h1.detach()))


@pytest.fixture
def simsiam_in_the_table(monkeypatch):
    monkeypatch.setitem(METHODS, "simsiam", SimSiam)
    return SimSiam


@pytest.mark.parametrize("name", plugin_names())
def test_a_new_method_trains_on_every_plugin(simsiam_in_the_table, name) -> None:
    plugin = get_plugin(name)
    found = compatible_backbone(plugin, SimSiam)
    assert found is not None, f"{name}: no backbone for a plain two-view method"
    backbone_name, backbone = found
    before = [p.detach().clone() for p in backbone.parameters()]
    losses = train_steps(plugin, "simsiam", backbone)
    assert len(losses) == 3 and all(torch.isfinite(torch.tensor(losses)))
    assert all(-1.0 - 1e-5 <= v <= 1.0 + 1e-5 for v in losses)  # a negative cosine
    changed = [not torch.equal(a, b) for a, b in zip(before, backbone.parameters(), strict=True)]
    assert any(changed), f"{name}/{backbone_name}: 3 steps changed no backbone weight"


def test_the_new_method_is_built_by_name_with_its_hparams(simsiam_in_the_table) -> None:
    backbone = get_plugin("wearables").backbones["resnet1d"](widths=[8])
    method = build_method("simsiam", backbone, dim=8, pred_dim=4)
    assert method.projector[0].out_features == 8 and method.num_views == 2
    with pytest.raises(ValueError, match=r"no hyperparameter 'hidden_dim'; accepted: dim, pred"):
        build_method("simsiam", backbone, hidden_dim=8)
