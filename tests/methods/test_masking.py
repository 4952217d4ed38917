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


def test_line_mask_hides_whole_lines_of_the_grid_and_a_ratio_of_them() -> None:
    from sslsci.methods.masking import line_token_mask

    grid = (8, 5)  # 8 lines (e.g. channel groups) x 5 tokens along time
    g = torch.Generator().manual_seed(0)
    mask = line_token_mask(3, grid, 0, 0.75, "cpu", g)
    hidden = mask.mask.view(3, *grid)
    for sample in hidden:
        lines = sample.all(dim=1)
        assert int(lines.sum()) == 6  # round(8 * 0.75) whole lines hidden
        assert torch.equal(sample.any(dim=1), lines)  # no line is partly hidden
    assert not torch.equal(hidden[0], hidden[1])  # each sample draws its own lines
    kept = torch.zeros(3, 40, dtype=torch.bool).scatter_(1, mask.keep, True)
    assert torch.equal(kept, ~mask.mask)
    again = line_token_mask(3, grid, 0, 0.75, "cpu", torch.Generator().manual_seed(0))
    assert torch.equal(again.mask, mask.mask)


def test_line_mask_along_the_other_axis_and_refusals() -> None:
    from sslsci.methods.masking import line_token_mask

    mask = line_token_mask(2, (4, 6), 1, 0.5, "cpu", torch.Generator().manual_seed(1))
    hidden = mask.mask.view(2, 4, 6)
    for sample in hidden:  # lines run along axis 0: whole columns are hidden
        assert torch.equal(sample.all(dim=0), sample.any(dim=0))
        assert int(sample.all(dim=0).sum()) == 3
    with pytest.raises(ValueError, match=r"line axis 2 is not an axis"):
        line_token_mask(1, (4, 6), 2, 0.5, "cpu")
    with pytest.raises(ValueError, match=r"hides none of the 2 token lines"):
        line_token_mask(1, (2, 6), 0, 0.2, "cpu")
