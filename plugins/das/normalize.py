"""Bring a valid DAS record to the spec: (channel, distance, time) float32 strain rate,
detrended, decimated to ``target_rate_hz`` (anti-aliased, never upsampled), band-passed,
optionally decimated along distance, robust-scaled per channel, bad channels masked.

Each step and its parameters go to ``attrs["preprocessing"]`` (the bundle carries them,
so users can prepare their own arrays the same way). Conversion to strain rate follows
DASCore's transforms: velocity -> strain rate is the central difference along distance of
``Patch.velocity_to_strain_rate`` (step_multiple=2), phase -> strain is equation 3 of
Lindsey et al. (2020) as in ``Patch.radians_to_strain``, strain -> strain rate a central
difference in time. They run on numpy here, so NetCDF and miniSEED records need no
DASCore import. Normalising twice changes nothing: a normalised array is recognised by
its ``normalized_by`` attr and comes back as it is.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import numpy as np
import xarray as xr

from plugins.das import spec
from plugins.das.options import NormalizeOptions, ValidateOptions
from plugins.das.validate import ROWS, bad_channels, section

NORMALIZED_BY = "plugins.das.normalize"
MAD_TO_SIGMA = 1.4826  # MAD of a Gaussian x this = its standard deviation
MAX_DENOMINATOR = 1000  # rate ratios as p/q, q <= 1000: the rate lands within ~1e-6
# Lindsey et al. (2020), eq. 3 (DASCore's radians_to_strain defaults).
WAVELENGTH_M, REFRACTIVE_INDEX, STRESS_CONSTANT = 1550e-9, 1.445, 0.79
PER_SECOND = re.compile(r"(/\s*s\b|\bs\s*\*\*\s*-1|\bHz\b|/\s*\(?\s*s\s*\)?$)")

Steps = list[dict[str, Any]]


def is_normalized(array: xr.DataArray) -> bool:
    return array.attrs.get("normalized_by") == NORMALIZED_BY


def time_step(array: xr.DataArray) -> float:
    times = np.asarray(array.coords["time"].values, dtype=np.float64)
    if len(times) < 2:
        raise ValueError(f"{_source(array)}: a single time sample cannot be normalised")
    return float(np.median(np.diff(times)))


def _source(array: xr.DataArray | dict[str, Any]) -> str:
    attrs = array.attrs if isinstance(array, xr.DataArray) else array
    return str(attrs.get(spec.SOURCE, "the DAS record"))


# strain rate --------------------------------------------------------------------------------
def phase_to_strain_factor(gauge_length_m: float) -> float:
    """Strain per radian of phase over one gauge length (Lindsey et al. 2020, eq. 3)."""
    return WAVELENGTH_M / (4 * np.pi * REFRACTIVE_INDEX * STRESS_CONSTANT * gauge_length_m)


def to_strain_rate(
    values: np.ndarray, attrs: dict[str, Any], dt: float, distance: np.ndarray
) -> tuple[np.ndarray, str, Steps]:
    """Values as strain rate where the quantity allows, and the step taken; the quantity and
    units after go into ``attrs`` (a copy the caller owns)."""
    quantity = str(attrs.get(spec.QUANTITY_ATTR) or "unknown")
    units = str(attrs.get(spec.UNITS) or "")
    step: dict[str, Any] = {"step": "to_strain_rate", "from": quantity}
    if quantity == "strain_rate":
        return values, [{**step, "how": "already strain rate"}]
    if quantity == "unknown":
        step["how"] = "kept as recorded: the file names no quantity (option assume_quantity)"
        return values, [step]
    if quantity == "strain":
        step["how"] = "time derivative (numpy.gradient, central differences)"
        values, units = np.gradient(values, dt, axis=1), f"({units or '1'}) / s"
    elif quantity == "velocity":
        if values.shape[0] < 2:
            raise ValueError(f"{_source(attrs)}: velocity to strain rate needs two channels")
        step["how"] = "d/d(distance), central differences as DASCore velocity_to_strain_rate"
        values, units = np.gradient(values, distance, axis=0), f"({units or '1'}) / m"
    else:
        values, units = _phase_to_strain_rate(values, attrs, dt, units, step)
    attrs.update({spec.QUANTITY_ATTR: "strain_rate", spec.UNITS: units})
    return values, [step]


def _phase_to_strain_rate(
    values: np.ndarray, attrs: dict[str, Any], dt: float, units: str, step: dict[str, Any]
) -> tuple[np.ndarray, str]:
    """Phase (rad) or phase rate (rad/s) to strain rate; the units after."""
    gauge = attrs.get(spec.GAUGE_LENGTH)
    rate = bool(PER_SECOND.search(units))
    if isinstance(gauge, int | float) and gauge > 0:
        factor = phase_to_strain_factor(float(gauge))
        values = values * factor
        step.update(
            formula="Lindsey et al. 2020 eq. 3",
            factor=factor,
            gauge_length_m=gauge,
            wavelength_m=WAVELENGTH_M,
            refractive_index=REFRACTIVE_INDEX,
            stress_constant=STRESS_CONSTANT,
        )
        after = "1/s"
    else:
        step["formula"] = "none: gauge length unknown, values stay proportional to strain"
        after = f"({units or 'rad'}){'' if rate else ' / s'} (x unknown strain per radian)"
    if rate:
        step["how"] = "phase rate: scaled only"
    else:
        step["how"] = "phase: scaled, then time derivative (numpy.gradient)"
        values = np.gradient(values, dt, axis=1)
    return values, after


# filters ------------------------------------------------------------------------------------
def detrend(values: np.ndarray, kind: str | None) -> tuple[np.ndarray, Steps]:
    if kind is None:
        return values, []
    from scipy.signal import detrend as scipy_detrend

    return scipy_detrend(values, axis=1, type=kind), [{"step": "detrend", "type": kind}]


def rate_ratio(rate: float, target: float) -> Fraction:
    ratio = Fraction(target / rate).limit_denominator(MAX_DENOMINATOR)
    return ratio if ratio.numerator else Fraction(1, round(rate / target))


def decimate_time(values: np.ndarray, dt: float, target: float) -> tuple[np.ndarray, float, Steps]:
    """Anti-aliased polyphase decimation (scipy.signal.resample_poly) to about ``target`` Hz;
    a source at or below it keeps its rate and says so."""
    rate = 1.0 / dt
    if rate <= target * (1 + 1e-9):
        note = f"source rate {rate:.6g} Hz is at or below {target:g} Hz: kept (never upsampled)"
        return values, dt, [{"step": "decimate", "dim": "time", "skipped": note}]
    from scipy.signal import resample_poly

    ratio = rate_ratio(rate, target)
    out = resample_poly(values, ratio.numerator, ratio.denominator, axis=1, padtype="line")
    new_dt = dt * ratio.denominator / ratio.numerator
    step = {
        "step": "decimate",
        "dim": "time",
        "from_hz": rate,
        "to_hz": 1.0 / new_dt,
        "up": ratio.numerator,
        "down": ratio.denominator,
        "filter": "scipy.signal.resample_poly (Kaiser FIR), padtype line",
    }
    return out, new_dt, [step]


def band_pass(values: np.ndarray, dt: float, opts: NormalizeOptions) -> tuple[np.ndarray, Steps]:
    """Zero-phase Butterworth (sosfiltfilt); a high edge at Nyquist leaves a high-pass."""
    if opts.band is None:
        return values, []
    from scipy.signal import butter, sosfiltfilt

    nyquist = 0.5 / dt
    low, high = opts.band
    keep_high = high < 0.95 * nyquist
    if low <= 0 and not keep_high:
        return values, [{"step": "band_pass", "skipped": f"band {opts.band} spans 0-Nyquist"}]
    if low > 0 and keep_high:
        kind, edges = "bandpass", [low, high]
    else:
        kind, edges = ("highpass", low) if low > 0 else ("lowpass", high)
    sos = butter(opts.band_order, edges, btype=kind, fs=1.0 / dt, output="sos")
    zeros = min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    padlen = 3 * (2 * len(sos) + 1 - zeros)  # sosfiltfilt's default
    step = {
        "step": "band_pass",
        "type": kind,
        "edges_hz": np.atleast_1d(edges).tolist(),
        "order": opts.band_order,
        "filter": "scipy.signal.butter + sosfiltfilt",
    }
    if values.shape[1] <= padlen:
        return values, [{**step, "skipped": f"{values.shape[1]} samples, too few to filter"}]
    return sosfiltfilt(sos, values, axis=1), [step]


def decimate_distance(
    values: np.ndarray, distance: np.ndarray, target: float | None
) -> tuple[np.ndarray, np.ndarray, int, Steps]:
    """Anti-aliased decimation along distance by the whole factor nearest ``target``."""
    if target is None or len(distance) < 2:
        return values, distance, 1, []
    dx = float(np.median(np.diff(distance)))
    factor = round(target / dx)
    if factor <= 1:
        note = f"channel spacing {dx:.6g} m is already at or above {target:g} m: kept"
        return values, distance, 1, [{"step": "decimate", "dim": "distance", "skipped": note}]
    from scipy.signal import resample_poly

    out = resample_poly(values, 1, factor, axis=0, padtype="line")
    new = distance[0] + np.arange(out.shape[0]) * dx * factor
    step = {
        "step": "decimate",
        "dim": "distance",
        "from_m": dx,
        "to_m": dx * factor,
        "down": factor,
        "filter": "scipy.signal.resample_poly (Kaiser FIR)",
    }
    return out, new, factor, [step]


def robust_scale(values: np.ndarray, enabled: bool) -> tuple[np.ndarray, Steps]:
    """Per channel: (x - median) / (1.4826 MAD); a channel with MAD 0 becomes zeros."""
    if not enabled:
        return values, []
    median = np.median(values, axis=1, keepdims=True)
    values = values - median
    mad = np.median(np.abs(values), axis=1, keepdims=True) * MAD_TO_SIGMA
    scaled = np.divide(values, mad, out=np.zeros_like(values), where=mad > 0)
    return scaled, [
        {
            "step": "robust_scale",
            "center": "median",
            "scale": "1.4826 x MAD",
            "per": "channel (distance)",
        }
    ]


# the whole --------------------------------------------------------------------------------
def masked_rows(values: np.ndarray, options: dict[str, Any], opts: NormalizeOptions) -> np.ndarray:
    if opts.bad_channels != "mask":
        return np.zeros(0, dtype=np.int64)
    found = bad_channels(values, ValidateOptions.pick(options))
    return np.unique(np.concatenate([v for v in found.values()] or [np.zeros(0, np.int64)]))


def along_time(
    block: np.ndarray,
    attrs: dict[str, Any],
    dt: float,
    distance: np.ndarray,
    opts: NormalizeOptions,
) -> tuple[np.ndarray, float, Steps]:
    """The steps that act on each channel's time series: to strain rate, detrend, decimate,
    band-pass. ``attrs`` (a copy) receives the quantity and units after."""
    steps: Steps = []
    if opts.to_strain_rate:
        block, done = to_strain_rate(block, attrs, dt, distance)
        steps += done
    block, done = detrend(block, opts.detrend)
    steps += done
    block, new_dt, done = decimate_time(block, dt, opts.target_rate_hz)
    steps += done
    block, done = band_pass(block, new_dt, opts)
    return block, new_dt, steps + done


def in_blocks(
    raw: np.ndarray,
    masked: np.ndarray,
    attrs: dict[str, Any],
    dt: float,
    distance: np.ndarray,
    opts: NormalizeOptions,
) -> tuple[np.ndarray, float, Steps]:
    """``along_time`` over ``ROWS`` channels at a time (one more on each side, for the
    distance derivative of velocity), so only the decimated result is held whole: a
    segment's float64 copy never exists at once."""
    rows = raw.shape[0]
    out, new_dt, steps = [], dt, []
    dead = np.zeros(rows, dtype=bool)
    dead[masked] = True
    for a in range(0, rows, ROWS):
        lo, hi = max(0, a - 1), min(rows, a + ROWS + 1)
        block = np.array(raw[lo:hi], dtype=np.float64)  # a copy: the caller's array stays
        block[dead[lo:hi]] = 0.0
        done_attrs = dict(attrs)
        block, new_dt, steps = along_time(block, done_attrs, dt, distance[lo:hi], opts)
        out.append(block[a - lo : a - lo + min(ROWS, rows - a)])
    attrs.update(done_attrs)
    return np.concatenate(out), new_dt, steps


def normalize_array(array: xr.DataArray, **options: Any) -> xr.DataArray:
    """A DAS record in the spec's dims as float32 strain rate at the target rate (see the
    module doc); ``options`` may hold any catalog options, ``NormalizeOptions`` and the
    bad-channel thresholds of ``ValidateOptions`` among them are used."""
    opts = NormalizeOptions.pick(options)
    array = array.transpose(*spec.DIMS)
    if is_normalized(array):
        return array.astype(np.float32)
    raw = section(array)
    if np.issubdtype(raw.dtype, np.floating) and not np.isfinite(raw).all():
        raise ValueError(f"{_source(array)}: NaN or inf samples; validate the record first")
    attrs = dict(array.attrs)
    source = {
        k: attrs.get(k)
        for k in (spec.QUANTITY_ATTR, spec.UNITS, spec.TIME_STEP, spec.DISTANCE_STEP)
    }
    dt = time_step(array)
    distance = np.asarray(array.coords["distance"].values, dtype=np.float64)
    masked = masked_rows(raw, options, opts)
    values, new_dt, steps = in_blocks(raw, masked, attrs, dt, distance, opts)
    values, new_distance, factor, done = decimate_distance(
        values, distance, opts.target_distance_step_m
    )
    steps += done
    values, done = robust_scale(values, opts.robust_scale)
    steps += done
    out_rows = np.unique(np.minimum(np.round(masked / factor).astype(int), len(new_distance) - 1))
    values[out_rows] = 0.0
    if len(masked):
        steps.append({"step": "mask_channels", "count": len(masked), "value": 0.0})
    steps.append({"step": "cast", "dtype": "float32"})
    attrs.update(
        {
            "normalized_by": NORMALIZED_BY,
            "preprocessing": steps,
            "source_quantity": source[spec.QUANTITY_ATTR],
            "source_units": source[spec.UNITS],
            "source_time_step_s": source[spec.TIME_STEP] or dt,
            "source_distance_step_m": source[spec.DISTANCE_STEP],
            "masked_distance_m": [round(float(distance[r]), 6) for r in masked],
            spec.TIME_STEP: round(new_dt, 12),
        }
    )
    if opts.robust_scale:
        quantity = str(attrs.get(spec.QUANTITY_ATTR) or "unknown").replace("_", " ")
        attrs[spec.UNITS] = f"robust-scaled {quantity} (per channel, dimensionless)"
    if factor > 1 or attrs.get(spec.DISTANCE_STEP) is not None:
        step = float(np.median(np.diff(new_distance))) if len(new_distance) > 1 else None
        attrs[spec.DISTANCE_STEP] = None if step is None else round(step, 9)
    attrs["sampling"] = stored_sampling(attrs, new_dt)
    return xr.DataArray(
        values.astype(np.float32)[np.newaxis],
        dims=spec.DIMS,
        coords={
            "channel": [spec.QUANTITY],
            "distance": new_distance,
            "time": np.arange(values.shape[1], dtype=np.float64) * new_dt,
        },
        attrs=attrs,
    )


def stored_sampling(attrs: dict[str, Any], dt: float) -> dict[str, float]:
    """Rate (Hz) along time and channel spacing (m) along distance, as stored: windows
    given in seconds or metres convert with them."""
    sampling = {"time": round(1.0 / dt, 9)}
    if attrs.get(spec.DISTANCE_STEP):
        sampling["distance"] = float(attrs[spec.DISTANCE_STEP])
    return sampling
