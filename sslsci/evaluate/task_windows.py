"""Samples a plugin cuts for its own tasks (``TaskSpec.plugin_windows``), as a probe dataset.

Some tasks label parts of an item rather than the item (which organ a CT patch shows),
so only the plugin knows where the samples are. The core hands it each stored item and
its catalog labels and gets (window, class name) pairs back; the probes then treat every
window as one item of one tile, exactly like ``LabelledWindows``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from sslsci.data import Standardizer, window_sizes
from sslsci.plugins.contract import TaskSpec
from sslsci.plugins.kit import Plugin
from sslsci.store import ArrayStore, ItemRow


def plugin_task(plugin: Any, name: str) -> TaskSpec:
    """The plugin's task ``name``; a clear error lists the tasks it has."""
    tasks = dict(plugin.tasks)
    if name not in tasks:
        raise ValueError(
            f"task {name!r} is not a {plugin.spec.name} task; choose one of {sorted(tasks)} "
            "(the plugin's tasks) or leave `task:` out to probe the items' catalog labels"
        )
    spec = tasks[name]
    if spec.plugin_windows and plugin.task_windows is None:
        raise ValueError(
            f"the {plugin.spec.name} task {name!r} needs plugin windows, but the plugin "
            "declares no task_windows; update the plugin"
        )
    return spec


def collect_task_windows(
    plugin: Plugin,
    task: str,
    items: Sequence[ItemRow],
    store: ArrayStore,
    *,
    root: str,
    window: Mapping[str, int],
    options: Mapping[str, Any],
    per_item: int,
    seed: int,
) -> list[tuple[np.ndarray, str]]:
    """Every item's labelled windows, each checked to have the window's shape."""
    samples: list[tuple[np.ndarray, str]] = []
    for index, item in enumerate(items):
        array = store.open(item.store_key).load()
        cut = plugin.task_windows(
            task,
            array,
            dict(item.labels),
            root=root,
            window=window,
            options=options,
            per_item=per_item,
            seed=seed + index,
        )
        expected = window_sizes(item, window)
        for values, label in cut:
            if tuple(values.shape) != expected:
                raise ValueError(
                    f"task {task!r} on {item.uri}: the plugin cut a window of shape "
                    f"{tuple(values.shape)}, expected {expected} (dims {item.dims}); fix the "
                    "plugin's task_windows"
                )
            samples.append((values, str(label)))
    if not samples:
        raise ValueError(
            f"task {task!r}: the plugin found no labelled windows in {len(items)} items; "
            "check the items carry what the task needs (e.g. a segmentation column)"
        )
    return samples


class TaskWindows(Dataset):
    """Plugin-cut windows as probe samples: (tiles [1, ...window], class index)."""

    def __init__(
        self,
        samples: Sequence[tuple[np.ndarray, str]],
        standardizer: Standardizer,
        classes: Sequence[str],
    ) -> None:
        self.samples, self.standardizer = list(samples), standardizer
        self.class_index = {c: k for k, c in enumerate(classes)}
        unknown = sorted({label for _, label in self.samples} - set(self.class_index))
        if unknown:
            raise ValueError(f"windows labelled {unknown} are not among the classes {classes}")

    def __len__(self) -> int:
        return len(self.samples)

    def valid_lengths(self, index: int) -> list[int]:
        """The one tile's full extent along the last dim: the plugin cut it whole."""
        return [int(np.shape(self.samples[index][0])[-1])]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        values, label = self.samples[index]
        tile = self.standardizer(np.asarray(values))[None]
        return torch.from_numpy(tile), self.class_index[label]
