"""What names and tags say about a SAR raster: polarisation per band, acquisition time,
orbit, scale.

Sentinel-1 product names (ESA naming convention, "Sentinel-1 Product Specification"
S1-RS-MDA-52-7441) read ``MMM_BB_TTTR_LFPP_YYYYMMDDTHHMMSS_YYYYMMDDTHHMMSS_OOOOOO_DDDDDD_CCCC``
(mission, beam mode, product type, polarisation code, start, stop, absolute orbit, ...).
BigEarthNet-S1 patch names keep the first five fields. The relative orbit follows from
the absolute one: S1A ((abs - 73) mod 175) + 1, S1B ((abs - 27) mod 175) + 1 (175 orbits
per 12-day repeat cycle).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

POL_TOKEN = re.compile(r"(?<![A-Za-z])(VV|VH|HH|HV)(?![A-Za-z])", re.IGNORECASE)
PRODUCT = re.compile(
    r"(?P<mission>S1[ABCD])_(?P<mode>IW|EW|SM|WV|S[1-6])_(?P<type>GRD[FHM]|SLC_|RAW_|OCN_)_"
    r"(?P<level>\d)(?P<class>[SA])(?P<pols>SH|SV|DH|DV|HH|HV|VV|VH)"
    r"_(?P<start>\d{8}T\d{6})(?:_(?P<stop>\d{8}T\d{6})_(?P<orbit>\d{6}))?"
)
# Polarisations a product's code says it holds (S single, D dual; H or V transmit).
PRODUCT_POLARISATIONS = {
    "SH": ("HH",),
    "SV": ("VV",),
    "DH": ("HH", "HV"),
    "DV": ("VV", "VH"),
    "HH": ("HH",),
    "VV": ("VV",),
    "HV": ("HV",),
    "VH": ("VH",),
}
RELATIVE_ORBIT_OFFSET = {"S1A": 73, "S1B": 27}
REPEAT_ORBITS = 175
TIME_TAGS = (
    "ACQUISITION_TIME",
    "acquisition_time",
    "ACQUISITION_START_TIME",
    "first_line_time",
    "time_coverage_start",
    "start_time",
)
DIRECTION_TAGS = ("ORBIT_DIRECTION", "orbit_direction", "PASS", "pass", "flight_direction")
RELATIVE_ORBIT_TAGS = ("RELATIVE_ORBIT", "relative_orbit", "relativeOrbitNumber")
SCALE_TAGS = ("SCALE", "scale", "UNITS", "units", "unit")


def polarisation_in(text: object) -> str | None:
    """The one polarisation named in ``text`` (a band description, a file name), else None."""
    if not isinstance(text, str):
        return None
    found = {match.upper() for match in POL_TOKEN.findall(text)}
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class Product:
    """Fields of a Sentinel-1 product name."""

    mission: str
    mode: str
    polarisations: tuple[str, ...]
    start: str  # ISO 8601 UTC
    absolute_orbit: int | None

    @property
    def relative_orbit(self) -> int | None:
        offset = RELATIVE_ORBIT_OFFSET.get(self.mission)
        if self.absolute_orbit is None or offset is None:
            return None
        return (self.absolute_orbit - offset) % REPEAT_ORBITS + 1


def parse_product(name: str) -> Product | None:
    """The Sentinel-1 product fields in ``name`` (a product or BigEarthNet patch name)."""
    match = PRODUCT.search(name)
    if match is None:
        return None
    start = datetime.strptime(match["start"], "%Y%m%dT%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")
    orbit = int(match["orbit"]) if match["orbit"] else None
    return Product(
        match["mission"], match["mode"], PRODUCT_POLARISATIONS[match["pols"]], start, orbit
    )


def iso_time(value: object) -> str | None:
    """An ISO 8601 UTC string from a timestamp string, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def first_tag(tags: Mapping[str, object], names: Sequence[str]) -> object | None:
    for name in names:
        if name in tags and tags[name] not in (None, ""):
            return tags[name]
    return None


def orbit_text(tags: Mapping[str, object], products: Sequence[Product | None]) -> str | None:
    """'ascending 44', 'relative 146 (S1A absolute 17018)' ... from tags and product names."""
    direction = first_tag(tags, DIRECTION_TAGS)
    relative = first_tag(tags, RELATIVE_ORBIT_TAGS)
    product = next((p for p in products if p is not None and p.absolute_orbit), None)
    if relative is None and product is not None:
        relative = product.relative_orbit
    parts = []
    if isinstance(direction, str):
        parts.append(direction.strip().lower())
    if relative is not None:
        parts.append(f"relative {relative}" if not parts else str(relative))
    if product is not None:
        parts.append(f"({product.mission} absolute {product.absolute_orbit})")
    return " ".join(parts) or None


def acquisition_time(tags: Mapping[str, object], products: Sequence[Product | None]) -> str | None:
    """The acquisition start from tags, else from a product name."""
    stated = iso_time(first_tag(tags, TIME_TAGS))
    if stated is not None:
        return stated
    return next((p.start for p in products if p is not None), None)


def check_product_polarisations(
    where: str, products: Sequence[Product | None], declared: Sequence[str]
) -> None:
    """A product name's polarisation code must hold the declared polarisations."""
    for product in products:
        if product is None:
            continue
        missing = [p for p in declared if p not in product.polarisations]
        if missing:
            raise ValueError(
                f"{where}: the Sentinel-1 product name says it holds "
                f"{'/'.join(product.polarisations)}, but polarisations declares "
                f"{', '.join(declared)}; set polarisations: [{', '.join(product.polarisations)}]"
            )


def select_bands(
    where: str, names: Sequence[str | None], declared: Sequence[str]
) -> tuple[list[int], str]:
    """0-based band positions in the declared polarisation order, and how they were known.

    Bands named in the metadata are matched by name (extra bands are left out); unnamed
    bands are taken in the declared order, which needs exactly as many bands as declared.
    """
    known = [name for name in names if name is not None]
    wanted = ", ".join(declared)
    if known and len(known) == len(names):
        missing = [p for p in declared if p not in known]
        if missing:
            raise ValueError(
                f"{where}: polarisations declares {wanted}, but the bands are "
                f"{', '.join(known)} (no {', '.join(missing)}); set polarisations: "
                f"[{', '.join(known)}] or ingest the files that hold {', '.join(missing)}"
            )
        return [known.index(p) for p in declared], "named in the metadata"
    if len(names) != len(declared):
        raise ValueError(
            f"{where}: the file has {len(names)} band(s) but polarisations declares "
            f"{len(declared)} ({wanted}); set polarisations to the {len(names)} "
            "polarisation(s) the file holds, in band order"
        )
    return list(range(len(names))), "band order, as declared"
