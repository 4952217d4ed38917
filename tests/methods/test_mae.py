"""MAE: 1D/2D/3D, the encoder sees only visible tokens (and costs less), seeded masks."""

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from sslsci.methods import build_method
from sslsci.nn import PatchTransformer


def mae_for(in_channels: int, patch, embed_dim: int = 24, **hparams):
    torch.manual_seed(0)
    backbone = PatchTransformer(in_channels, patch, embed_dim=embed_dim, depth=2, num_heads=2)
    options = {"decoder_dim": 16, "decoder_depth": 1, "decoder_num_heads": 2, **hparams}
    return build_method("mae", backbone, **options)


@pytest.mark.parametrize(
    ("shape", "patch"),
    [((8, 6, 64), (8,)), ((4, 1, 32, 32), (8, 8)), ((2, 1, 16, 16, 16), (4, 4, 4))],
)
def test_reconstructs_and_trains_in_1d_2d_3d(shape, patch) -> None:
    method = mae_for(shape[1], patch)
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    prediction, token_mask = method.reconstruct(x, torch.Generator().manual_seed(0))
    target = method.backbone.patchify(x)
    assert prediction.shape == target.shape
    assert token_mask.mask.shape == target.shape[:2]
    optimizer = torch.optim.Adam(method.parameters(), lr=3e-3)
    losses = []
    for _ in range(8):
        loss = method([x], generator=torch.Generator().manual_seed(0)).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < losses[0]


def test_hidden_patches_never_reach_the_encoder() -> None:
    method = mae_for(1, (8,)).eval()
    x = torch.randn(1, 1, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        before, token_mask = method.reconstruct(x, torch.Generator().manual_seed(5))
        hidden = int(torch.nonzero(token_mask.mask[0])[0])
        visible = int(torch.nonzero(~token_mask.mask[0])[0])
        changed_hidden = x.clone()
        changed_hidden[..., hidden * 8 : (hidden + 1) * 8] += 5.0
        after, _ = method.reconstruct(changed_hidden, torch.Generator().manual_seed(5))
        torch.testing.assert_close(after, before)
        changed_visible = x.clone()
        changed_visible[..., visible * 8 : (visible + 1) * 8] += 5.0
        moved, _ = method.reconstruct(changed_visible, torch.Generator().manual_seed(5))
        assert not torch.allclose(moved, before)


def test_loss_counts_only_masked_patches_with_normalised_targets() -> None:
    method = mae_for(2, (4,))
    x = torch.randn(3, 2, 32, generator=torch.Generator().manual_seed(2))
    loss = method([x], generator=torch.Generator().manual_seed(9)).loss
    prediction, token_mask = method.reconstruct(x, torch.Generator().manual_seed(9))
    target = method.backbone.patchify(x)
    mean, var = target.mean(-1, keepdim=True), target.var(-1, keepdim=True)
    target = (target - mean) / (var + 1e-6).sqrt()
    per_patch = ((prediction - target) ** 2).mean(-1)
    expected = per_patch[token_mask.mask].mean()
    torch.testing.assert_close(loss, expected)


def test_seeded_masks_repeat_and_differ() -> None:
    method = mae_for(1, (8,)).eval()
    x = torch.randn(4, 1, 64)
    with torch.no_grad():
        a = method([x], generator=torch.Generator().manual_seed(0)).loss
        b = method([x], generator=torch.Generator().manual_seed(0)).loss
        c = method([x], generator=torch.Generator().manual_seed(1)).loss
    assert a == b and a != c


def encoder_flops(method, x: torch.Tensor, mask_ratio: float) -> int:
    with FlopCounterMode(display=False) as counter:
        method.encode_visible(x, mask_ratio=mask_ratio, generator=torch.Generator().manual_seed(0))
    return counter.get_total_flops()


def test_encoder_flops_fall_with_the_mask_ratio() -> None:
    method = mae_for(1, (8,), embed_dim=32)
    x = torch.randn(2, 1, 512)  # 64 tokens
    full, masked = encoder_flops(method, x, 0.0), encoder_flops(method, x, 0.75)
    assert full > 0
    assert masked < 0.35 * full  # a quarter of the tokens, plus the patch embedding


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        mae_for(1, (8,), mask_ratio=0.0)
    method = mae_for(1, (8,))
    with pytest.raises(ValueError, match="needs more tokens"):
        method([torch.randn(2, 1, 8)])
    with pytest.raises(ValueError, match="not a multiple of patch_size"):
        method([torch.randn(2, 1, 30)])


def test_line_masking_hides_whole_patch_rows_of_a_2d_window() -> None:
    from sslsci.nn import PatchTransformer

    torch.manual_seed(0)
    backbone = PatchTransformer(1, (4, 8), embed_dim=16, depth=1, num_heads=2)
    method = build_method("mae", backbone, mask_unit="line", decoder_dim=16, decoder_depth=1,
                          decoder_num_heads=2)
    x = torch.randn(2, 1, 32, 64)  # (channel, distance, time): an 8 x 8 patch grid
    encoded, token_mask = method.encode_visible(x, generator=torch.Generator().manual_seed(3))
    assert encoded.shape[1] == 2 * 8  # round(8 * 0.75) = 6 of 8 rows hidden, 2 rows kept
    rows = token_mask.mask.view(2, 8, 8)
    assert torch.equal(rows.all(dim=2), rows.any(dim=2))
    output = method([x])
    output.loss.backward()
    assert torch.isfinite(output.loss)
    with pytest.raises(ValueError, match=r"mask_unit 'channel' must be 'token'"):
        build_method("mae", backbone, mask_unit="channel")
