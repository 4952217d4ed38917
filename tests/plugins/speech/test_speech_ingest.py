"""Speech through the core's ingest: every format and rate to one shape; each bad file
quarantined with its own reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace

CATALOG = """
entries:
  - name: mixed
    modality: speech
    uri: archive
    include: ["*.wav", "*.flac", "*.ogg", "*.mp3"]
"""

GOOD = [  # (file, rate, channels, subtype)
    ("a_8k.wav", 8000, 1, "PCM_16"),
    ("b_22k.wav", 22050, 1, "PCM_16"),
    ("c_44k_stereo.flac", 44100, 2, "PCM_24"),
    ("d_48k_stereo.wav", 48000, 2, "FLOAT"),
    ("e_22k.ogg", 22050, 1, "VORBIS"),
    ("f_44k_stereo.mp3", 44100, 2, "MPEG_LAYER_III"),
]
BAD = {  # file -> words its quarantine reason must hold
    "zero_length.wav": "holds no audio frames",
    "truncated.wav": "the WAV is truncated",
    "notes.wav": "is a text file",
    "silence.wav": "the clip is silent",
    "nan_float.wav": "samples are not finite",
    "low_rate.wav": "below min_rate=8000 Hz",
}


def write_archive(folder: Path, make_tones) -> None:
    folder.mkdir()
    for name, rate, channels, subtype in GOOD:
        sf.write(folder / name, make_tones(rate, 0.5, channels), rate, subtype=subtype)
    sf.write(folder / "zero_length.wav", np.zeros(0, np.float32), 16000)
    whole = folder / "whole.tmp"
    sf.write(whole, make_tones(16000, 0.5), 16000, subtype="PCM_16", format="WAV")
    (folder / "truncated.wav").write_bytes(whole.read_bytes()[:3000])
    whole.unlink()
    (folder / "notes.wav").write_text("digit: 7\nspeaker: george\n")
    sf.write(folder / "silence.wav", np.zeros(8000, np.float32), 16000)
    nan = make_tones(16000, 0.5)[:, 0]
    nan[100:110] = np.nan
    sf.write(folder / "nan_float.wav", nan, 16000, subtype="FLOAT")
    sf.write(folder / "low_rate.wav", make_tones(6000, 0.5), 6000)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, make_tones):
    root = tmp_path_factory.mktemp("speech_ingest")
    write_archive(root / "archive", make_tones)
    (root / "catalog.yaml").write_text(CATALOG)
    catalog = load_catalog(root / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())
    return ingest_entry(catalog, "mixed", workspace), workspace


def test_every_format_and_rate_ingests_to_one_shape(ingested, make_tones) -> None:
    report, workspace = ingested
    assert report.counts["ok"] == len(GOOD)
    manifest = workspace.manifest()
    items = manifest.items(["mixed"])
    manifest.close()
    assert sorted(Path(i.uri).name for i in items) == sorted(name for name, *_ in GOOD)
    for item in items:
        assert item.dims == ("channel", "time") and item.shape == (1, 8000), item.uri
        assert item.attrs["sampling_rate"] == 16000.0
    store = workspace.store()
    channels = {name: count for name, _, count, _ in GOOD}
    for item in items:
        stored = store.read(item.store_key)[0, 400:-400]
        expected = make_tones(16000, 0.5, channels[Path(item.uri).name]).mean(axis=1)[400:-400]
        spectra = [np.abs(np.fft.rfft(v)) for v in (stored, expected)]
        assert np.corrcoef(*spectra)[0, 1] > 0.98, item.uri


def test_each_bad_file_has_its_reason(ingested) -> None:
    report, _ = ingested
    reasons = {Path(uri).name: reason for uri, reason in report.quarantined}
    assert sorted(reasons) == sorted(BAD)
    for name, words in BAD.items():
        assert words in reasons[name], (name, reasons[name])
