"""The speech plugin, declared: audio archives (WAV, FLAC, OGG, MP3) to speech encoders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from plugins.speech.backbones import BACKBONES
from plugins.speech.options import SpeechOptions, ViewOptions
from plugins.speech.spec import SPEC
from sslsci.plugins import Plugin, TaskSpec
from sslsci.plugins.deferred import DeferredReader

if TYPE_CHECKING:
    import xarray as xr

# Heavy parts are named "module:name" and imported on first use, so listing plugins and
# checking a catalog import neither torch nor xarray (see sslsci.plugins.deferred).
READERS = (
    DeferredReader("plugins.speech.readers:WAV_READER", "wav", (".wav", ".wave")),
    DeferredReader("plugins.speech.readers:FLAC_READER", "flac", (".flac",)),
    DeferredReader("plugins.speech.readers:OGG_READER", "ogg", (".ogg", ".oga", ".opus")),
    DeferredReader("plugins.speech.readers:MP3_READER", "mp3", (".mp3",)),
)

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
    from plugins.speech.generator import example_array
    from plugins.speech.normalize import normalize_array

    return normalize_array(example_array(seed))


def demo_archive(folder: Path, seed: int) -> None:
    """The SYNTHETIC digits archive: 4 speakers x 10 words x 10 clips, FSDD-named."""
    from plugins.speech.generator import write_demo_archive

    write_demo_archive(folder, seed=seed)


plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=READERS,
    options=SpeechOptions,
    view_options=ViewOptions,
    validate="plugins.speech.validate:validate_array",
    normalize="plugins.speech.normalize:normalize_array",
    views={role: f"plugins.speech.views:{role}_view" for role in ("strong", "light")},
    backbones=BACKBONES,
    tasks=(UTTERANCE_TASK,),
    example=example,
    samples="plugins.speech.samples:write_samples",
    demo_archive=demo_archive,
    example_window={"time": 4800},  # 0.3 s, shorter than example(0), a 0.41 s word
    example_view_options={"crop": 4000},
)
