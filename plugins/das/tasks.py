"""Downstream tasks for DAS: one label per stored item, from the catalog's sidecar.

The demo archive's ``labels.csv`` carries both columns (synthetic labels): ``label`` is
event (a local earthquake) or noise (background, traffic or impulsive noise), and
``event_class`` is earthquake, vehicle, impulsive or noise.
"""

from __future__ import annotations

from sslsci.plugins.contract import TaskSpec

EVENT_DETECTION = TaskSpec(
    name="event_detection",
    kind="classification",
    label_key="label",
    description="Is there an earthquake in the record (event) or not (noise: background, "
    "vehicles, impulsive noise)? Sidecar column 'label'.",
)
EVENT_CLASS = TaskSpec(
    name="event_class",
    kind="classification",
    label_key="event_class",
    description="What the record holds: earthquake, vehicle, impulsive or noise. Sidecar "
    "column 'event_class'.",
)
TASKS = (EVENT_DETECTION, EVENT_CLASS)
