"""Seeded SAR-like scenes: land-cover regions with class-typical backscatter, texture and
speckle. SYNTHETIC data, for tests and the demo archive.

Classes and their mean C-band sigma0 (VV, VH in dB), approximate values typical of
Sentinel-1 IW land-cover studies (not one source's table):

- water  (-20, -27): calm water reflects away from the sensor; flood mapping thresholds
  sit near VV -18 dB / VH -24 dB (e.g. Twele et al. 2016, Int. J. Remote Sens. 37:2990);
- forest (-7.5, -13): volume scattering keeps VH high (VV/VH ratio about 5.5 dB);
- urban  (-2, -9): double bounce off walls and ground, heavy-tailed bright scatterers;
- fields (-12, -19): crops and bare soil, varying by parcel (+-2 dB).

The four BigEarthNet-S1 patches here (arable land, forest, water courses) average VV -11
to -14 dB and VH -17 to -19.5 dB, between the field and forest values, as they should.

Regions are the argmax of one smooth random-Fourier field per class, evaluated at global
pixel coordinates, so any window of a scene can be made without the rest (a 20,000 x
20,000 scene is written block by block). Texture is multiplicative Gamma (a K-distributed
clutter: shape 1.5 urban, 12 forest, 40 fields/water) and speckle is Gamma with shape L
and mean 1 (L looks: variance 1/L), both in linear intensity, each pixel drawn from a
generator seeded by (seed, block origin).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASSES: tuple[str, ...] = ("water", "forest", "urban", "fields")
BACKSCATTER_DB: dict[str, tuple[float, float]] = {  # (VV, VH) mean sigma0 in dB
    "water": (-20.0, -27.0),
    "forest": (-7.5, -13.0),
    "urban": (-2.0, -9.0),
    "fields": (-12.0, -19.0),
}
TEXTURE_SHAPE = {"water": 40.0, "forest": 12.0, "urban": 1.5, "fields": 40.0}
CLASS_BIAS = {"water": -0.12, "forest": 0.0, "urban": -0.15, "fields": 0.05}  # area shares
WAVES = 6  # Fourier terms per class field
WAVELENGTH_PX = (250.0, 1000.0)  # regions of a few hundred pixels (km at 10 m)
PARCEL_PX = 40
PARCEL_STD_DB = 2.0
DEFAULT_LOOKS = 4.4  # equivalent number of looks of Sentinel-1 IW GRDH


@dataclass(frozen=True)
class SceneModel:
    """The random parameters of one scene (drawn from its seed)."""

    seed: int
    frequencies: np.ndarray  # [class, wave, 2] cycles per pixel (ky, kx)
    phases: np.ndarray  # [class, wave]
    looks: float = DEFAULT_LOOKS

    @classmethod
    def from_seed(cls, seed: int, looks: float = DEFAULT_LOOKS) -> SceneModel:
        rng = np.random.default_rng([seed, 0x5A2])
        wavelengths = rng.uniform(*WAVELENGTH_PX, size=(len(CLASSES), WAVES))
        angles = rng.uniform(0.0, np.pi, size=(len(CLASSES), WAVES))
        frequencies = np.stack([np.sin(angles), np.cos(angles)], axis=-1) / wavelengths[..., None]
        phases = rng.uniform(0.0, 2 * np.pi, size=(len(CLASSES), WAVES))
        return cls(seed, frequencies, phases, looks)

    def classes(self, y0: int, x0: int, height: int, width: int) -> np.ndarray:
        """Class index per pixel of the window (uint8), the same whatever the window.

        Each score is a mean of cos(2 pi (ky y + kx x) + phase) terms, evaluated as
        cos(a) cos(b) - sin(a) sin(b): two small matrix products per class.
        """
        yy = np.arange(y0, y0 + height, dtype=np.float64)[:, None]
        xx = np.arange(x0, x0 + width, dtype=np.float64)[:, None]
        scores = np.empty((len(CLASSES), height, width))
        for k, name in enumerate(CLASSES):
            a = 2 * np.pi * yy * self.frequencies[k, :, 0] + self.phases[k]  # [h, waves]
            b = 2 * np.pi * xx * self.frequencies[k, :, 1]  # [w, waves]
            waves = np.cos(a) @ np.cos(b).T - np.sin(a) @ np.sin(b).T
            scores[k] = waves / WAVES + CLASS_BIAS[name]
        return np.argmax(scores, axis=0).astype(np.uint8)

    def parcel_offsets(self, y0: int, x0: int, height: int, width: int) -> np.ndarray:
        """A per-parcel dB offset (fields), constant over PARCEL_PX squares."""
        rows = np.arange(y0, y0 + height) // PARCEL_PX
        cols = np.arange(x0, x0 + width) // PARCEL_PX
        keys = (rows[:, None] * 1_000_003 + cols[None, :] + self.seed * 7919) % (2**31 - 1)
        unit = ((keys * 2654435761) % 2**32) / 2**32  # a hash of the parcel, in [0, 1)
        return (unit - 0.5) * np.sqrt(12.0) * PARCEL_STD_DB

    def backscatter(
        self, y0: int, x0: int, height: int, width: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """(classes [h, w], sigma0 dB [2 (VV, VH), h, w] float32) of one window."""
        classes = self.classes(y0, x0, height, width)
        rng = np.random.default_rng([self.seed, y0, x0, 0xB5])
        mean_db = np.empty((2, height, width))
        texture = np.empty((height, width))
        for k, name in enumerate(CLASSES):
            where = classes == k
            mean_db[:, where] = np.asarray(BACKSCATTER_DB[name])[:, None]
            shape = TEXTURE_SHAPE[name]
            texture[where] = rng.gamma(shape, 1.0 / shape, size=int(where.sum()))
        fields = classes == CLASSES.index("fields")
        mean_db[:, fields] += self.parcel_offsets(y0, x0, height, width)[fields]
        linear = 10.0 ** (mean_db / 10.0) * texture
        speckle = rng.gamma(self.looks, 1.0 / self.looks, size=linear.shape)
        return classes, (10.0 * np.log10(linear * speckle)).astype(np.float32)


def present_classes(classes: np.ndarray, min_fraction: float = 0.01) -> list[str]:
    """Names of the classes covering at least ``min_fraction`` of the pixels, sorted."""
    counts = np.bincount(classes.reshape(-1), minlength=len(CLASSES)) / classes.size
    return sorted(
        name for name, share in zip(CLASSES, counts, strict=True) if share >= min_fraction
    )


def dominant_class(classes: np.ndarray) -> str:
    return CLASSES[int(np.argmax(np.bincount(classes.reshape(-1), minlength=len(CLASSES))))]
