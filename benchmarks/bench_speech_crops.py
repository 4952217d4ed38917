"""Crops per second: from the store vs decoding the source file per crop (speech).

A long 44.1 kHz stereo FLAC (seeded synthetic words over noise) is ingested once into
the zarr store as 16 kHz mono; then random 3 s crops are cut (a) from the store, (b) by
seeking in the source and decoding only the crop (plus mixdown and resampling), and
(c) by decoding the whole source file per crop and slicing. All three are timed in one
process on the same crop starts; the store is read with its in-memory cache off, so every
crop decodes its zarr chunks. Not a test; prints a table. Run:

    .venv/bin/python benchmarks/bench_speech_crops.py            # 30 min source, 200 crops
    .venv/bin/python benchmarks/bench_speech_crops.py --quick    # 5 min source, 50 crops
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from plugins.speech.generator import make_speaker, synthesize_word
from plugins.speech.normalize import normalize_array
from plugins.speech.readers import read_audio
from plugins.speech.spec import SPEC
from sslsci.store import ArrayStore

SOURCE_RATE, CROP_SECONDS = 44100, 3.0


def write_long_flac(path: Path, minutes: float, seed: int = 0) -> None:
    """Words by a few synthetic speakers at random times over quiet noise, written in blocks."""
    rng = np.random.default_rng(seed)
    speakers = [make_speaker(i, seed) for i in range(4)]
    block = 60 * SOURCE_RATE
    with sf.SoundFile(path, "w", SOURCE_RATE, 2, format="FLAC", subtype="PCM_16") as out:
        for _ in range(int(np.ceil(minutes))):
            audio = 0.003 * rng.standard_normal((block, 2))
            for _ in range(40):
                word = synthesize_word(
                    str(rng.integers(10)), speakers[rng.integers(4)], SOURCE_RATE, rng
                )
                at = int(rng.integers(0, block - word.size))
                audio[at : at + word.size] += word[:, None] * rng.uniform(0.5, 1.0, 2)
            out.write(np.clip(audio, -1, 1))


def rate(fn: Callable[[int], np.ndarray], count: int) -> float:
    """Calls per second of ``fn(0) .. fn(count - 1)``."""
    start = time.perf_counter()
    for i in range(count):
        fn(i)
    return count / (time.perf_counter() - start)


def main(minutes: float = 30.0, crops: int = 200) -> None:
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "long.flac"
        write_long_flac(source, minutes)
        seconds = sf.info(source).duration
        t0 = time.perf_counter()
        array = normalize_array(read_audio(str(source), "FLAC"))
        store = ArrayStore(Path(tmp) / "store", cache_bytes=0)
        store.put("long", array, SPEC.window_dims)
        ingest_s = time.perf_counter() - t0
        starts = rng.uniform(0, seconds - CROP_SECONDS, crops)
        n16 = int(CROP_SECONDS * 16000)

        def from_store(i: int) -> np.ndarray:
            s = int(starts[i] * 16000)
            return store.read("long", (slice(None), slice(s, s + n16)))

        def seek_and_decode(i: int) -> np.ndarray:
            crop = read_audio(str(source), "FLAC", start_seconds=starts[i], seconds=CROP_SECONDS)
            return normalize_array(crop).values

        def decode_whole(i: int) -> np.ndarray:
            values, _ = sf.read(source, dtype="float32", always_2d=True)
            s = int(starts[i] * SOURCE_RATE)
            return values[s : s + int(CROP_SECONDS * SOURCE_RATE)]

        store_rate = rate(from_store, crops)
        seek_rate = rate(seek_and_decode, crops)
        whole_rate = rate(decode_whole, max(2, crops // 100))
    print(
        f"source: {seconds / 60:.0f} min FLAC, 44.1 kHz stereo; crops of {CROP_SECONDS:g} s;"
        f" ingest (decode + mixdown + resample + store) {ingest_s:.1f} s once"
    )
    print("| path | crops/s | vs store |")
    print("|---|---|---|")
    for name, value in (
        ("store (zarr, 16 kHz mono)", store_rate),
        ("seek + decode crop + resample", seek_rate),
        ("decode whole file per crop", whole_rate),
    ):
        print(f"| {name} | {value:,.1f} | {store_rate / value:,.1f}x slower |")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="source length")
    parser.add_argument("--crops", type=int, default=200, help="crops timed per path")
    parser.add_argument("--quick", action="store_true", help="5 minutes, 50 crops")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    if args.quick:
        main(5.0, 50)
    else:
        main(args.minutes, args.crops)
