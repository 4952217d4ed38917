"""A small wav2vec 2.0-style encoder (Baevski et al. 2020) from torchaudio's components.

``torchaudio.models.wav2vec2_model`` builds the conv feature encoder (here 7 layers of
128 channels, total stride 320: one frame per 20 ms as in the paper) and the transformer
(3 layers of width 192 by default instead of 12 of 768), randomly initialised: no weights
are downloaded. ``forward_features`` gives the last layer's frames ``[B, frames,
embed_dim]``; the clip embedding (``forward_head``) is their mean over valid frames.

Padding: the feature encoder runs in ``layer_norm`` mode (each frame normalised on its
own; ``group_norm`` mode would normalise over time and let padding in), its convs are
unpadded so a valid frame reads only valid samples, and torchaudio zeroes padded frames
before the convolutional position embedding and masks them in attention. The waveform
is standardised per clip over its valid samples only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torchaudio.models import wav2vec2_model

from plugins.speech.features import (
    given_lengths,
    masked_mean,
    mono_waveform,
    require_mono,
    sequence_mask,
    speech_accepts,
    valid_lengths,
)

SMALL_CONV_LAYERS: tuple[tuple[int, int, int], ...] = (
    (128, 10, 5),
    (128, 3, 2),
    (128, 3, 2),
    (128, 3, 2),
    (128, 3, 2),
    (128, 2, 2),
    (128, 2, 2),
)


def standardize(wave: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Zero mean, unit variance per clip over its valid samples; padding set to zero."""
    weights = valid.to(wave.dtype)
    count = weights.sum(dim=1, keepdim=True).clamp_min(1.0)
    mean = (wave * weights).sum(dim=1, keepdim=True) / count
    var = ((wave - mean) ** 2 * weights).sum(dim=1, keepdim=True) / count
    return (wave - mean) / torch.sqrt(var + 1e-7) * weights


class Wav2Vec2Encoder(nn.Module):
    """wav2vec 2.0-style encoder; ``forward_features(x, lengths)`` -> ``[B, frames, D]``."""

    stem_name = "model.feature_extractor.conv_layers.0.conv"
    feature_layout = "tokens"

    def __init__(
        self,
        conv_layers: Sequence[Sequence[int]] = SMALL_CONV_LAYERS,
        embed_dim: int = 192,
        num_layers: int = 3,
        num_heads: int = 4,
        ff_dim: int = 768,
        pos_conv_kernel: int = 32,
        pos_conv_groups: int = 16,
        dropout: float = 0.1,
        layer_drop: float = 0.0,
        in_channels: int = 1,
    ) -> None:
        super().__init__()
        require_mono(in_channels, "wav2vec2")
        self.accepts = speech_accepts("waveform")
        layers = [tuple(int(v) for v in layer) for layer in conv_layers]
        self.config: dict[str, Any] = {
            "conv_layers": [list(layer) for layer in layers],
            "embed_dim": embed_dim,
            "num_layers": num_layers,
            "num_heads": num_heads,
            "ff_dim": ff_dim,
            "pos_conv_kernel": pos_conv_kernel,
            "pos_conv_groups": pos_conv_groups,
            "dropout": dropout,
            "layer_drop": layer_drop,
            "in_channels": in_channels,
        }
        self.model = wav2vec2_model(
            extractor_mode="layer_norm",
            extractor_conv_layer_config=layers,
            extractor_conv_bias=True,
            encoder_embed_dim=embed_dim,
            encoder_projection_dropout=dropout,
            encoder_pos_conv_kernel=pos_conv_kernel,
            encoder_pos_conv_groups=pos_conv_groups,
            encoder_num_layers=num_layers,
            encoder_num_heads=num_heads,
            encoder_attention_dropout=dropout,
            encoder_ff_interm_features=ff_dim,
            encoder_ff_interm_dropout=dropout,
            encoder_dropout=dropout,
            encoder_layer_norm_first=False,
            encoder_layer_drop=layer_drop,
            aux_num_out=None,
        )
        self.conv_layers = layers
        self.min_samples = self.receptive_field(layers)
        self.num_features = self.feature_dim = embed_dim

    @staticmethod
    def receptive_field(layers: Sequence[tuple[int, int, int]]) -> int:
        """Samples the first output frame depends on: the shortest clip that gives a frame."""
        field, jump = 1, 1
        for _, kernel, stride in layers:
            field += (kernel - 1) * jump
            jump *= stride
        return field

    def frame_features(
        self,
        x: torch.Tensor,
        lengths: torch.Tensor | None = None,
        padding_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Last-layer frames ``[B, frames, embed_dim]`` and the valid frame counts."""
        wave = mono_waveform(x).float()
        lengths = valid_lengths(wave, lengths, padding_mask).clamp(min=self.min_samples)
        if wave.shape[-1] < self.min_samples:
            wave = nn.functional.pad(wave, (0, self.min_samples - wave.shape[-1]))
        wave = standardize(wave, sequence_mask(lengths, wave.shape[-1]))
        frames, frame_lengths = self.model(wave, lengths)
        return frames, frame_lengths

    def frame_counts(self, lengths: torch.Tensor) -> torch.Tensor:
        """Valid frames of clips of ``lengths`` samples: each unpadded conv's output length
        (as torchaudio's feature encoder counts them), clips padded to ``min_samples``."""
        frames = lengths.long().clamp(min=self.min_samples)
        for _, kernel, stride in self.conv_layers:
            frames = torch.div(frames - kernel, stride, rounding_mode="floor") + 1
        return frames

    def forward_features(
        self,
        x: torch.Tensor,
        lengths: torch.Tensor | None = None,
        padding_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Last-layer frames ``[B, frames, embed_dim]`` of waveforms ``[B, 1, T]``; ``lengths``
        (valid samples) or ``padding_mask`` (``[B, T]``, True at padding) mark padding."""
        return self.frame_features(x, lengths, padding_mask)[0]

    def forward_head(
        self,
        features: torch.Tensor,
        pre_logits: bool = True,
        lengths: torch.Tensor | None = None,
        padding_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Clip embeddings ``[B, num_features]``: the mean over the valid frames of clips
        with ``lengths`` valid samples (all frames when none is given)."""
        samples = given_lengths(lengths, padding_mask)
        if samples is None:
            return features.mean(dim=1)
        frames = self.frame_counts(samples.to(features.device))
        return masked_mean(features, sequence_mask(frames, features.shape[1]))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.forward_head(self.forward_features(x, lengths), True, lengths)
