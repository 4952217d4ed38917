"""HOG targets (FG-MAE) against a per-pixel reference written out in numpy, edge
orientations, and MAE trained to predict them."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from sslsci.methods import build_method
from sslsci.methods.hog import hog_targets
from sslsci.nn import PatchTransformer


def reference_hog(image: np.ndarray, patch: tuple[int, int], bins: int) -> np.ndarray:
    """Loops over pixels: central differences (edges replicated), unsigned angle, linear
    interpolation between bin centres, sums per patch, L2 norm per patch and channel."""
    channels, height, width = image.shape
    ph, pw = patch
    padded = np.pad(image, ((0, 0), (1, 1), (1, 1)), mode="edge")
    out = np.zeros((height // ph, width // pw, channels, bins))
    for c in range(channels):
        for y in range(height):
            for x in range(width):
                gy = (padded[c, y + 2, x + 1] - padded[c, y, x + 1]) / 2
                gx = (padded[c, y + 1, x + 2] - padded[c, y + 1, x]) / 2
                magnitude = math.hypot(gx, gy)
                angle = math.atan2(gy, gx) % math.pi
                position = angle / (math.pi / bins) - 0.5
                low = math.floor(position)
                share = position - low
                out[y // ph, x // pw, c, low % bins] += magnitude * (1 - share)
                out[y // ph, x // pw, c, (low + 1) % bins] += magnitude * share
    norms = np.maximum(np.linalg.norm(out, axis=3, keepdims=True), 1e-6)
    return (out / norms).reshape(-1, channels * bins)


def test_matches_the_written_out_reference() -> None:
    image = np.random.default_rng(0).normal(size=(2, 8, 12)).astype(np.float32)
    got = hog_targets(torch.from_numpy(image)[None], (4, 4), bins=9)[0].numpy()
    np.testing.assert_allclose(got, reference_hog(image, (4, 4), 9), rtol=1e-4, atol=1e-5)


def test_edges_land_in_their_orientation_bin_and_flat_patches_are_zero() -> None:
    vertical_edge = torch.zeros(1, 1, 8, 8)
    vertical_edge[..., 4:] = 1.0  # intensity changes along x: gradient angle 0
    bins = 4  # centres at 22.5, 67.5, 112.5, 157.5 degrees
    hog = hog_targets(vertical_edge, (8, 8), bins=bins)[0, 0]
    assert hog[0] == pytest.approx(hog[3]) and hog[0] > 0.7  # 0 deg sits between 157.5 and 22.5
    assert hog[1] == pytest.approx(0.0) and hog[2] == pytest.approx(0.0)
    turned = hog_targets(vertical_edge.transpose(2, 3), (8, 8), bins=bins)[0, 0]
    assert turned[1] == pytest.approx(turned[2]) and turned[1] > 0.7  # 90 deg
    assert torch.all(hog_targets(torch.ones(1, 1, 8, 8), (4, 4))[0] == 0)


def test_other_dimensionalities_are_refused() -> None:
    with pytest.raises(ValueError, match=r"HOG targets need 2-D windows"):
        hog_targets(torch.zeros(1, 1, 16), (4,))


def test_mae_with_hog_targets_learns_to_predict_them() -> None:
    torch.manual_seed(0)
    backbone = PatchTransformer(2, (8, 8), embed_dim=32, depth=1, num_heads=2)
    method = build_method("mae", backbone, target="hog", decoder_dim=32, decoder_depth=1,
                          decoder_num_heads=2)
    assert method.decoder.predict.out_features == 2 * 9
    x = torch.randn(8, 2, 32, 32)
    optimizer = torch.optim.Adam(method.parameters(), lr=3e-3)
    losses = []
    for step in range(30):
        output = method([x], generator=torch.Generator().manual_seed(step))
        optimizer.zero_grad()
        output.loss.backward()
        optimizer.step()
        losses.append(float(output.loss))
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])
    with pytest.raises(ValueError, match=r"target 'edges' must be 'pixels'"):
        build_method("mae", backbone, target="edges")
