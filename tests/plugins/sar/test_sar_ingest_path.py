"""The ingest's per-record path (generic checks, validate, normalize, store) on every
sample; the conformance suite itself runs in tests/plugins/test_conformance.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sslsci.ingest.checks import generic_problems, to_spec_order
from sslsci.plugins.reader_choice import pick_reader
from sslsci.store import ArrayStore


def test_every_sample_goes_through_the_ingest_path(sar_plugin, tmp_path: Path) -> None:
    store = ArrayStore(str(tmp_path / "store"))
    stored = 0
    for sample in sar_plugin.samples(tmp_path / "samples"):
        reader = pick_reader(sar_plugin, str(sample.path), None)
        options = sar_plugin.option_values(sample.options)
        for record in reader.read(str(sample.path), **options):
            assert generic_problems(record.array, sar_plugin.spec) == []
            assert sar_plugin.validate(record.array, **sample.options) == []
            array = to_spec_order(
                sar_plugin.normalize(record.array, **sample.options), sar_plugin.spec
            )
            assert generic_problems(array, sar_plugin.spec) == []
            key = f"{sample.path.name}-{record.item}"
            store.put(key, array, sar_plugin.spec.window_dims, attrs=dict(array.attrs))
            np.testing.assert_array_equal(store.read(key, (slice(None),) * 3), array.values)
            json.dumps(record.labels)
            assert {"block", "tile", "scene"} <= set(record.labels)
            stored += 1
    assert stored == 1 + 4 + 1 + 1 + 4
