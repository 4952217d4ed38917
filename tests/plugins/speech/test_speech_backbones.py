"""Speech backbones: the shared interface, padded batches, rebuild from config, MAE tokens."""

from __future__ import annotations

import json

import pytest
import torch

from plugins.speech.backbones import BACKBONES

SMALL = {
    "wav2vec2": {"embed_dim": 64, "num_layers": 2, "num_heads": 2, "ff_dim": 128},
    "logmel_cnn": {"channels": 16, "feature_dim": 64},
    "transformer": {"embed_dim": 64, "depth": 2, "num_heads": 2},
}
LENGTHS = [16000, 11000, 4321, 900, 250]  # the last is shorter than one 25 ms window


def build(name: str, **extra) -> torch.nn.Module:
    torch.manual_seed(0)
    return BACKBONES[name](**SMALL[name], **extra)


def padded_batch(lengths: list[int], seed: int = 0) -> tuple[list[torch.Tensor], torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    clips = [0.1 * torch.randn(1, n, generator=generator) for n in lengths]
    batch = torch.zeros(len(lengths), 1, max(lengths))
    for i, clip in enumerate(clips):
        batch[i, :, : clip.shape[-1]] = clip
    return clips, batch


def pooled(model: torch.nn.Module, x: torch.Tensor, **padding) -> torch.Tensor:
    """The protocol's embedding: ``forward_head`` of ``forward_features``, same padding."""
    return model.forward_head(model.forward_features(x, **padding), **padding)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_padding_does_not_change_an_utterance_embedding(name: str) -> None:
    model = build(name).eval()
    clips, batch = padded_batch(LENGTHS)
    with torch.no_grad():
        together = pooled(model, batch, lengths=torch.tensor(LENGTHS))
        alone = torch.cat([pooled(model, clip[None]) for clip in clips])
        unmasked = pooled(model, batch)
        torch.testing.assert_close(model(batch, torch.tensor(LENGTHS)), together)
    assert together.shape == (len(LENGTHS), model.num_features)
    torch.testing.assert_close(together, alone, atol=2e-5, rtol=1e-4)
    # without the lengths, the padded clips are different inputs (padding is content)
    assert not torch.allclose(unmasked[1:], alone[1:], atol=1e-3)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_padding_mask_equals_lengths(name: str) -> None:
    model = build(name).eval()
    _, batch = padded_batch(LENGTHS[:3])
    lengths = torch.tensor(LENGTHS[:3])
    mask = torch.arange(batch.shape[-1])[None, :] >= lengths[:, None]
    with torch.no_grad():
        by_lengths = pooled(model, batch, lengths=lengths)
        by_mask = pooled(model, batch, padding_mask=mask)
    torch.testing.assert_close(by_lengths, by_mask)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_forward_features_are_unpooled_tokens(name: str) -> None:
    model = build(name).eval()
    x = 0.1 * torch.randn(2, 1, 16000, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        tokens = model.forward_features(x)
    frames = {"wav2vec2": 49, "logmel_cnn": 98 // 8, "transformer": 4 * 7}  # 1 s of 16 kHz
    assert model.feature_layout == "tokens"
    assert tokens.shape == (2, frames[name], model.feature_dim)


def test_wav2vec2_head_counts_frames_as_torchaudio_does() -> None:
    model = build("wav2vec2").eval()
    lengths = torch.tensor(LENGTHS)
    _, counted = model.frame_features(padded_batch(LENGTHS)[1], lengths)
    torch.testing.assert_close(model.frame_counts(lengths), counted)


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_interface_and_rebuild_from_config(name: str) -> None:
    model = build(name).eval()
    assert model.accepts["features"] == ("waveform" if name == "wav2vec2" else "logmel")
    assert model.accepts["input"] == "waveform" and model.accepts["sampling_rate"] == 16000.0
    stem = model.get_submodule(model.stem_name)
    assert isinstance(stem, torch.nn.Conv1d | torch.nn.Conv2d) and stem.in_channels == 1
    config = json.loads(json.dumps(model.config))  # what a bundle stores
    rebuilt = BACKBONES[name](**config).eval()
    rebuilt.load_state_dict(model.state_dict())
    x = 0.1 * torch.randn(2, 1, 8000, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(rebuilt(x), model(x))


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_training_step_reaches_every_parameter(name: str) -> None:
    model = build(name).train()
    _, batch = padded_batch([8000, 6000])
    features = model.forward_features(batch, lengths=torch.tensor([8000, 6000]))
    features.pow(2).mean().backward()
    unused = [n for n, p in model.named_parameters() if p.grad is None]
    assert unused == []


@pytest.mark.parametrize("name", ["logmel_cnn", "transformer"])
def test_logmel_augment_runs_only_in_training(name: str) -> None:
    model = build(name, train_augment={"seed": 5})
    x = 0.1 * torch.randn(2, 1, 8000, generator=torch.Generator().manual_seed(2))
    plain = build(name)
    plain.load_state_dict(model.state_dict())
    model.eval(), plain.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(x), plain(x))
        model.train(), plain.train()
        torch.manual_seed(0)
        augmented = model(x)
        torch.manual_seed(0)
        clean = plain(x)
    assert not torch.allclose(augmented, clean, atol=1e-4)


def test_transformer_token_interface_on_logmel_patches() -> None:
    model = build("transformer").eval()
    x = 0.1 * torch.randn(3, 1, 15600, generator=torch.Generator().manual_seed(3))
    grid = model.grid_shape(x.shape[2:])
    assert grid == (4, 6)  # 64 mel bands / 16, 96 frames / 16
    patches = model.patchify(x)
    assert patches.shape == (3, 24, model.patch_dim) and model.patch_dim == 256
    spec, _ = model.spectrogram(x)
    torch.testing.assert_close(patches[:, 0].reshape(3, 16, 16), spec[:, 0, :16, :16])
    tokens = model.embed_tokens(x)
    assert tokens.shape == (3, 24, model.num_features)
    encoded = model.encode_tokens(tokens)
    torch.testing.assert_close(encoded, model.forward_features(x))
    torch.testing.assert_close(encoded.mean(dim=1), model(x))


def test_transformer_trains_with_core_mae() -> None:
    mae_module = pytest.importorskip("sslsci.methods.mae")
    model = build("transformer")
    method = mae_module.MAE(model, mask_ratio=0.75, decoder_dim=32, decoder_depth=1)
    x = 0.1 * torch.randn(2, 1, 15600, generator=torch.Generator().manual_seed(4))
    output = method([x], generator=torch.Generator().manual_seed(0))
    assert torch.isfinite(output.loss)
    output.loss.backward()
    assert model.patch_embed.weight.grad is not None


def test_bad_configs_are_explained() -> None:
    with pytest.raises(ValueError, match="bands dividing n_mels"):
        BACKBONES["transformer"](patch_size=(12, 16))
    with pytest.raises(ValueError, match="mel bands cannot pass"):
        BACKBONES["logmel_cnn"](blocks=7)
    with pytest.raises(ValueError, match="mono: true"):
        build("logmel_cnn")(torch.zeros(1, 2, 8000))
