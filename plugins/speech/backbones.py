"""Backbone constructors; every one takes mono 16 kHz waveforms ``[B, 1, T]``.

``accepts["features"]`` says what each computes inside: "waveform" (wav2vec2) or
"logmel" (logmel_cnn, transformer). The transformer is the core's patch transformer
over 16x16 log-mel patches and is imported lazily, so loading the plugin never needs
``sslsci.nn``.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from plugins.speech.backbone_cnn import LogMelCNN
from plugins.speech.backbone_wav2vec2 import Wav2Vec2Encoder


def wav2vec2(**config: Any) -> nn.Module:
    """Small wav2vec 2.0-style encoder (conv feature encoder + transformer), random init."""
    return Wav2Vec2Encoder(**config)


def logmel_cnn(**config: Any) -> nn.Module:
    """BYOL-A-style 2-D CNN over the log-mel."""
    return LogMelCNN(**config)


def transformer(**config: Any) -> nn.Module:
    """``sslsci.nn.PatchTransformer`` over 16x16 log-mel patches, with the MAE token interface."""
    from plugins.speech.backbone_transformer import LogMelTransformer

    return LogMelTransformer(**config)


BACKBONES = {"wav2vec2": wav2vec2, "logmel_cnn": logmel_cnn, "transformer": transformer}
