"""The same pipeline YAML under torchrun: two "nodes" of one process each on 127.0.0.1,
joined by the c10d rendezvous over gloo, then resumed under torchrun again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import torch

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _torchrun_two_nodes(study, pipeline, *extra: str) -> None:
    """Start node 0 (hosting the rendezvous) and node 1 as two torchrun agents; wait for both."""
    port = _free_port()
    nodes = [
        subprocess.Popen(
            [sys.executable, "-m", "torch.distributed.run", "--nnodes", "2",
             "--nproc-per-node", "1", "--node-rank", str(rank), "--rdzv-backend", "c10d",
             "--rdzv-endpoint", f"127.0.0.1:{port}", "--rdzv-id", f"sslsci-{port}",
             "--rdzv-conf", f"is_host={int(rank == 0)}", "--max-restarts", "0",
             "-m", "sslsci", "pretrain", str(pipeline), "--no-export", *extra],
            cwd=study, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for rank in (0, 1)
    ]  # fmt: skip
    try:
        for node in nodes:
            output, _ = node.communicate(timeout=600)
            assert node.returncode == 0, output[-4000:]
    finally:
        for node in nodes:
            node.kill()


def _step(path) -> int:
    return int(torch.load(path, map_location="cpu", weights_only=True)["global_step"])


def _hashes(path) -> list[str]:
    return path.read_text().split()[1::2]


def test_torchrun_two_nodes_draw_distinct_windows_agree_on_weights_and_resume(study, make_pipeline):
    pipeline = make_pipeline(study, "torchrun", max_steps=4, every=2, record=True)
    _torchrun_two_nodes(study, pipeline)
    run = study / "runs" / "torchrun"
    rank0, rank1 = _hashes(run / "windows_rank0.txt"), _hashes(run / "windows_rank1.txt")
    assert len(rank0) == len(rank1) == 4
    assert not set(rank0) & set(rank1), "the two nodes must draw different windows"
    assert (run / "weights_rank0.txt").read_text() == (run / "weights_rank1.txt").read_text()
    assert _step(run / "checkpoints" / "last.ckpt") == 4
    assert sorted(p.name for p in (run / "checkpoints").glob("step*.ckpt")) == [
        "step000002.ckpt",
        "step000004.ckpt",
    ]

    make_pipeline(study, "torchrun", max_steps=6, every=2, record=True)
    _torchrun_two_nodes(study, pipeline, "--resume")
    assert _step(run / "checkpoints" / "last.ckpt") == 6
    resumed0, resumed1 = _hashes(run / "windows_rank0.txt"), _hashes(run / "windows_rank1.txt")
    assert len(resumed0) == len(resumed1) == 6, "the resumed run continues at step 4"
    assert not set(resumed0) & set(resumed1)
    assert (run / "weights_rank0.txt").read_text() == (run / "weights_rank1.txt").read_text()
