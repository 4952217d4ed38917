"""A workdir on object storage: ingest into and pretrain from ``s3://`` on a real local
S3 server (moto in server mode on 127.0.0.1), checked against the same work on local disk
and against the bucket as boto3 (not s3fs) lists it."""

import json
import os
import sqlite3

import numpy as np
import pytest
import xarray as xr

pytest.importorskip("s3fs", reason="the s3 extra is in the dev extra")
pytest.importorskip("moto.server", reason="moto[server] is in the dev extra")

from typer.testing import CliRunner

from sslsci.catalog import load_catalog
from sslsci.cli import app
from sslsci.ingest import ingest_entry
from sslsci.ingest.prune import prune_store
from sslsci.store import ArrayStore, Manifest, remote, workdir_lock
from sslsci.store.remote_arrays import RemoteArrayStore
from sslsci.testing.s3_server import local_s3
from sslsci.train.pipeline import load_pipeline
from sslsci.train.pretrain import pretrain

BUCKET = "sslsci-test"

PIPELINE = """
name: s3run
catalog: catalog.yaml
output: runs
plugin: wearables
seed: 0
workdir: {workdir}
data: {{entries: [study], split: train, window: {{time: 32}}, samples_per_epoch: 32,
        batch_size: 8, cache_mb: 0}}
backbone: {{name: resnet1d, config: {{widths: [8]}}}}
method: {{name: simclr}}
optimizer: {{lr: 0.001}}
trainer: {{max_steps: 3, checkpoint_every_n_steps: 3, log_every_n_steps: 1}}
"""


@pytest.fixture(scope="module")
def endpoint():
    """The server (with the bucket) for this module; AWS_* point at it meanwhile."""
    with local_s3(BUCKET) as url:
        yield url


@pytest.fixture(scope="module")
def s3(endpoint):
    """A boto3 client: a view of the bucket independent of the s3fs the store uses."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint)


@pytest.fixture(autouse=True)
def local_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SSLSCI_CACHE", str(tmp_path / "cache"))


def _keys(client, prefix: str) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return [obj["Key"] for page in pages for obj in page.get("Contents", [])]


@pytest.mark.parametrize("codec, chunked", [("auto", False), ("auto", True), ("lz4", True)])
def test_windows_from_s3_equal_the_array(s3, tmp_path, monkeypatch, codec, chunked):
    """Raw one-chunk, raw multi-chunk (byte ranges) and lz4 chunks: every window, edge
    chunks included, is the numpy slice of the array that was stored."""
    if chunked:  # small chunks, so a window spans several and the last is an edge chunk
        for name in ("SINGLE_CHUNK_BYTES", "RAW_CHUNK_BYTES", "TARGET_CHUNK_BYTES"):
            monkeypatch.setattr(f"sslsci.store.layout.{name}", 4096)
    rng = np.random.default_rng(0)
    values = rng.normal(size=(3, 5003)).astype("float32")
    array = xr.DataArray(values, dims=("channel", "time"), attrs={"sampling_rate": 30.0})
    prefix = f"windows-{codec}-{chunked}"
    url = f"s3://{BUCKET}/{prefix}"
    remote = RemoteArrayStore(url, codec=codec, cache_bytes=0)
    remote.put("k1", array, ("time",))
    assert remote.keys() == {"k1"} and remote.shape("k1") == values.shape
    assert any(k.endswith("items/k1/k1/data/zarr.json") for k in _keys(s3, prefix))
    chunks = remote._reader("k1").chunks
    assert (chunks[1] < values.shape[1]) == chunked
    starts = [0, 1, 999, 1020, 4970]
    index = [(slice(0, 3), slice(s, s + 33)) for s in starts] + [(slice(1, 2), slice(7, 4000))]
    for got, where in zip(remote.read_many("k1", index), index, strict=True):
        np.testing.assert_array_equal(got, values[where])
    np.testing.assert_array_equal(remote.read("k1"), values)
    assert remote.open("k1").attrs["sampling_rate"] == 30.0
    remote.delete("k1")
    assert remote.keys() == set() and not _keys(s3, prefix + "/items/")


def test_ingest_into_and_pretrain_from_s3(s3, tmp_path, monkeypatch, small_study):
    """Ingest writes items and manifest into the bucket, a re-run finds them unchanged,
    and pretraining reads its windows back through the URL with the cache off."""
    catalog = small_study(subjects=2, recordings=2, seconds=8.0)
    url = f"s3://{BUCKET}/study"
    args = ["ingest", "study", "--catalog", str(catalog.path), "--workdir", url, "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["counts"]
    assert counts["ok"] == 4 and counts["quarantined"] == 0
    local = ingest_entry(catalog, "study", catalog.workspace(tmp_path / "local"))
    assert {k: local.counts[k] for k in ("ok", "new", "stored_items")} == {
        k: counts[k] for k in ("ok", "new", "stored_items")
    }

    objects = _keys(s3, "study/")
    assert "study/manifest.sqlite" in objects
    stored = {k.split("/")[-3] for k in objects if k.endswith("/data/zarr.json")}
    s3.download_file(BUCKET, "study/manifest.sqlite", str(tmp_path / "downloaded.sqlite"))
    with sqlite3.connect(tmp_path / "downloaded.sqlite") as db:
        rows = {key for (key,) in db.execute("SELECT store_key FROM items")}
    local_manifest = Manifest(tmp_path / "local" / "manifest.sqlite")
    assert rows == stored == {item.store_key for item in local_manifest.items()}
    snapshot = catalog.workspace(url).snapshot()
    assert snapshot.data_hash() == local_manifest.data_hash()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        snapshot.mark_gone("study", ["x"])
    local_store = ArrayStore(tmp_path / "local" / "store")
    remote_store = catalog.workspace(url).store(cache_bytes=0)
    for key in sorted(stored)[:2]:
        np.testing.assert_array_equal(remote_store.read(key), local_store.read(key))

    again = ingest_entry(catalog, "study", catalog.workspace(url))
    assert again.counts["unchanged"] == 4 and again.counts["new"] == 0

    downloads = []
    real_download = remote.download_snapshot
    counted = lambda *args: downloads.append(args) or real_download(*args)  # noqa: E731
    monkeypatch.setattr(remote, "download_snapshot", counted)
    (catalog.root / "s3run.yaml").write_text(PIPELINE.format(workdir=url))
    result = pretrain(load_pipeline(catalog.root / "s3run.yaml"))
    assert result.steps == 3 and result.checkpoint.is_file()
    assert len(downloads) == 1  # one read-only snapshot of the manifest for the whole run


def test_lock_of_a_remote_workdir_is_local_and_keyed_by_url():
    url = f"s3://{BUCKET}/locked"
    refused = pytest.raises(RuntimeError, match="another `sslsci ingest`")
    with workdir_lock(url), refused, workdir_lock(url):
        pass
    with workdir_lock(url), workdir_lock(f"s3://{BUCKET}/other"):
        pass


def test_catalog_storage_options_reach_the_store(s3, endpoint, tmp_path, monkeypatch, small_study):
    """With no AWS_ENDPOINT_URL, the catalog's workdir URL and storage_options suffice."""
    import s3fs

    monkeypatch.delenv("AWS_ENDPOINT_URL")
    s3fs.S3FileSystem.clear_instance_cache()
    small_study(subjects=1, recordings=1, seconds=4.0)
    text = (tmp_path / "catalog.yaml").read_text()
    options = f"{{endpoint_url: '{endpoint}', key: testing, secret: testing}}"
    header = f"workdir: s3://{BUCKET}/from-catalog\nstorage_options: {options}\n"
    (tmp_path / "catalog.yaml").write_text(header + text)
    catalog = load_catalog(tmp_path / "catalog.yaml")
    report = ingest_entry(catalog, "study", catalog.workspace())
    assert report.counts["ok"] == 1, report.quarantined
    assert "from-catalog/manifest.sqlite" in _keys(s3, "from-catalog/")


def test_prune_drops_uploads_a_killed_writer_left(s3, tmp_path, small_study):
    """Objects of an item whose marker never landed are deleted; stored items stay."""
    catalog = small_study(subjects=1, recordings=1, seconds=4.0)
    workspace = catalog.workspace(f"s3://{BUCKET}/pruned")
    ingest_entry(catalog, "study", workspace)
    kept = workspace.store().keys()
    stray = "pruned/store/items/ff/ff00/"
    for name in ("zarr.json", "data/c/0/0"):  # uploaded before the kill; no data/zarr.json
        s3.put_object(Bucket=BUCKET, Key=stray + name, Body=b"{}")
    assert prune_store(workspace) == (0, 0)
    assert not _keys(s3, stray) and workspace.store().keys() == kept and len(kept) == 1


def test_an_ingest_that_fails_midway_uploads_the_sources_it_recorded(s3, tmp_path, small_study):
    catalog = small_study(subjects=1, recordings=3, seconds=4.0)
    workspace = catalog.workspace(f"s3://{BUCKET}/midway")

    def stop_after_first(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_entry(catalog, "study", workspace, progress=stop_after_first)
    s3.download_file(BUCKET, "midway/manifest.sqlite", str(tmp_path / "midway.sqlite"))
    with sqlite3.connect(tmp_path / "midway.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM sources WHERE status = 'ok'").fetchone() == (1,)
    again = ingest_entry(catalog, "study", workspace)
    assert again.counts["unchanged"] == 1 and again.counts["new"] == 2


def test_a_pickled_remote_store_carries_the_connection_env_to_its_worker(monkeypatch):
    """A forkserver DataLoader worker lacks variables set after its server started (the
    CI failure: NoCredentialsError in worker 0); the store brings the parent's along."""
    import pickle

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "parent-key")
    blob = pickle.dumps(RemoteArrayStore("s3://bucket/store"))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "worker-own")
    worker = pickle.loads(blob)
    assert worker.fs is not None
    assert os.environ["AWS_ACCESS_KEY_ID"] == "parent-key"
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "worker-own"  # its own is kept
