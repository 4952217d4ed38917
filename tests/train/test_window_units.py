"""Windows in samples or physical units, converted with the stored sampling, and refused
when no stored item can fill them (instead of training on zero padding)."""

from __future__ import annotations

import pytest

from sslsci.data.window_size import in_samples, parse_size, stored_sampling
from sslsci.plugins.discovery import get_plugin
from sslsci.store import ItemRow
from sslsci.train.export import read_checkpoint
from sslsci.train.pipeline import PipelineError, load_pipeline
from sslsci.train.pretrain import pretrain
from sslsci.train.window import resolve_window

STORED_SAMPLES = 12 * 30  # the study fixture: 12 s recordings at 30 Hz


def pipeline_with_window(root, make_pipeline, run: str, window: str):
    path = make_pipeline(root, run, max_steps=2, every=2)
    text = path.read_text().replace("window: {time: 64}", f"window: {window}")
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("size", "sampling", "unit", "samples"),
    [
        ("2.56 s", 50.0, "Hz", 2.56 * 50),  # a UCI HAR window at its own rate
        ("2.56s", 30.0, "Hz", 2.56 * 30),
        ("250 ms", 250.0, "Hz", 0.25 * 250),
        ("48 mm", 1.5, "mm", 48 / 1.5),
        ("0.1 km", 4.0, "m", 100 / 4),
    ],
)
def test_physical_sizes_convert_with_the_sampling(size, sampling, unit, samples) -> None:
    assert in_samples(parse_size(size), sampling, unit) == pytest.approx(samples)


@pytest.mark.parametrize("size", ["3 kg", "-2 s", "two seconds", 0])
def test_sizes_that_are_no_time_or_length_are_refused(size) -> None:
    with pytest.raises(ValueError, match=r"accepted: 150, '2\.56 s'"):
        parse_size(size)


def test_a_time_against_a_spacing_in_mm_is_refused() -> None:
    with pytest.raises(ValueError, match=r"cannot be measured with a sampling of 1\.5 mm"):
        in_samples("2 s", 1.5, "mm")


def test_the_stored_rate_wins_over_the_modality_default() -> None:
    spec = get_plugin("wearables").spec
    assert stored_sampling({}, spec) == {"time": 30.0}
    assert stored_sampling({"sampling_rate": 50}, spec) == {"time": 50.0}
    assert stored_sampling({"sampling": {"time": 20}}, spec) == {"time": 20.0}


def test_items_stored_at_different_rates_need_a_window_in_samples(study, make_pipeline) -> None:
    path = pipeline_with_window(study, make_pipeline, "rates", "{time: 2 s}")
    rows = [
        ItemRow(
            f"k{rate}",
            "study",
            "u",
            "0",
            "s",
            ("channel", "time"),
            (6, 500),
            None,
            None,
            {},
            "train",
            {},
            {"sampling_rate": rate},
        )
        for rate in (50.0, 100.0)
    ]
    with pytest.raises(
        PipelineError,
        match=r"field 'data.window.time': value '2 s': the stored "
        r"items differ in sampling along 'time' \(50 Hz, 100 Hz\)",
    ):
        resolve_window(load_pipeline(path), get_plugin("wearables").spec, rows)


def test_window_longer_than_every_stored_item_is_refused(study, make_pipeline) -> None:
    path = pipeline_with_window(study, make_pipeline, "too_long", "{time: 400}")
    with pytest.raises(PipelineError) as info:
        pretrain(load_pipeline(path))
    assert (
        f"{path.resolve()}: line 7: field 'data.window.time': value 400: 400 samples along "
        f"'time', longer than every stored item (stored sizes: {STORED_SAMPLES} samples "
        f"(12 items)); accepted: 1 to {STORED_SAMPLES} samples"
    ) in str(info.value)
    assert not (study / "runs" / "too_long").exists()


def test_window_in_seconds_trains_on_the_samples_it_spans(study, make_pipeline) -> None:
    path = pipeline_with_window(study, make_pipeline, "seconds", '{time: "2.5 s"}')
    result = pretrain(load_pipeline(path))
    context = read_checkpoint(result.checkpoint)["sslsci"]
    assert context["pipeline"]["data"]["window"] == {"time": round(2.5 * 30)}
    assert context["sampling"] == {"time": 30.0}


def test_das_records_the_rate_and_spacing_it_stored_not_the_target() -> None:
    """A 100 Hz fibre is never upsampled to the 250 Hz target: 2 s are 200 samples."""
    from plugins.das import spec as das
    from plugins.das.normalize import normalize_array
    from tests.plugins.das.test_das_validate_normalize import record, section

    out = normalize_array(
        record(section(0, channels=30, samples=400), dt=0.01, dx=1.0), target_distance_step_m=4.0
    )
    sampling = stored_sampling(out.attrs, das.SPEC)
    assert sampling == {"time": 100.0, "distance": 4.0}
    assert in_samples("2 s", sampling["time"], das.SPEC.sampling_unit("time")) == 200
    assert in_samples("40 m", sampling["distance"], das.SPEC.sampling_unit("distance")) == 10


def test_ct_records_the_voxel_spacing_along_each_window_dim() -> None:
    import numpy as np

    from plugins.ct.geometry import volume_array
    from plugins.ct.spec import SPEC

    array = volume_array(np.zeros((4, 4, 4), np.float32), np.diag([0.8, 0.8, 2.5, 1.0]), {})
    sampling = stored_sampling(array.attrs, SPEC)
    assert sampling == {"x": 0.8, "y": 0.8, "z": 2.5}
    assert in_samples("40 mm", sampling["z"], SPEC.sampling_unit("z")) == pytest.approx(16)
