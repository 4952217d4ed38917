"""Window datasets: seeded, distinct per DDP rank and worker, weighted, deterministic tiles."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import xarray as xr
from torch.utils.data import DataLoader

import sslsci.data.random_windows
from sslsci.data import (
    LabelledWindows,
    RandomWindows,
    Standardizer,
    collate_tiles,
    worker_context,
)
from sslsci.data.statistics import item_statistics
from sslsci.store import ArrayStore, ItemRow

WINDOW = {"time": 50}
IDENTITY = Standardizer((0.0,) * 2, (1.0,) * 2)


def _item(store: ArrayStore, entry: str, index: int, length: int, label: str) -> ItemRow:
    """An item whose sample at t holds code*1e4 + t: a window names its item and start."""
    code = {"a": 1, "b": 2}[entry] * 100 + index
    values = np.stack([code * 1e4 + np.arange(length), -np.arange(length)]).astype(np.float64)
    array = xr.DataArray(values, dims=("channel", "time"))
    key = f"{code:02d}" + "k" * 38
    store.put(key, array, ("time",))
    return ItemRow(
        store_key=key,
        entry=entry,
        uri=f"/{entry}/{index}.csv",
        item="0",
        sha256=key,
        dims=("channel", "time"),
        shape=(2, length),
        label=label,
        group_key=None,
        labels={"label": label},
        split="train",
        stats=item_statistics(array),
        attrs={},
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    store = ArrayStore(tmp_path_factory.mktemp("store"))
    items = [_item(store, "a", k, n, "x") for k, n in enumerate((4000, 1000, 3000))]
    items.append(_item(store, "b", 0, 2000, "y"))
    items.append(_item(store, "b", 1, 30, "y"))  # shorter than the window
    return store, items


def _windows(dataset) -> list[tuple[int, int]]:
    """(item code, start) of every window the dataset yields."""
    out = []
    for (view,) in dataset:
        first = float(view[0, 0])
        out.append((int(first // 1e4), int(first % 1e4)))
    return out


def _dataset(archive, seed=0, samples=64, weights=None, views=((),)):
    store, items = archive
    return RandomWindows(store, items, WINDOW, views, IDENTITY, samples, seed, weights)


def test_windows_are_exact_cuts_of_the_stored_items(archive):
    for (view,) in _dataset(archive, samples=20):
        code, start = int(view[0, 0] // 1e4), int(view[0, 0] % 1e4)
        assert view.shape == (2, 50) and view.dtype == torch.float32
        if code != 201:  # the short item is zero-padded instead
            expected = code * 1e4 + np.arange(start, start + 50)
            np.testing.assert_allclose(view[0].double().numpy(), expected, rtol=1e-6)
            np.testing.assert_array_equal(view[1].numpy(), -np.arange(start, start + 50))


def test_same_seed_same_windows_other_seed_other_windows(archive):
    first = _windows(_dataset(archive, seed=5))
    assert first == _windows(_dataset(archive, seed=5))
    assert first != _windows(_dataset(archive, seed=6))
    dataset = _dataset(archive, seed=5)
    assert _windows(dataset) == first
    assert _windows(dataset) != first  # the next epoch draws new windows
    dataset.set_epoch(0)
    assert _windows(dataset) == first


def test_an_epoch_stopped_early_still_moves_to_new_windows(archive):
    """The trainer stops after len() batches without exhausting the iterator."""
    dataset = _dataset(archive, seed=5, samples=8)
    first = [float(view[0, 0]) for (view,), _ in zip(dataset, range(4), strict=False)]
    second = [float(view[0, 0]) for (view,), _ in zip(dataset, range(4), strict=False)]
    assert first != second
    dataset.set_epoch(0)  # a resumed run sets the epoch it continues from
    assert [float(view[0, 0]) for (view,), _ in zip(dataset, range(4), strict=False)] == first


def test_ddp_ranks_draw_different_windows(archive, monkeypatch):
    per_rank = []
    for rank in (0, 1):
        monkeypatch.setattr(sslsci.data.random_windows, "_rank_and_world", lambda r=rank: (r, 2))
        dataset = _dataset(archive, samples=64)
        assert len(dataset) == 32
        per_rank.append(_windows(dataset))
    assert len(per_rank[0]) == len(per_rank[1]) == 32
    assert not set(per_rank[0]) & set(per_rank[1])


def test_dataloader_workers_draw_different_windows(archive, monkeypatch):
    per_worker = []
    for worker in (0, 1):
        info = SimpleNamespace(id=worker, num_workers=2)
        monkeypatch.setattr(sslsci.data.random_windows, "get_worker_info", lambda i=info: i)
        per_worker.append(_windows(_dataset(archive, samples=64)))
    assert len(per_worker[0]) == len(per_worker[1]) == 32
    assert not set(per_worker[0]) & set(per_worker[1])
    monkeypatch.undo()
    loader = DataLoader(
        _dataset(archive, samples=64),
        batch_size=None,
        num_workers=2,
        multiprocessing_context=worker_context(2),
    )
    real = [(int(v[0, 0] // 1e4), int(v[0, 0] % 1e4)) for (v,) in loader]
    assert sorted(real) == sorted(per_worker[0] + per_worker[1])


def test_entry_weights_set_sampling_proportions(archive):
    items = archive[1]
    for weights, share_b in (({"a": 1.0, "b": 1.0}, 0.5), ({"a": 3.0, "b": 1.0}, 0.25)):
        dataset = _dataset(archive, weights=weights, samples=3000, seed=1)
        pairs = list(zip(dataset.probabilities, items, strict=True))
        assert sum(p for p, i in pairs if i.entry == "b") == pytest.approx(share_b)
        drawn = [code // 100 for code, _ in _windows(dataset)]
        sd = math.sqrt(share_b * (1 - share_b) / 3000)
        assert abs(drawn.count(2) / 3000 - share_b) < 5 * sd
    # Within an entry, items are drawn in proportion to their length in windows.
    p = _dataset(archive).probabilities
    assert p[0] / p[1] == pytest.approx(4000 / 1000) and p[2] / p[1] == pytest.approx(3.0)


def test_views_get_their_own_seeded_transforms(archive):
    def noise(x, g):
        return x + torch.randn(x.shape, generator=g)

    views = ([noise], [noise])
    a = list(_dataset(archive, samples=4, views=views))
    b = list(_dataset(archive, samples=4, views=views))
    for (v1, v2), (w1, w2) in zip(a, b, strict=True):
        assert torch.equal(v1, w1) and torch.equal(v2, w2) and not torch.equal(v1, v2)


def test_no_items_is_a_clear_error(archive):
    with pytest.raises(ValueError, match="ingest the catalog entries first"):
        RandomWindows(archive[0], [], WINDOW, [[]], IDENTITY, 8)


def test_labelled_tiles_are_deterministic_and_evenly_spaced(archive):
    store, items = archive
    standardizer = Standardizer.from_items(items)
    dataset = LabelledWindows(store, items, WINDOW, standardizer, ["x", "y"], max_tiles=8)
    # 20 non-overlapping tiles of 50 cover the 1000 samples; 8 are taken evenly by index
    # (0, 3, 5, 8, 11, 14, 16, 19), so the last ends at the item's end
    expected = [(0, s) for s in (0, 150, 250, 400, 550, 700, 800, 950)]
    assert [tuple(t) for t in dataset.tile_starts(items[1])] == expected
    assert [tuple(t) for t in dataset.tile_starts(items[4])] == [(0, 0)]
    tiles, label = dataset[1]
    again, _ = LabelledWindows(store, items, WINDOW, standardizer, ["x", "y"], max_tiles=8)[1]
    assert torch.equal(tiles, again) and label == 0 and tiles.shape == (8, 2, 50)
    raw = store.read(items[1].store_key)
    for tile, (_, start) in zip(tiles, dataset.tile_starts(items[1]), strict=True):
        np.testing.assert_allclose(tile.numpy(), standardizer(raw[:, start : start + 50]))
    short, label = dataset[4]
    assert label == 1 and short.shape == (1, 2, 50)
    # the 30-sample item is padded after standardisation, with the mean (0), as embed does
    np.testing.assert_allclose(
        short[0, :, :30].numpy(), standardizer(store.read(items[4].store_key))
    )
    assert not short[0, :, 30:].any()
    all_tiles, owner, labels = collate_tiles([dataset[1], dataset[4]])
    assert all_tiles.shape == (9, 2, 50) and owner.tolist() == [0] * 8 + [1]
    assert labels.tolist() == [0, 1]


def test_standardizer_matches_numpy_over_all_items(archive):
    store, items = archive
    standardizer = Standardizer.from_items(items)
    everything = np.concatenate([store.read(i.store_key) for i in items], axis=1)
    np.testing.assert_allclose(standardizer.mean, everything.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(standardizer.std, everything.std(axis=1), rtol=1e-6)


def test_labelled_windows_refuse_unlabelled_items(archive):
    store, items = archive
    unlabelled = [ItemRow(**{**items[0].__dict__, "label": None})]
    with pytest.raises(ValueError, match=r"have no label.*`labels:` block"):
        LabelledWindows(store, unlabelled, WINDOW, IDENTITY, ["x"])


def _replayed(archive, seed: int, samples: int, per_read: int) -> list[tuple[int, int]]:
    """The windows a seed should give, replayed with torch's generator: one item drawn per
    ``per_read`` windows, then their starts, each window named by its item code and start."""
    store, items = archive
    dataset = _dataset(archive, seed=seed, samples=samples)
    g = torch.Generator().manual_seed(sslsci.data.random_windows._mix(seed, 0, 0))
    p = torch.as_tensor(dataset.probabilities, dtype=torch.float64)
    out: list[tuple[int, int]] = []
    while len(out) < samples:
        item = items[int(torch.multinomial(p, 1, generator=g))]
        code = int(store.read(item.store_key)[0, 0] // 1e4)
        for _ in range(min(per_read, samples - len(out))):
            n = item.shape[1]
            start = int(torch.randint(0, n - 50 + 1, (1,), generator=g)) if n > 50 else 0
            out.append((code, start))
    return out


def test_several_windows_per_read_are_the_seeded_windows_cut_one_by_one(archive):
    store, items = archive
    codes = {int(store.read(i.store_key)[0, 0] // 1e4): i for i in items}
    for per_read in (1, 4):
        dataset = RandomWindows(
            store, items, WINDOW, [[]], IDENTITY, 30, seed=3, windows_per_read=per_read
        )
        got = []
        for (view,) in dataset:
            code, start = int(view[0, 0] // 1e4), int(view[0, 0] % 1e4)
            item = codes[code]
            expected = store.read(item.store_key)[:, start : start + 50]
            if code != 201:  # the short item is zero-padded instead
                np.testing.assert_allclose(view.double().numpy(), expected, rtol=1e-6)
            got.append((code, start))
        assert len(got) == 30  # 30 is not a multiple of 4: the last read cuts 2
        assert got == _replayed(archive, 3, 30, per_read)
    runs = [
        RandomWindows(store, items, WINDOW, [[]], IDENTITY, 64, seed=3, windows_per_read=4)
        for _ in range(2)
    ]
    first = _windows(runs[0])
    assert first == _windows(runs[1])
    assert _windows(runs[0]) != first  # the next epoch draws new windows


def test_several_windows_per_read_stay_distinct_per_worker(archive, monkeypatch):
    per_worker = []
    for worker in (0, 1):
        info = SimpleNamespace(id=worker, num_workers=2)
        monkeypatch.setattr(sslsci.data.random_windows, "get_worker_info", lambda i=info: i)
        store, items = archive
        dataset = RandomWindows(store, items, WINDOW, [[]], IDENTITY, 64, windows_per_read=4)
        per_worker.append(_windows(dataset))
    assert len(per_worker[0]) == len(per_worker[1]) == 32
    assert not set(per_worker[0]) & set(per_worker[1])


def test_windows_per_read_below_one_is_refused(archive):
    with pytest.raises(ValueError, match="windows_per_read must be >= 1"):
        RandomWindows(*archive, WINDOW, [[]], IDENTITY, 8, windows_per_read=0)


def test_standardizer_reuse_writes_into_an_owned_float32_window_only():
    standardizer = Standardizer((1.0, -2.0), (2.0, 0.5))
    window = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    expected = (window - np.array([1.0, -2.0]).reshape(2, 1, 1)) / np.array([2.0, 0.5]).reshape(
        2, 1, 1
    )
    kept = window.copy()
    fresh = standardizer(window)
    np.testing.assert_allclose(fresh, expected, rtol=1e-6)
    np.testing.assert_array_equal(window, kept)  # no reuse: the input is untouched
    reused = standardizer(window, reuse=True)
    assert reused is window
    np.testing.assert_allclose(window, expected, rtol=1e-6)
    counts = np.arange(24, dtype=np.int16).reshape(2, 3, 4)  # not float32: a new array
    out = standardizer(counts, reuse=True)
    assert out.dtype == np.float32 and out is not counts
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    frozen = kept.copy()
    frozen.flags.writeable = False  # a read-only window is never written
    np.testing.assert_allclose(standardizer(frozen, reuse=True), expected, rtol=1e-6)
    np.testing.assert_array_equal(frozen, kept)
