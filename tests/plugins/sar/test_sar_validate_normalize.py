"""Scale detection, dB conversion, clip and map per polarisation, idempotence, and the
validate problems, each checked against numbers computed here."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from plugins.sar import spec
from plugins.sar.normalize import normalize_array, to_db
from plugins.sar.options import DEFAULT_CLIP_DB, SarOptions
from plugins.sar.scale import ScaleError, detect_scale, scale_from_text
from plugins.sar.validate import validate_array
from sslsci.plugins.options import OptionsError


def tile(
    values: np.ndarray,
    scale: str | None = None,
    nodata: float | None = None,
    pols: tuple[str, ...] = ("VV", "VH"),
) -> xr.DataArray:
    attrs = {
        spec.SCALE: scale,
        spec.NODATA: nodata,
        spec.TILE: [0, 0],
        "scene": "t",
        spec.NODATA_FRACTION: 0.0,
    }
    return xr.DataArray(
        values.astype(np.float32), dims=spec.DIMS, coords={"channel": list(pols)}, attrs=attrs
    )


def db_values(seed: int = 0, shape=(2, 16, 16)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack(
        [-12.0 + 4 * rng.standard_normal(shape[1:]), -19.0 + 4 * rng.standard_normal(shape[1:])]
    ).astype(np.float32)


def test_detect_scale() -> None:
    db = db_values()
    assert detect_scale(db) == "dB"
    assert detect_scale(10 ** (db / 10)) == "linear"
    with pytest.raises(ScaleError, match="uncalibrated digital numbers"):
        detect_scale(np.full((2, 4, 4), 300.0))
    assert scale_from_text("Sigma0_VV_db") == "dB" and scale_from_text("linear power") == "linear"
    assert scale_from_text("VV") is None


def test_linear_input_becomes_clipped_scaled_db() -> None:
    db = db_values(1)
    out = normalize_array(tile(10 ** (db / 10)))
    expected = np.empty_like(db)
    for index, pol in enumerate(("VV", "VH")):
        lo, hi = DEFAULT_CLIP_DB[pol]
        expected[index] = (np.clip(db[index], lo, hi) - lo) / (hi - lo)
    np.testing.assert_allclose(out.values, expected, atol=1e-5)
    steps = [s["step"] for s in out.attrs["preprocessing"]]
    assert steps == ["scale", "to_dB", "clip", "map"]
    assert out.attrs["preprocessing"][0] == {"step": "scale", "found": "linear", "how": "detected"}
    assert out.attrs["db_range"] == {"VV": [-30.0, 5.0], "VH": [-35.0, 0.0]}
    np.testing.assert_allclose(
        to_db(out.values, {"VV": (-30, 5), "VH": (-35, 0)}, (0, 1)),
        np.clip(db, [[[-30]], [[-35]]], [[[5]], [[0]]]),
        atol=1e-4,
    )


def test_declared_scale_wins_over_detection() -> None:
    db = db_values(2)
    as_db = normalize_array(tile(db), scale="dB")
    assert as_db.attrs["preprocessing"][0]["how"] == "declared"
    stated = normalize_array(tile(db, scale="dB"))
    assert stated.attrs["preprocessing"][0]["how"] == "metadata"
    np.testing.assert_array_equal(as_db.values, stated.values)


def test_normalize_is_idempotent_and_renormalises_under_other_ranges() -> None:
    once = normalize_array(tile(db_values(3)))
    np.testing.assert_array_equal(normalize_array(once).values, once.values)
    assert validate_array(once) == []
    wider = {"VV": [-40, 10], "VH": [-40, 0]}
    again = normalize_array(once, clip_db=wider, scaled_range=[-1, 1])
    direct = normalize_array(tile(db_values(3)), clip_db=wider, scaled_range=[-1, 1])
    # values the first clip kept map exactly; ones it clipped stay at the old bounds
    kept = (db_values(3) > -30) & (db_values(3) < 0)
    np.testing.assert_allclose(again.values[kept], direct.values[kept], atol=1e-5)
    assert again.attrs["preprocessing"][-1]["step"] == "rescale"


def test_nodata_pixels_take_the_clip_low() -> None:
    db = db_values(4)
    db[:, :3, :] = -9999.0
    out = normalize_array(tile(db, nodata=-9999.0))
    assert np.all(out.values[:, :3, :] == 0.0)
    assert out.attrs[spec.NODATA] is None
    assert {
        "step": "fill_nodata",
        "pixels": 48,
        "value": "clip low of each polarisation",
    } in out.attrs["preprocessing"]


def test_validate_range_and_polarisations() -> None:
    db = db_values(5)
    assert validate_array(tile(db)) == []
    hot = db.copy()
    hot[0, 0, :4] = 70.0
    (problem,) = validate_array(tile(hot))
    assert "4 values lie outside the plausible -60 to 40 dB" in problem
    (problem,) = validate_array(tile(db), scale="linear")
    assert "as linear intensity (declared) it has 512 negative values" in problem
    (problem,) = validate_array(tile(db, pols=("HH", "HV")))
    assert "has channels ['HH', 'HV'], but polarisations declares ['VV', 'VH']" in problem
    assert validate_array(tile(db, pols=("HH", "HV")), polarisations=["HH", "HV"]) == []


def test_validate_refuses_mixed_band_crs_and_bad_normalised_values() -> None:
    array = tile(db_values(6))
    array.attrs["band_crs"] = {"VV": None, "VH": "EPSG-like"}
    assert any("different CRSs" in p for p in validate_array(array))
    normalised = normalize_array(tile(db_values(6)))
    broken = normalised.copy(data=normalised.values + 2.0)
    (problem,) = validate_array(broken)
    assert "outside the working range [0, 1]" in problem


def test_options_are_checked() -> None:
    with pytest.raises(OptionsError, match="polarisations"):
        SarOptions.pick({"polarisations": ["VV", "XX"]})
    with pytest.raises(OptionsError, match="low < high"):
        SarOptions.pick({"clip_db": {"VV": [5, -30]}})
    merged = SarOptions.pick({"clip_db": {"vv": [-25, 0]}, "polarisations": "vv"})
    assert merged.clip_db["VV"] == (-25.0, 0.0) and merged.clip_db["VH"] == (-35.0, 0.0)
    assert merged.polarisations == ("VV",)
