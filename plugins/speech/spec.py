"""The speech modality spec: mono waveforms in [-1, 1] at 16 kHz after normalisation."""

from __future__ import annotations

from sslsci.plugins.contract import ModalitySpec

TARGET_RATE_HZ = 16000.0
MIN_RATE_HZ = 8000.0  # telephone band; below it speech loses most consonant cues
UNITS = "amplitude [-1,1]"
CHANNELS: tuple[str, ...] = ("mono",)

SPEC = ModalitySpec(
    name="speech",
    dims=("channel", "time"),
    window_dims=("time",),
    channels=CHANNELS,
    units=UNITS,
    sampling={"time": TARGET_RATE_HZ},
    description=(
        "Speech and other acoustic recordings (WAV, FLAC, OGG/Vorbis, MP3 through soundfile), "
        "mixed down to one channel and resampled to 16 kHz, float32 amplitudes in [-1, 1]."
    ),
)
