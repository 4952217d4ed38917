"""Sine-cosine positions against MAE's numpy formula, and invariance to grid size."""

import numpy as np
import pytest
import torch

from sslsci.nn.positions import sincos_position_embedding


def mae_1d_reference(dim: int, positions: np.ndarray) -> np.ndarray:
    """MAE's get_1d_sincos_pos_embed_from_grid, written out independently."""
    omega = np.arange(dim // 2, dtype=np.float64) / (dim / 2.0)
    omega = 1.0 / 10000**omega
    out = np.einsum("m,d->md", positions.reshape(-1).astype(np.float64), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def test_1d_matches_reference() -> None:
    embedding = sincos_position_embedding((7,), 16)
    assert embedding.shape == (1, 7, 16)
    expected = mae_1d_reference(16, np.arange(7))
    np.testing.assert_allclose(embedding[0].numpy(), expected, atol=1e-6)


def test_2d_splits_width_between_axes_like_mae() -> None:
    rows, cols, dim = 3, 5, 24
    embedding = sincos_position_embedding((rows, cols), dim)[0].reshape(rows, cols, dim)
    row_code = mae_1d_reference(dim // 2, np.arange(rows))
    col_code = mae_1d_reference(dim // 2, np.arange(cols))
    for r in range(rows):
        for c in range(cols):
            expected = np.concatenate([row_code[r], col_code[c]])
            np.testing.assert_allclose(embedding[r, c].numpy(), expected, atol=1e-6)


@pytest.mark.parametrize(
    ("small", "large"), [((4,), (9,)), ((2, 3), (4, 5)), ((2, 2, 3), (3, 4, 4))]
)
def test_token_keeps_its_code_when_the_grid_grows(small, large) -> None:
    dim = 36
    a = sincos_position_embedding(small, dim)[0].reshape(*small, dim)
    b = sincos_position_embedding(large, dim)[0].reshape(*large, dim)
    crop = tuple(slice(0, s) for s in small)
    torch.testing.assert_close(a, b[crop])


def test_leftover_channels_are_zero_when_width_is_not_a_multiple() -> None:
    embedding = sincos_position_embedding((2, 2, 2), 20)  # 3 axes x 6 channels + 2 spare
    assert embedding.shape == (1, 8, 20)
    assert torch.all(embedding[..., 18:] == 0)
    assert torch.any(embedding[..., :18] != 0)


def test_too_narrow_width_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 6"):
        sincos_position_embedding((2, 2, 2), 4)
