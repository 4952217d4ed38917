"""The CT tasks as declared (their windows are cut by ``plugins.ct.tasks``)."""

from __future__ import annotations

from sslsci.plugins.contract import TaskSpec

SEGMENTATION_KEY = "segmentation"
BACKGROUND = 0

ORGAN_PATCH = TaskSpec(
    name="organ_patch",
    kind="classification",
    label_key="organ",
    description=(
        "Which organ a 3-D patch shows: windows centred in labelled regions of a paired "
        "label volume (sidecar column 'segmentation'), label = majority labelled class."
    ),
    plugin_windows=True,
)
VOLUME_LABEL = TaskSpec(
    name="volume_label",
    kind="classification",
    label_key="label",
    description="One label per volume or series from the catalog's CSV sidecar.",
)
TASKS = (ORGAN_PATCH, VOLUME_LABEL)
