"""The segment inventory of the synthetic speech generator: ten digit-like "words".

Vowel formants are the classic adult male averages of Peterson and Barney (1952);
fricatives are noise bands, stops a closure and a burst, nasals a weak low-formant
murmur. Each word is a sequence of segments, so the ten classes differ in their
formant trajectories, voicing and frication, as spoken digits do.
"""

from __future__ import annotations

from dataclasses import dataclass

# (F1, F2, F3) in Hz
VOWELS: dict[str, tuple[float, float, float]] = {
    "i": (270.0, 2290.0, 3010.0),
    "I": (390.0, 1990.0, 2550.0),
    "e": (530.0, 1840.0, 2480.0),
    "a": (730.0, 1090.0, 2440.0),
    "o": (570.0, 840.0, 2410.0),
    "u": (300.0, 870.0, 2240.0),
    "V": (640.0, 1190.0, 2390.0),
    "r": (490.0, 1350.0, 1690.0),
}
NASAL_FORMANTS = (250.0, 1100.0, 2300.0)


@dataclass(frozen=True)
class Segment:
    """One phone: its formant targets, voicing and noise levels, noise band and length."""

    formants: tuple[float, float, float]
    voicing: float  # relative amplitude of the glottal source
    noise: float  # relative amplitude of frication noise
    noise_hz: float  # centre of the frication band
    seconds: float


def vowel(name: str, seconds: float = 0.12) -> Segment:
    return Segment(VOWELS[name], 1.0, 0.0, 0.0, seconds)


def fricative(
    noise_hz: float, level: float, voiced: bool = False, seconds: float = 0.09
) -> Segment:
    formants = (300.0, 1600.0, 2600.0)
    return Segment(formants, 0.35 if voiced else 0.0, level, noise_hz, seconds)


def nasal(seconds: float = 0.07) -> Segment:
    return Segment(NASAL_FORMANTS, 0.45, 0.0, 0.0, seconds)


def closure(seconds: float = 0.04) -> Segment:
    return Segment((400.0, 1500.0, 2500.0), 0.0, 0.0, 0.0, seconds)


def burst(noise_hz: float, seconds: float = 0.02) -> Segment:
    return Segment((400.0, 1800.0, 2600.0), 0.0, 0.8, noise_hz, seconds)


WORDS: dict[str, tuple[Segment, ...]] = {
    "0": (fricative(4500, 0.5, voiced=True), vowel("i", 0.08), vowel("r", 0.1), vowel("o", 0.14)),
    "1": (vowel("u", 0.06), vowel("V", 0.14), nasal(0.09)),
    "2": (closure(), burst(4000), vowel("u", 0.2)),
    "3": (fricative(6500, 0.25), vowel("r", 0.08), vowel("i", 0.18)),
    "4": (fricative(5000, 0.3), vowel("o", 0.16), vowel("r", 0.1)),
    "5": (fricative(5000, 0.3), vowel("a", 0.14), vowel("i", 0.08), fricative(4500, 0.3, True)),
    "6": (fricative(6000, 0.6), vowel("I", 0.1), closure(), burst(2500), fricative(6000, 0.6)),
    "7": (
        fricative(6000, 0.6),
        vowel("e", 0.1),
        fricative(4500, 0.3, True, 0.05),
        vowel("V", 0.08),
        nasal(),
    ),
    "8": (vowel("e", 0.16), vowel("i", 0.08), closure(), burst(4000)),
    "9": (nasal(), vowel("a", 0.14), vowel("i", 0.08), nasal()),
}
SPOKEN: dict[str, str] = {
    "0": "zero",
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
}
