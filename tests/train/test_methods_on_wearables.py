"""Every SSL method trains on the wearables plugin's own views, loss falling on a fixed batch."""

import pytest
import torch

from sslsci.plugins.discovery import get_plugin

METHODS = [
    ("simclr", "resnet1d", {}),
    ("byol", "resnet1d", {}),
    # The papers' 8192-wide projectors (the defaults) make each of 20 Adam steps move
    # ~130M parameters; 512 wide tests the same loss and head in a fraction of the time.
    ("vicreg", "resnet1d", {"hidden_dim": 512, "output_dim": 512}),
    ("barlow_twins", "resnet1d", {"hidden_dim": 512, "output_dim": 512}),
    # A 16-sample batch gives near-identical teacher outputs, so the paper's fast
    # centring (0.9) flattens the teacher towards uniform; slower centring and a
    # smaller head keep the run about the student matching its teacher.
    ("dino", "resnet1d", {"output_dim": 1024, "center_momentum": 0.99}),
    ("multitask", "resnet1d", {}),
    ("mae", "transformer", {"mask_ratio": 0.75}),
]


def _fixed_batch(plugin, method: str, size: int = 16) -> list[torch.Tensor]:
    """Views of real plugin examples through the plugin's recipe, drawn once."""
    from sslsci.methods import METHODS as TABLE

    views = plugin.views(TABLE[method].view_kind, crop=120)
    g = torch.Generator().manual_seed(0)
    samples = []
    for seed in range(size):
        x = torch.as_tensor(plugin.example(seed).values, dtype=torch.float32)
        x = (x - x.mean(dim=1, keepdim=True)) / (x.std(dim=1, keepdim=True) + 1e-6)
        out = []
        for transforms in views:
            v = x
            for transform in transforms:
                v = transform(v, g)
            out.append(v)
        samples.append(out)
    return [torch.stack([s[k] for s in samples]) for k in range(len(views))]


@pytest.mark.parametrize(("method", "backbone", "hparams"), METHODS, ids=[m[0] for m in METHODS])
def test_loss_decreases_over_20_steps(method, backbone, hparams):
    from sslsci.methods import build_method

    torch.manual_seed(0)
    plugin = get_plugin("wearables")
    config = {"widths": [16, 32]} if backbone == "resnet1d" else {
        "patch_size": (10,), "embed_dim": 64, "depth": 2, "num_heads": 2}
    model = build_method(method, plugin.backbones[backbone](**config), **hparams)
    batch = _fixed_batch(plugin, method)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for step in range(20):
        torch.manual_seed(step)  # masks and task draws vary, the batch does not
        out = model(batch)
        opt.zero_grad()
        out.loss.backward()
        opt.step()
        model.momentum_update(step, 20)
        losses.append(float(out.loss.detach()))
    assert all(torch.isfinite(torch.tensor(losses)))
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < first, f"{method}: loss went from {first:.4f} to {last:.4f}"
