"""The speech plugin, declared: audio archives (WAV, FLAC, OGG, MP3) to speech encoders."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from plugins.speech.backbones import BACKBONES
from plugins.speech.generator import example_array, write_demo_archive
from plugins.speech.normalize import normalize_array
from plugins.speech.options import SpeechOptions, ViewOptions
from plugins.speech.readers import READERS
from plugins.speech.samples import write_samples
from plugins.speech.spec import SPEC
from plugins.speech.validate import validate_array
from plugins.speech.views import VIEWS
from sslsci.plugins import Plugin, TaskSpec

UTTERANCE_TASK = TaskSpec(
    name="utterance",
    kind="classification",
    label_key="label",
    description=(
        "One class per clip (keyword or digit, speaker, language, any class), labels from the "
        "catalog's path regex or sidecar; split by speaker so no speaker is in train and test."
    ),
)


def example(seed: int) -> xr.DataArray:
    """One synthetic spoken-digit-like word at 16 kHz, valid and normalised."""
    return normalize_array(example_array(seed))


def demo_archive(folder: Path, seed: int) -> None:
    """The SYNTHETIC digits archive: 4 speakers x 10 words x 10 clips, FSDD-named."""
    write_demo_archive(folder, seed=seed)


plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=READERS,
    options=SpeechOptions,
    view_options=ViewOptions,
    validate=validate_array,
    normalize=normalize_array,
    views=VIEWS,
    backbones=BACKBONES,
    tasks=(UTTERANCE_TASK,),
    example=example,
    samples=write_samples,
    demo_archive=demo_archive,
    example_window={"time": 4800},  # 0.3 s, shorter than example(0), a 0.41 s word
    example_view_options={"crop": 4000},
)
