"""The speech backbones; every one takes mono 16 kHz waveforms ``[B, 1, T]``.

``accepts["features"]`` says what each computes inside: "waveform" (wav2vec2) or
"logmel" (logmel_cnn, transformer). Each is named as ``"module:Class"`` and imported on
first use, so loading the plugin needs neither torchaudio's models nor ``sslsci.nn``;
the classes take named parameters only, so a misspelt config key is refused.
"""

from __future__ import annotations

from sslsci.plugins import Backbone

BACKBONES: dict[str, Backbone] = {
    "wav2vec2": Backbone(
        "plugins.speech.backbone_wav2vec2:Wav2Vec2Encoder",
        description="small wav2vec 2.0-style encoder (conv feature encoder + transformer)",
    ),
    "logmel_cnn": Backbone(
        "plugins.speech.backbone_cnn:LogMelCNN",
        description="BYOL-A-style 2-D CNN over the log-mel",
    ),
    "transformer": Backbone(
        "plugins.speech.backbone_transformer:LogMelTransformer",
        description="sslsci.nn.PatchTransformer over 16x16 log-mel patches (MAE tokens)",
    ),
}
