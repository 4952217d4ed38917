"""A seeded abdominal CT phantom: body, fat, organs with realistic HU, size and texture.

SYNTHETIC data: shapes are deformed ellipsoids, not scans of people. Geometry is
RAS millimetres with the origin at the body's centre (x to the patient's right,
y anterior, z superior); the grid covers an adult upper abdomen (400 x 320 x 240 mm)
unless ``scale`` shrinks the whole anatomy (a miniature phantom, like small-animal CT).

Mean HU (std of the organ texture): air -1000, subcutaneous fat -100 (15), soft
tissue and muscle 40 (12), lobules of visceral fat between the organs -100, liver 60
(12; 10 when fatty), spleen 50 (10), kidneys 30 (10), vertebrae 700 (60) with a
1100 HU cortical rim, lungs -850 (40). Sizes follow adult anatomy: liver ~170 mm
wide, spleen ~110 mm long, kidneys ~110 x 50 x 50 mm, vertebral body ~36 mm across.
Each phantom jitters centres (+-6 mm) and axes (+-10 %), deforms everything with a
smooth random displacement field (~5 mm), and adds quantum noise (8 HU). Conditions
for volume-level labels: ``normal``, ``fatty_liver`` (liver ~10 HU) and
``splenomegaly`` (spleen 1.5x larger).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

ADULT_FOV_MM = np.array([400.0, 320.0, 240.0])
CLASSES: dict[int, str] = {
    0: "background",
    1: "liver",
    2: "spleen",
    3: "kidney",
    4: "spine",
    5: "lung",
}
CONDITIONS = ("normal", "fatty_liver", "splenomegaly")
AIR_HU, FAT_HU, SOFT_TISSUE_HU = -1000.0, -100.0, 40.0
# name: (class, mean HU, texture std HU, centre mm, semi-axes mm); later entries overwrite.
ORGANS: tuple[tuple[str, int, float, float, tuple[float, ...], tuple[float, ...]], ...] = (
    ("lung_right", 5, -850.0, 40.0, (75.0, -15.0, 150.0), (60.0, 75.0, 95.0)),
    ("lung_left", 5, -850.0, 40.0, (-75.0, -15.0, 150.0), (55.0, 70.0, 95.0)),
    ("liver", 1, 60.0, 12.0, (65.0, 15.0, 40.0), (85.0, 70.0, 65.0)),
    ("spleen", 2, 50.0, 10.0, (-90.0, -30.0, 45.0), (28.0, 40.0, 55.0)),
    ("kidney_right", 3, 30.0, 10.0, (65.0, -55.0, -20.0), (25.0, 25.0, 55.0)),
    ("kidney_left", 3, 30.0, 10.0, (-65.0, -55.0, -10.0), (25.0, 25.0, 55.0)),
)
SPINE_CENTRE_MM, SPINE_RADIUS_MM, SPINE_HU, CORTEX_HU, CORTEX_MM = (
    (0.0, -80.0),
    18.0,
    700.0,
    1100.0,
    3.0,
)
QUANTUM_NOISE_HU = 8.0
MUSCLE_WALL_MM = 10.0  # abdominal wall muscle between subcutaneous and visceral fat
VISCERAL_FAT_GRAIN_MM, VISCERAL_FAT_THRESHOLD = 8.0, 0.5  # fat lobules between organs
DEFORMATION_MM = 5.0
HU_LIMITS = (-1024, 3071)  # 12-bit CT range


@dataclass(frozen=True)
class Phantom:
    """One synthetic volume: ``volume`` int16 HU and ``labels`` uint8 class indices,
    both ``[x, y, z]`` in RAS voxel order; ``origin`` is voxel (0, 0, 0) in RAS mm."""

    volume: np.ndarray
    labels: np.ndarray
    spacing: tuple[float, float, float]
    origin: tuple[float, float, float]
    condition: str
    seed: int

    @property
    def affine(self) -> np.ndarray:
        affine = np.diag([*self.spacing, 1.0])
        affine[:3, 3] = self.origin
        return affine


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    """Unit-variance Gaussian noise correlated over ``sigma`` voxels (organ texture)."""
    noise = ndimage.gaussian_filter(rng.standard_normal(shape), sigma=sigma)
    return noise / max(float(noise.std()), 1e-6)


def _displacement(rng: np.random.Generator, shape: tuple[int, ...], amplitude: float) -> np.ndarray:
    """A smooth random displacement field ``[3, x, y, z]`` in mm, from a coarse 4^3 grid."""
    coarse = rng.standard_normal((3, 4, 4, 4)) * amplitude
    zoom = [n / 4 for n in shape]
    return np.stack([ndimage.zoom(c, zoom, order=3, mode="nearest") for c in coarse])


def _grid(size: tuple[int, int, int], spacing: np.ndarray, origin: np.ndarray) -> np.ndarray:
    axes = [origin[d] + spacing[d] * np.arange(size[d]) for d in range(3)]
    return np.stack(np.meshgrid(*axes, indexing="ij"))


def _ellipsoid(points: np.ndarray, centre: np.ndarray, axes: np.ndarray) -> np.ndarray:
    return sum(((points[d] - centre[d]) / axes[d]) ** 2 for d in range(3)) <= 1.0


def _check_size(size: tuple[int, int, int]) -> tuple[int, int, int]:
    if len(size) != 3 or not all(isinstance(n, int) and n >= 4 for n in size):
        raise ValueError(f"size={size!r} must be three ints >= 4 (voxels along x, y, z)")
    return size


def _organ_geometry(
    rng: np.random.Generator,
    name: str,
    centre: tuple[float, ...],
    axes: tuple[float, ...],
    condition: str,
    scale: float,
) -> tuple[np.ndarray, np.ndarray]:
    jittered_centre = (np.array(centre) + rng.uniform(-6.0, 6.0, 3)) * scale
    jittered_axes = np.array(axes) * rng.uniform(0.9, 1.1, 3) * scale
    if name == "spleen" and condition == "splenomegaly":
        jittered_axes *= 1.5
    return jittered_centre, jittered_axes


def make_phantom(
    size: tuple[int, int, int] = (64, 52, 40),
    seed: int = 0,
    spacing: tuple[float, float, float] | None = None,
    condition: str | None = None,
    scale: float = 1.0,
) -> Phantom:
    """A labelled synthetic CT volume; the same arguments give the same phantom."""
    size = _check_size(tuple(size))  # type: ignore[arg-type]
    rng = np.random.default_rng(seed)
    if condition is None:
        condition = CONDITIONS[int(rng.integers(len(CONDITIONS)))]
    if condition not in CONDITIONS:
        raise ValueError(f"condition={condition!r} is not one of {CONDITIONS}")
    grid_spacing = (
        np.round(ADULT_FOV_MM * scale / np.array(size), 4)
        if spacing is None
        else np.asarray(spacing, dtype=np.float64)
    )
    origin = np.round(-(np.array(size) - 1) / 2.0 * grid_spacing, 4)
    points = _grid(size, grid_spacing, origin) + _displacement(rng, size, DEFORMATION_MM * scale)
    volume, labels = _paint(rng, points, condition, scale, grid_spacing)
    volume += rng.normal(0.0, QUANTUM_NOISE_HU, size)
    hu = np.clip(np.round(volume), *HU_LIMITS).astype(np.int16)
    return Phantom(
        hu, labels, tuple(grid_spacing.tolist()), tuple(origin.tolist()), condition, seed
    )


def _paint(
    rng: np.random.Generator,
    points: np.ndarray,
    condition: str,
    scale: float,
    spacing: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """HU and labels: air, body with a fat layer, organs, then the spine on top."""
    shape = points.shape[1:]
    texture_sigma = max(0.5, 3.0 / float(spacing.mean()))  # ~3 mm grain
    volume = np.full(shape, AIR_HU)
    labels = np.zeros(shape, dtype=np.uint8)
    half_x, half_y = rng.uniform(150.0, 180.0) * scale, rng.uniform(105.0, 125.0) * scale
    fat = rng.uniform(12.0, 25.0) * scale
    radius = (points[0] / half_x) ** 2 + (points[1] / half_y) ** 2
    inner = (points[0] / (half_x - fat)) ** 2 + (points[1] / (half_y - fat)) ** 2
    volume[radius <= 1.0] = FAT_HU + 15.0 * _smooth_noise(rng, shape, texture_sigma)[radius <= 1.0]
    body = inner <= 1.0
    volume[body] = SOFT_TISSUE_HU + 12.0 * _smooth_noise(rng, shape, texture_sigma)[body]
    wall = MUSCLE_WALL_MM * scale
    cavity = (points[0] / (half_x - fat - wall)) ** 2 + (points[1] / (half_y - fat - wall)) ** 2
    lobules = _smooth_noise(rng, shape, VISCERAL_FAT_GRAIN_MM * scale / float(spacing.mean()))
    visceral = (cavity <= 1.0) & (lobules > VISCERAL_FAT_THRESHOLD)
    volume[visceral] = FAT_HU + 15.0 * _smooth_noise(rng, shape, texture_sigma)[visceral]
    for name, klass, mean, std, centre, axes in ORGANS:
        c, a = _organ_geometry(rng, name, centre, axes, condition, scale)
        inside = _ellipsoid(points, c, a) & body
        if name == "liver" and condition == "fatty_liver":
            mean = 10.0
        volume[inside] = mean + std * _smooth_noise(rng, shape, texture_sigma)[inside]
        labels[inside] = klass
    _paint_spine(rng, points, volume, labels, body, scale, texture_sigma)
    return volume, labels


def _paint_spine(
    rng: np.random.Generator,
    points: np.ndarray,
    volume: np.ndarray,
    labels: np.ndarray,
    body: np.ndarray,
    scale: float,
    texture_sigma: float,
) -> None:
    centre = np.array(SPINE_CENTRE_MM) * scale + rng.uniform(-3.0, 3.0, 2) * scale
    radius = SPINE_RADIUS_MM * scale * rng.uniform(0.9, 1.1)
    distance = np.hypot(points[0] - centre[0], points[1] - centre[1])
    bone = (distance <= radius) & body
    texture = _smooth_noise(rng, volume.shape, texture_sigma)
    volume[bone] = SPINE_HU + 60.0 * texture[bone]
    cortex = bone & (distance >= radius - CORTEX_MM * scale)
    volume[cortex] = CORTEX_HU + 60.0 * texture[cortex]
    labels[bone] = 4
