"""The speech options: what a catalog entry's ``options`` and a pipeline's ``views`` may
set, typed, with the one default each that the readers, validate, normalize and the
views use.

The catalog options are three groups, each a model of its own so a function can take
just its group (``pick``): the read window (``WindowOptions``, readers), the validation
thresholds (``Limits``, validate) and the output format (``NormalizeOptions``,
normalize). ``SpeechOptions`` joins them for the plugin; ``ViewOptions`` is the
pipeline's ``views``.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from plugins.speech.spec import MIN_RATE_HZ, TARGET_RATE_HZ
from sslsci.plugins import Options

Samples = Annotated[int, Field(strict=True, ge=0)]  # a whole number of samples, never a bool
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
MAX_READ_SECONDS = 1200.0  # 20 min: 48 kHz stereo float32 is 0.46 GB


class WindowOptions(Options):
    """Which part of each file the readers decode (default: all of it, as one record)."""

    start: Samples | None = Field(None, description="first sample frame read (file's rate)")
    frames: Samples | None = Field(None, description="sample frames read (default: to the end)")
    start_seconds: Seconds | None = Field(None, description="window start in seconds")
    seconds: Seconds | None = Field(None, description="window length in seconds")
    segment_seconds: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        None, description="read the file as consecutive segments of this length (long files)"
    )
    max_read_seconds: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        MAX_READ_SECONDS,
        description="longest span decoded into one record, checked on the header's frame "
        "count before allocating (longer files: segment_seconds)",
    )

    @model_validator(mode="after")
    def _one_window_form(self) -> Self:
        in_samples = self.start is not None or self.frames is not None
        in_seconds = self.start_seconds is not None or self.seconds is not None
        if in_samples and in_seconds:
            raise ValueError(
                "give the window either as start/frames (samples) or as start_seconds/seconds, "
                "not both"
            )
        if self.segment_seconds is not None and (in_samples or in_seconds):
            raise ValueError(
                "option segment_seconds cannot be combined with a window "
                "(start/frames/start_seconds/seconds); drop one of them"
            )
        return self


class Limits(Options):
    """Validation thresholds; an archive of quiet field recordings or 6 kHz bat-detector
    files relaxes them by the option of the same name."""

    min_seconds: Seconds = Field(0.1, description="shortest clip (the shortest FSDD digit: 0.17 s)")
    min_rate: Annotated[float, Field(gt=0)] = Field(
        MIN_RATE_HZ, description="lowest sample rate in Hz (telephone band)"
    )
    clip_level: Annotated[float, Field(gt=0)] = Field(
        0.999, description="|x| at or above this counts as clipped (int16 max = 0.99997)"
    )
    max_clipped_ratio: Annotated[float, Field(ge=0, le=1)] = Field(
        0.01, description="share of clipped samples above which a clip is distorted"
    )
    silence_dbfs: float = Field(
        -60.0, description="a peak below this dBFS is silence (16-bit dither sits near -90)"
    )


class NormalizeOptions(Options):
    """What normalize brings every clip to."""

    target_rate: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        TARGET_RATE_HZ, description="sample rate in Hz after normalize, e.g. 16000"
    )
    mono: bool = Field(True, description="mix the channels down to one")


class SpeechOptions(NormalizeOptions, Limits, WindowOptions):
    """Catalog options of a speech archive: the read window, validation thresholds and the
    normalised format."""


def _ordered(pair: tuple[float, float]) -> tuple[float, float]:
    low, high = pair
    if not low <= high:
        raise ValueError("must be [low, high] with low <= high")
    return pair


Range = Annotated[tuple[float, float], AfterValidator(_ordered)]
Factors = Annotated[
    tuple[Annotated[float, Field(gt=0)], Annotated[float, Field(gt=0)]], AfterValidator(_ordered)
]


class ViewOptions(Options):
    """A pipeline's ``views`` options for speech (waveform augmentations)."""

    crop: Annotated[int, Field(strict=True, ge=1)] | None = Field(
        None, description="samples per view, e.g. 16000 for 1 s (default: the pipeline window)"
    )
    # Off by default: in a speech archive the "background" is another utterance, and two
    # views that each carry a different foreign word teach the encoder to ignore content
    # (FSDD, jackson held out: 10 % linear probe 0.41 with 0.4, 0.52 without, 150 steps).
    # Turn it on for archives whose clips carry background sound worth being invariant to.
    mix_ratio: Annotated[float, Field(ge=0, le=1)] = Field(
        0.0, description="largest share of a background clip mixed in (0: off, BYOL-A: 0.4)"
    )
    noise_snr_db: Range = Field((5.0, 30.0), description="[low, high] SNR of added noise, dB")
    speed: Factors = Field((0.9, 1.1), description="[low, high] speed perturbation factors")
