"""PatchTransformer: shapes in 1D/2D/3D, variable sizes, padding masks, token interface."""

import json
import math

import pytest
import torch

from sslsci.nn import PatchTransformer, has_token_interface


def small(in_channels: int, patch, **kwargs) -> PatchTransformer:
    torch.manual_seed(0)
    options = {"embed_dim": 24, "depth": 2, "num_heads": 2, **kwargs}
    return PatchTransformer(in_channels, patch, **options).eval()


@pytest.mark.parametrize(
    ("shape", "patch", "conv"),
    [
        ((3, 6, 64), (8,), torch.nn.Conv1d),
        ((2, 1, 32, 16), (8, 4), torch.nn.Conv2d),
        ((2, 1, 16, 16, 8), (4, 4, 4), torch.nn.Conv3d),
    ],
)
def test_output_shapes_and_interface(shape, patch, conv) -> None:
    model = small(shape[1], patch)
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    features = model.forward_features(x)
    grid = model.grid_shape(shape[2:])
    assert model.feature_layout == "tokens" and model.feature_dim == model.num_features == 24
    assert features.shape == (shape[0], math.prod(grid), 24)
    torch.testing.assert_close(features, model.encode_tokens(model.embed_tokens(x)))
    torch.testing.assert_close(model(x), features.mean(dim=1))
    torch.testing.assert_close(model.forward_head(features), features.mean(dim=1))
    assert model.accepts["spatial_dims"] == len(patch)
    assert model.accepts["in_channels"] == shape[1]
    assert isinstance(model.get_submodule(model.stem_name), conv)
    assert has_token_interface(model)
    grid = model.grid_shape(shape[2:])
    assert grid == tuple(s // p for s, p in zip(shape[2:], patch, strict=True))
    tokens = model.embed_tokens(x)
    assert tokens.shape == (shape[0], math.prod(grid), 24)
    assert model.encode_tokens(tokens).shape == tokens.shape
    assert model.position_embedding(grid).shape == (1, math.prod(grid), 24)
    assert model.patchify(x).shape == (shape[0], math.prod(grid), model.patch_dim)
    assert model.patch_dim == shape[1] * math.prod(patch)


def test_config_is_json_and_rebuilds() -> None:
    model = small(2, (4, 4), pos_embed="learned", input_size=(16, 8), drop_path=0.1)
    config = json.loads(json.dumps(model.config))
    clone = PatchTransformer(**config)
    assert {k: v.shape for k, v in clone.state_dict().items()} == {
        k: v.shape for k, v in model.state_dict().items()
    }
    assert clone.accepts == model.accepts


def test_sincos_accepts_variable_sizes() -> None:
    model = small(2, (4, 4))
    for size in [(8, 8), (16, 12), (32, 4)]:
        assert model(torch.randn(2, 2, *size)).shape == (2, 24)


def test_learned_positions_fix_the_input_size() -> None:
    model = small(1, (8,), pos_embed="learned", input_size=(32,))
    assert model(torch.randn(2, 1, 32)).shape == (2, 24)
    with pytest.raises(ValueError, match=r"learned positions for a token grid \(4,\)"):
        model(torch.randn(2, 1, 48))
    with pytest.raises(ValueError, match="needs input_size"):
        PatchTransformer(1, (8,), pos_embed="learned")


def test_padded_tokens_do_not_affect_the_pooled_output() -> None:
    model = small(3, (8,))
    generator = torch.Generator().manual_seed(0)
    real = torch.randn(2, 3, 56, generator=generator)  # 7 real patches
    padded = torch.cat([real, torch.randn(2, 3, 24, generator=generator)], dim=-1)  # 10 patches
    mask = torch.zeros(2, 10, dtype=torch.bool)
    mask[:, 7:] = True
    with torch.no_grad():
        pooled = model(padded, key_padding_mask=mask)
        other_padding = padded.clone()
        other_padding[..., 56:] = 100.0
        torch.testing.assert_close(model(other_padding, key_padding_mask=mask), pooled)
        # 1D sincos codes depend only on the index, so this equals the unpadded input.
        torch.testing.assert_close(pooled, model(real), atol=1e-5, rtol=1e-5)
        assert not torch.allclose(model(padded), pooled, atol=1e-3)


def test_padding_mask_per_sample() -> None:
    model = small(1, (4,))
    x = torch.randn(2, 1, 32)
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[1, 5:] = True
    with torch.no_grad():
        pooled = model(x, key_padding_mask=mask)
        torch.testing.assert_close(pooled[0], model(x[:1])[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(pooled[1], model(x[1:, :, :20])[0], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        (torch.zeros(2, 7, dtype=torch.bool), r"\(2, 8\)"),
        (torch.zeros(2, 8), "bool"),
        (torch.ones(2, 8, dtype=torch.bool), "every token"),
    ],
)
def test_bad_padding_masks(mask, message) -> None:
    model = small(1, (4,))
    with pytest.raises(ValueError, match=message):
        model(torch.randn(2, 1, 32), key_padding_mask=mask)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((2, 1, 30), r"\(30,\) is not a multiple of patch_size \(8,\)"),
        ((2, 3, 32), r"expects \[batch, 1, 1 spatial dims\]"),
        ((2, 1, 32, 32), "got shape"),
    ],
)
def test_bad_inputs_name_the_shape_and_patch(shape, message) -> None:
    model = small(1, (8,))
    with pytest.raises(ValueError, match=message):
        model(torch.randn(*shape))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patch_size": (2, 2, 2, 2)}, "1, 2 or 3"),
        ({"patch_size": (8,), "pos_embed": "rope"}, "unknown"),
        ({"patch_size": (8,), "num_heads": 5}, "not divisible by num_heads=5"),
    ],
)
def test_bad_configs(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        PatchTransformer(1, embed_dim=24, **kwargs)


def test_drop_path_is_random_in_training_only() -> None:
    model = small(1, (4,), drop_path=0.5)
    x = torch.randn(4, 1, 32)
    with torch.no_grad():
        torch.testing.assert_close(model(x), model(x))
        model.train()
        torch.manual_seed(1)
        first = model(x)
        torch.manual_seed(2)
        assert not torch.allclose(first, model(x))


def test_gradients_reach_the_patch_embedding() -> None:
    model = small(2, (4, 4)).train()
    model(torch.randn(2, 2, 8, 8)).square().sum().backward()
    assert model.patch_embed.weight.grad is not None
    assert model.patch_embed.weight.grad.abs().sum() > 0
