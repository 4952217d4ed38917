"""Patchify lays patches out as the conv patch embedding sees them, and round-trips."""

import pytest
import torch

from sslsci.nn.patches import grid_shape, patchify, unpatchify


@pytest.mark.parametrize(
    ("shape", "patch"),
    [((2, 3, 40), (8,)), ((2, 2, 12, 16), (4, 8)), ((1, 2, 8, 12, 4), (4, 4, 2))],
)
def test_round_trip_and_shape(shape, patch) -> None:
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    patches = patchify(x, patch)
    grid = grid_shape(shape[2:], patch)
    volume = 1
    for p in patch:
        volume *= p
    assert patches.shape == (shape[0], torch.tensor(grid).prod().item(), volume * shape[1])
    torch.testing.assert_close(unpatchify(patches, grid, patch, shape[1]), x)


def test_token_order_matches_strided_conv() -> None:
    """A conv whose kernel picks one patch value lands on the same token as patchify."""
    x = torch.randn(1, 2, 8, 12, generator=torch.Generator().manual_seed(1))
    patch = (4, 3)
    conv = torch.nn.Conv2d(2, 1, kernel_size=patch, stride=patch, bias=False)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[0, 1, 2, 1] = 1.0  # channel 1, patch row 2, patch col 1
    picked = conv(x).flatten(2)[0, 0]
    # layout within a patch is (row, col, channel): index (2 * 3 + 1) * 2 + 1
    torch.testing.assert_close(patchify(x, patch)[0, :, (2 * 3 + 1) * 2 + 1], picked)


def test_exact_values_of_1d_patches() -> None:
    x = torch.arange(12.0).reshape(1, 2, 6)  # channel 0: 0..5, channel 1: 6..11
    patches = patchify(x, (3,))
    expected = torch.tensor([[[0.0, 6, 1, 7, 2, 8], [3, 9, 4, 10, 5, 11]]])
    torch.testing.assert_close(patches, expected)


@pytest.mark.parametrize(
    ("spatial", "patch", "message"),
    [
        ((30,), (8,), r"\(30,\) is not a multiple of patch_size \(8,\)"),
        ((4,), (8,), r"\(4,\) is not a multiple"),
        ((16, 16), (8,), "2 dims"),
        ((16, 10), (8, 8), r"e\.g\. to \(16, 8\)"),
    ],
)
def test_bad_shapes_name_shape_and_patch(spatial, patch, message) -> None:
    with pytest.raises(ValueError, match=message):
        grid_shape(spatial, patch)


def test_unpatchify_rejects_wrong_width() -> None:
    with pytest.raises(ValueError, match="unpatchify expects"):
        unpatchify(torch.zeros(1, 5, 7), (5,), (4,), 2)
