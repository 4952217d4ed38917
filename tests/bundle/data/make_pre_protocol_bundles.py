"""Writes the bundles in ``pre_protocol/``: run once at commit 8c19ba7, before backbones
returned unpooled ``forward_features``, so tests prove such bundles still load and embed
as they did. Kept for the record; rerunning it with later code defeats its purpose.

    python tests/bundle/data/make_pre_protocol_bundles.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from sslsci.bundle import load_bundle, write_bundle
from sslsci.plugins.discovery import get_plugin

HERE = Path(__file__).resolve().parent / "pre_protocol"
CONFIGS = {
    "resnet1d": {"in_channels": 6, "widths": [8, 16], "blocks_per_stage": 1},
    "transformer": {"in_channels": 6, "patch_size": [10], "embed_dim": 16, "depth": 1,
                    "num_heads": 2},
}


def main() -> None:
    values = np.random.default_rng(0).standard_normal((6, 150)).astype(np.float32)
    np.save(HERE / "input.npy", values)
    for name, config in CONFIGS.items():
        torch.manual_seed(0)
        backbone = get_plugin("wearables").backbones[name](**config).eval()
        folder = write_bundle(
            HERE / name,
            backbone=backbone,
            name=f"pre-protocol-{name}",
            plugin_name="wearables",
            backbone_name=name,
            backbone_config=config,
            preprocessing={
                "normalize": {"target_rate": 30},
                "standardize": {"mean": [0.1] * 6, "std": [0.5] * 6},
                "window": {"time": 60},
            },
            input_contract={},
            method={"name": "simclr", "hparams": {}},
            training={"steps": 0},
            data={"manifest_sha256": "", "rows": 0, "note": "random weights, format fixture"},
        )
        np.save(HERE / f"{name}_embedding.npy", load_bundle(folder)(values))


if __name__ == "__main__":
    main()
