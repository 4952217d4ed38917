"""DAS backbones over [batch, 1, distance, time] windows, named lazily ("module:Name").

``transformer``: the core N-D patch transformer with 2-D patches of 8 channels x 16
samples (80 m x 64 ms at 10 m and 250 Hz); it has the token interface, so MAE and its
masked-channel option (``mask_unit: line``, ``mask_line_axis: 0`` hides whole groups of
8 channels) train it. ``phasenet_das``: the encoder half of PhaseNet-DAS's 2-D U-Net
(``plugins.das.cnn.DasCNN``), for the two-view methods.
"""

from __future__ import annotations

from sslsci.plugins.backbones import Backbone

PATCH_SIZE = (8, 16)  # (distance channels, time samples)

BACKBONES = {
    "transformer": Backbone(
        "sslsci.nn:PatchTransformer",
        {"in_channels": 1, "patch_size": PATCH_SIZE},
        "sslsci.nn.PatchTransformer over 8-channel x 16-sample patches; windows a multiple "
        "of (8, 16)",
    ),
    "phasenet_das": Backbone(
        "plugins.das.cnn:DasCNN",
        {"in_channels": 1},
        "PhaseNet-DAS's U-Net encoder (5 levels, widths 8-128, 5x5 convolutions), mean+max "
        "pooled to 256 features; any window size",
    ),
}
