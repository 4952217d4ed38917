"""Window sizes in samples or in physical units (``2.56 s``, ``250 ms``, ``48 mm``, ``0.5 km``).

A recipe says how long a window is in the units its scientist thinks in; the number of
samples follows from the stored sampling of the items (a rate in Hz along time, a
spacing in mm or m along space), so a window of 2.56 s is 77 samples at 30 Hz and 128
at 50 Hz. pint parses and converts the units.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import pint

from sslsci.plugins.contract import ModalitySpec

PHYSICAL = ("[time]", "[length]")


@cache
def _units() -> pint.UnitRegistry:
    return pint.UnitRegistry()


def parse_size(value: int | str) -> int | str:
    """A positive sample count (int) or a positive time or length (canonical text).

    Raises ``ValueError`` saying what is accepted; pydantic turns it into a pipeline error
    with the file, line and field.
    """
    if isinstance(value, bool):
        raise ValueError(f"window size {value!r} is not a number of samples or a length")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(_refusal(value, "(it is not positive)"))
        return value
    try:
        size = _units().Quantity(str(value).strip())
    except (pint.PintError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(_refusal(value, f"({exc})")) from None
    if size.dimensionless and float(size.magnitude).is_integer():
        return parse_size(int(size.magnitude))
    if str(size.dimensionality) not in PHYSICAL or not size.magnitude > 0:
        raise ValueError(_refusal(value, f"(it is {size.dimensionality})"))
    return f"{size.magnitude:g} {size.units:~}"


def _refusal(value: object, why: str) -> str:
    return (
        f"window size {value!r} is neither a positive number of samples nor a positive time "
        f"or length {why}; accepted: 150, '2.56 s', '250 ms', '48 mm', '0.5 m'"
    )


def in_samples(size: int | str, sampling: float, unit: str) -> float:
    """Samples in ``size`` at ``sampling`` (a rate like ``30 Hz`` or a spacing like ``1.5 mm``).

    Raises ``ValueError`` when the units do not match (a time against a spacing in mm).
    """
    if isinstance(size, int):
        return float(size)
    units = _units()
    length, step = units.Quantity(size), units.Quantity(sampling, unit)
    for ratio in (length * step, length / step):
        if ratio.dimensionless:
            return float(ratio.to("dimensionless").magnitude)
    raise ValueError(f"{size} cannot be measured with a sampling of {sampling:g} {unit}")


def stored_sampling(attrs: Mapping[str, Any], spec: ModalitySpec) -> dict[str, float]:
    """An item's sampling per window dim: its ``attrs["sampling"]``, its
    ``attrs["sampling_rate"]`` along time, else the modality's declared sampling."""
    sampling = {dim: float(v) for dim, v in spec.sampling.items() if dim in spec.window_dims}
    rate = attrs.get("sampling_rate")
    if "time" in spec.window_dims and isinstance(rate, int | float) and rate > 0:
        sampling["time"] = float(rate)
    own = attrs.get("sampling")
    if isinstance(own, Mapping):
        sampling.update({str(d): float(v) for d, v in own.items() if d in spec.window_dims})
    return sampling
