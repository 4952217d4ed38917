"""Downstream tasks the SAR plugin knows: multi-label land cover and scene classes.

``land_cover``: the classes present in a tile (BigEarthNet's CORINE classes, or the
generator's water/forest/urban/fields), sorted and joined by ";" in the record label
``labels``; the core evaluates kind ``multilabel`` one-vs-rest (mean average precision,
micro and macro F1). ``scene_class``: one class per tile in ``label`` (the demo archive's
dominant class). Split them by ``group_by: block`` so neighbouring tiles share a split.
"""

from __future__ import annotations

from sslsci.plugins.contract import TaskSpec

LABEL_SEPARATOR = ";"

TASKS = (
    TaskSpec(
        "land_cover",
        kind="multilabel",
        label_key="labels",
        description="classes present in the tile (';'-joined), one-vs-rest probes: mAP, F1",
    ),
    TaskSpec(
        "scene_class",
        kind="classification",
        label_key="label",
        description="one land-cover class per tile (the dominant one in the demo archive)",
    ),
)
