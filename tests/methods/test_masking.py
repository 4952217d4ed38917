"""Random token masks: per-sample, exact ratio, consistent indices, seeded."""

import pytest
import torch

from sslsci.methods.masking import gather_tokens, kept_tokens, random_token_mask


def test_masks_are_per_sample_with_the_exact_ratio() -> None:
    mask = random_token_mask(16, 40, 0.75, "cpu", torch.Generator().manual_seed(0))
    assert mask.keep.shape == (16, 10) and mask.restore.shape == (16, 40)
    assert torch.all(mask.mask.sum(dim=1) == 30)
    assert len({tuple(row.tolist()) for row in mask.mask}) == 16  # every sample differs


def test_keep_restore_and_mask_agree() -> None:
    mask = random_token_mask(4, 12, 0.5, "cpu", torch.Generator().manual_seed(1))
    for row in range(4):
        visible = set(mask.keep[row].tolist())
        assert visible == set(torch.nonzero(~mask.mask[row]).flatten().tolist())
    tokens = torch.arange(12.0).repeat(4, 1)[..., None]
    kept = gather_tokens(tokens, mask.keep)
    shuffled = torch.cat([kept, torch.full((4, 6, 1), -1.0)], dim=1)
    restored = gather_tokens(shuffled, mask.restore)[..., 0]
    # Restoring puts each kept token back at its own index and fills the hidden ones.
    torch.testing.assert_close(restored[~mask.mask], tokens[..., 0][~mask.mask])
    assert torch.all(restored[mask.mask] == -1)


def test_same_seed_same_mask_and_global_rng_fallback() -> None:
    a = random_token_mask(3, 20, 0.6, "cpu", torch.Generator().manual_seed(7))
    b = random_token_mask(3, 20, 0.6, "cpu", torch.Generator().manual_seed(7))
    c = random_token_mask(3, 20, 0.6, "cpu", torch.Generator().manual_seed(8))
    assert torch.equal(a.mask, b.mask) and not torch.equal(a.mask, c.mask)
    torch.manual_seed(3)
    d = random_token_mask(3, 20, 0.6, "cpu")
    torch.manual_seed(3)
    assert torch.equal(d.mask, random_token_mask(3, 20, 0.6, "cpu").mask)


def test_kept_tokens_bounds() -> None:
    assert kept_tokens(10, 0.0) == 10
    assert kept_tokens(4, 0.99) == 1
    with pytest.raises(ValueError, match=r"MAE uses 0\.75"):
        kept_tokens(10, 1.0)
