"""A 2-D CNN over log-mel spectrograms, after BYOL-A's audio encoder (Niizumi et al. 2021).

Three conv blocks (3x3 conv, batch norm, ReLU, 2x2 max-pool) turn ``[B, 1, 64, T]``
into ``[B, C, 8, T/8]``; an MLP embeds each time step from its channels x bands
(``forward_features``: tokens ``[B, T/8, feature_dim]``), and the mean plus the max over
the valid time steps is the clip embedding (``forward_head``).

Padding: frames after a clip's end are zero, and after every block the positions
past the clip's (pooled) length are zeroed again, so a 3x3 conv at a clip's last frame
sees exactly the zeros it would see at the edge of the clip alone. In eval mode (batch
norm on running statistics) a padded clip's embedding equals the clip's own.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from plugins.speech.features import (
    LOGMEL_DEFAULTS,
    LogMel,
    given_lengths,
    masked_max,
    masked_mean,
    mono_waveform,
    require_mono,
    sequence_mask,
    speech_accepts,
    valid_lengths,
)
from plugins.speech.logmel_augment import LogMelAugment, LogMelAugmentConfig


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


class LogMelCNN(nn.Module):
    """Log-mel 2-D CNN; ``forward_features(x, lengths)`` -> steps ``[B, T', feature_dim]``."""

    stem_name = "blocks.0.0"
    feature_layout = "tokens"

    def __init__(
        self,
        channels: int = 64,
        blocks: int = 3,
        feature_dim: int = 512,
        dropout: float = 0.3,
        logmel: dict[str, Any] | None = None,
        train_augment: bool | dict[str, Any] | None = None,
        in_channels: int = 1,
    ) -> None:
        super().__init__()
        require_mono(in_channels, "logmel_cnn")
        self.accepts = speech_accepts("logmel")
        logmel_config = {**LOGMEL_DEFAULTS, **(logmel or {})}
        self.config = {
            "channels": channels,
            "blocks": blocks,
            "feature_dim": feature_dim,
            "dropout": dropout,
            "logmel": logmel_config,
            "train_augment": train_augment,
            "in_channels": in_channels,
        }
        self.logmel = LogMel(**logmel_config)
        augment = LogMelAugmentConfig.from_option(train_augment)
        self.augment = LogMelAugment(augment) if augment else None
        self.blocks = nn.ModuleList(
            conv_block(1 if i == 0 else channels, channels) for i in range(blocks)
        )
        self.reduction = 2**blocks
        bands = logmel_config["n_mels"] // self.reduction
        if bands < 1:
            raise ValueError(
                f"logmel_cnn: {logmel_config['n_mels']} mel bands cannot pass {blocks} 2x pools; "
                f"use at least {self.reduction} bands or fewer blocks"
            )
        self.mlp = nn.Sequential(
            nn.Linear(channels * bands, feature_dim),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(feature_dim, feature_dim),
            nn.ReLU(),
        )
        self.num_features = self.feature_dim = feature_dim

    def frame_features(
        self, spec: torch.Tensor, frames: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``[B, 1, F, T]`` log-mel -> ``[B, T', D]`` per-step features and valid steps."""
        frames = frames.clamp(min=self.reduction)
        if spec.shape[-1] < self.reduction:
            spec = nn.functional.pad(spec, (0, self.reduction - spec.shape[-1]))
        x = spec
        for block in self.blocks:
            x = block(x)
            frames = torch.div(frames, 2, rounding_mode="floor")
            x = x * sequence_mask(frames, x.shape[-1])[:, None, None, :].to(x.dtype)
        batch, channels, bands, steps = x.shape
        x = x.permute(0, 3, 1, 2).reshape(batch, steps, channels * bands)
        return self.mlp(x), frames

    def forward_features(
        self,
        x: torch.Tensor,
        lengths: torch.Tensor | None = None,
        padding_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Per-step features ``[B, T', feature_dim]`` of waveforms ``[B, 1, T]``; ``lengths``
        (valid samples) or ``padding_mask`` (``[B, T]``, True at padding) mark padding."""
        wave = mono_waveform(x)
        spec, frames = self.logmel(wave, valid_lengths(wave, lengths, padding_mask))
        if self.augment is not None:
            spec = self.augment(spec, frames)
        return self.frame_features(spec, frames)[0]

    def forward_head(
        self,
        features: torch.Tensor,
        pre_logits: bool = True,
        lengths: torch.Tensor | None = None,
        padding_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Clip embeddings ``[B, num_features]``: mean plus max over the valid steps of
        clips with ``lengths`` valid samples (all steps when no padding is given)."""
        samples = given_lengths(lengths, padding_mask)
        steps = features.shape[1]
        if samples is None:
            valid = torch.ones(features.shape[:2], dtype=torch.bool, device=features.device)
        else:
            frames = self.logmel.frame_lengths(samples.to(features.device))
            valid = sequence_mask(frames.clamp(min=self.reduction) // self.reduction, steps)
        return masked_mean(features, valid) + masked_max(features, valid)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.forward_head(self.forward_features(x, lengths), True, lengths)
