"""The core's patch transformer over log-mel patches, driven by waveforms.

``LogMelTransformer`` is an ``sslsci.nn.PatchTransformer`` with one input channel and
16x16 patches (16 mel bands x 16 frames of 10 ms, as SSAST and Audio-MAE cut them)
whose every entry point takes waveforms ``[B, 1, T]``: the log-mel is computed inside,
then the inherited patch embedding, sine-cosine positions and blocks do the rest. The
token interface MAE drives (``patchify``, ``embed_tokens``, ``grid_shape``,
``encode_tokens``, ``patch_dim``) therefore works on log-mel patches, so MAE on speech
reconstructs spectrogram patches, as Audio-MAE does.

Padding: frames are padded to a multiple of 16 with zeros (the normalised mean), the
same value ``LogMel`` gives frames past a clip's end; time columns that start past a
clip's last frame are masked in attention and pooling, and sine-cosine positions do
not depend on the grid's size, so a padded clip's embedding equals the clip's own.
``forward_features`` gives the encoded tokens ``[B, bands x columns, embed_dim]``
(row-major over ``grid_shape``); ``forward_head`` takes the same ``lengths`` and pools
the valid ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from plugins.speech.features import (
    LOGMEL_DEFAULTS,
    LogMel,
    given_lengths,
    masked_mean,
    mono_waveform,
    require_mono,
    sequence_mask,
    speech_accepts,
    valid_lengths,
)
from plugins.speech.logmel_augment import LogMelAugment, LogMelAugmentConfig
from sslsci.nn import PatchTransformer


class LogMelTransformer(PatchTransformer):
    """PatchTransformer over 16x16 log-mel patches of mono 16 kHz waveforms."""

    def __init__(
        self,
        embed_dim: int = 192,
        depth: int = 4,
        num_heads: int = 3,
        mlp_ratio: float = 4.0,
        patch_size: Sequence[int] = (16, 16),
        drop_path: float = 0.0,
        logmel: dict[str, Any] | None = None,
        train_augment: bool | dict[str, Any] | None = None,
        in_channels: int = 1,
    ) -> None:
        require_mono(in_channels, "transformer")
        patch = tuple(int(p) for p in patch_size)
        logmel_config = {**LOGMEL_DEFAULTS, **(logmel or {})}
        if len(patch) != 2 or logmel_config["n_mels"] % patch[0]:
            raise ValueError(
                f"transformer patch_size={list(patch)} must be [bands, frames] with bands "
                f"dividing n_mels={logmel_config['n_mels']}, e.g. [16, 16]"
            )
        super().__init__(
            in_channels=1,
            patch_size=patch,
            embed_dim=embed_dim,
            depth=depth,
            num_heads=num_heads,
            mlp_ratio=mlp_ratio,
            pos_embed="sincos",
            drop_path=drop_path,
        )
        self.logmel = LogMel(**logmel_config)
        augment = LogMelAugmentConfig.from_option(train_augment)
        self.augment = LogMelAugment(augment) if augment else None
        self.config = {
            "embed_dim": embed_dim,
            "depth": depth,
            "num_heads": num_heads,
            "mlp_ratio": mlp_ratio,
            "patch_size": list(patch),
            "drop_path": drop_path,
            "logmel": logmel_config,
            "train_augment": train_augment,
            "in_channels": in_channels,
        }
        self.accepts = {**speech_accepts("logmel"), "min_size": [self.logmel.n_fft]}

    def spectrogram(
        self, x: Tensor, lengths: Tensor | None = None, padding_mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """Normalised log-mel ``[B, 1, n_mels, frames]``, frames padded to a multiple of the
        patch, and each clip's valid frame count."""
        wave = mono_waveform(x)
        spec, frames = self.logmel(wave, valid_lengths(wave, lengths, padding_mask))
        missing = -spec.shape[-1] % self.patch_size[1]
        return nn.functional.pad(spec, (0, missing)), frames

    def grid_shape(self, spatial_shape: Sequence[int]) -> tuple[int, ...]:
        """Token grid (bands, time columns) of a waveform's ``(samples,)`` or a log-mel's
        ``(n_mels, frames)`` shape."""
        if len(spatial_shape) == 1:
            samples = torch.tensor([int(spatial_shape[0])])
            frames = int(self.logmel.frame_lengths(samples).item())
            return (
                self.logmel.n_mels // self.patch_size[0],
                math.ceil(frames / self.patch_size[1]),
            )
        return super().grid_shape(spatial_shape)

    def patchify(self, x: Tensor) -> Tensor:
        """Waveforms ``[B, 1, T]`` -> log-mel patches ``[B, N, 256]`` (MAE's targets)."""
        return super().patchify(self.spectrogram(x)[0])

    def embed_tokens(self, x: Tensor) -> Tensor:
        """Waveforms ``[B, 1, T]`` -> log-mel patch tokens ``[B, N, D]`` with positions."""
        return super().embed_tokens(self.spectrogram(x)[0])

    def token_padding_mask(self, frames: Tensor, tokens: int) -> Tensor:
        """``[B, tokens]`` True for tokens whose time column starts after the clip's last
        frame (tokens are row-major over ``n_mels / patch`` bands by time columns)."""
        bands = self.logmel.n_mels // self.patch_size[0]
        valid_columns = torch.div(
            frames + self.patch_size[1] - 1, self.patch_size[1], rounding_mode="floor"
        )
        column_valid = sequence_mask(valid_columns, tokens // bands)
        return ~column_valid[:, None, :].expand(-1, bands, -1).reshape(frames.shape[0], -1)

    def forward_features(
        self,
        x: Tensor,
        lengths: Tensor | None = None,
        padding_mask: Tensor | None = None,
    ) -> Tensor:
        """Encoded tokens ``[B, N, embed_dim]`` of waveforms ``[B, 1, T]``; ``lengths``
        (valid samples) or ``padding_mask`` (``[B, T]``, True at padding) mark padding."""
        spec, frames = self.spectrogram(x, lengths, padding_mask)
        if self.augment is not None:
            spec = self.augment(spec, frames)
        tokens = super().embed_tokens(spec)
        token_padding = self.token_padding_mask(frames, tokens.shape[1])
        return self.encode_tokens(tokens, token_padding if bool(token_padding.any()) else None)

    def forward_head(
        self,
        features: Tensor,
        pre_logits: bool = True,
        lengths: Tensor | None = None,
        padding_mask: Tensor | None = None,
    ) -> Tensor:
        """Clip embeddings ``[B, num_features]``: the mean over the tokens of valid time
        columns of clips with ``lengths`` valid samples (all tokens when none is given)."""
        samples = given_lengths(lengths, padding_mask)
        if samples is None:
            return features.mean(dim=1)
        frames = self.logmel.frame_lengths(samples.to(features.device))
        return masked_mean(features, ~self.token_padding_mask(frames, features.shape[1]))

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        return self.forward_head(self.forward_features(x, lengths), True, lengths)
