"""The speech plugin object: spec, readers and the functions the core calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr
from torch import nn

from plugins.speech.backbones import BACKBONES
from plugins.speech.features import logmel_item_statistics
from plugins.speech.generator import example_array
from plugins.speech.normalize import normalize_array
from plugins.speech.readers import READERS
from plugins.speech.recipes import views_for
from plugins.speech.spec import SPEC
from plugins.speech.validate import validate_array
from sslsci.plugins.contract import ModalitySpec, Reader, TaskSpec, Transform

UTTERANCE_TASK = TaskSpec(
    name="utterance",
    kind="classification",
    label_key="label",
    description=(
        "One class per clip (keyword or digit, speaker, language, any class), labels from the "
        "catalog's path regex or sidecar; split by speaker so no speaker is in train and test."
    ),
)


class SpeechPlugin:
    """Speech and acoustic recordings: WAV, FLAC, OGG/Vorbis, MP3, to mono 16 kHz."""

    spec: ModalitySpec = SPEC
    version: str = "0.1.0"

    def __init__(self) -> None:
        self._readers: tuple[Reader, ...] = READERS

    @property
    def readers(self) -> Sequence[Reader]:
        """WAV, FLAC, OGG and MP3 through soundfile (libsndfile); windowed reads by option."""
        return self._readers

    def validate(self, array: xr.DataArray, **options: Any) -> list[str]:
        """Non-empty, duration, finite, rate, clipping and silence (see validate.Limits)."""
        return validate_array(array, **options)

    def normalize(self, array: xr.DataArray, **options: Any) -> xr.DataArray:
        """Mono (option ``mono``), ``target_rate`` (default 16 kHz), float32."""
        return normalize_array(array, **options)

    def views(self, method: str, **options: Any) -> list[list[Transform]]:
        """Per-view waveform transform lists (options: crop, mix_ratio, noise_snr_db, speed)."""
        return views_for(method, **options)

    def backbones(self) -> Mapping[str, Callable[..., nn.Module]]:
        """wav2vec2 (waveform), logmel_cnn and transformer (log-mel computed inside)."""
        return dict(BACKBONES)

    def tasks(self) -> Mapping[str, TaskSpec]:
        """Utterance classification."""
        return {UTTERANCE_TASK.name: UTTERANCE_TASK}

    def example(self, seed: int) -> xr.DataArray:
        """One synthetic spoken-digit-like word at 16 kHz, valid and normalised."""
        return normalize_array(example_array(seed))

    def feature_statistics(self, array: xr.DataArray) -> dict[str, Any]:
        """Log-mel count/sum/sumsq of one normalised clip, to combine over the archive into
        the mean and std the log-mel backbones take as ``logmel: {mean, std}``."""
        return logmel_item_statistics(np.asarray(array.values))


plugin = SpeechPlugin()
