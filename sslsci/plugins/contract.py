"""The modality plugin contract: the smallest interface every modality fills.

A plugin is an object registered under the entry-point group ``sslsci.modalities``.
Arrays travel as ``xarray.DataArray`` with named dims, so the core never guesses an
axis by position; training tensors keep the spec's dim order (channel first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch
import xarray as xr
from torch import nn

# A transform maps one unbatched window tensor (dims in spec order) to a new tensor,
# drawing every random number from the generator it is handed, so views are seeded.
Transform = Callable[[torch.Tensor, torch.Generator], torch.Tensor]


@dataclass(frozen=True)
class ModalitySpec:
    """What a modality's stored arrays look like.

    ``dims`` is the order of every stored array and training tensor, channel dim
    first (e.g. ``("channel", "time")`` or ``("channel", "z", "y", "x")``).
    ``window_dims`` are the dims along which random windows are cut.
    ``sampling`` maps a dim to its rate (Hz, for time) or spacing (mm, m) after
    normalisation; ``units`` describes the values.
    ``min_sizes`` maps a window dim to the fewest samples an item may have along it
    (default 2, the core's generic check); a modality whose items can be thin along a
    dim (one CT slice) lowers it there and lets its own ``validate`` decide.
    """

    name: str
    dims: tuple[str, ...]
    window_dims: tuple[str, ...]
    channels: tuple[str, ...] | None = None
    units: str = ""
    sampling: Mapping[str, float] = field(default_factory=dict)
    description: str = ""
    min_sizes: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Record:
    """One item read from a source: an array plus what the format says about it.

    A source file may hold several records (a UEA ``.ts`` file holds one recording
    per row, a DICOM folder several series); ``item`` tells them apart.
    ``labels`` holds labels the format carries (e.g. ``{"label": "walking"}``).
    """

    array: xr.DataArray
    item: str = "0"
    labels: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class Reader(Protocol):
    """Reads one kind of file into records."""

    name: str
    suffixes: tuple[str, ...]

    def sniff(self, path: str, head: bytes) -> bool:
        """Cheap check on the path and first bytes: can this reader read it?"""
        ...

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """Read the source at ``path`` (a local path) into records; raise on bad input."""
        ...


@dataclass(frozen=True)
class TaskSpec:
    """A downstream task a plugin knows how to evaluate.

    With ``plugin_windows`` the plugin cuts the labelled samples itself (many per item,
    e.g. CT organ patches from a segmentation) through ``TaskWindowsPlugin.task_windows``;
    otherwise each item is one sample, labelled by the catalog.
    """

    name: str
    kind: str  # "classification" (the only kind the core evaluates today)
    label_key: str = "label"
    description: str = ""
    plugin_windows: bool = False


@runtime_checkable
class ModalityPlugin(Protocol):
    """Everything the core needs from a modality."""

    spec: ModalitySpec
    version: str

    @property
    def readers(self) -> Sequence[Reader]: ...

    def validate(self, array: xr.DataArray, **options: Any) -> list[str]:
        """Problems found beyond the generic checks; empty means valid.

        ``options`` are the catalog entry's options (thresholds); ignore unknown keys.
        """
        ...

    def normalize(self, array: xr.DataArray, **options: Any) -> xr.DataArray:
        """Bring a valid array to the spec (dim order, rate, units) before storing."""
        ...

    def views(self, method: str, **options: Any) -> list[list[Transform]]:
        """The augmentation recipe for a method: one transform list per view."""
        ...

    def backbones(self) -> Mapping[str, Callable[..., nn.Module]]:
        """Backbone name -> constructor taking keyword config."""
        ...

    def tasks(self) -> Mapping[str, TaskSpec]: ...

    def example(self, seed: int) -> xr.DataArray:
        """A small valid array, for tests and docs."""
        ...


@runtime_checkable
class TaskWindowsPlugin(Protocol):
    """Optional: a plugin that cuts labelled windows for its ``plugin_windows`` tasks."""

    def task_windows(
        self,
        task: str,
        array: xr.DataArray,
        labels: Mapping[str, str],
        *,
        root: str,
        window: Mapping[str, int],
        options: Mapping[str, Any],
        per_item: int,
        seed: int,
    ) -> list[tuple[np.ndarray, str]]:
        """(window in spec dim order, class name) pairs cut from one stored item.

        ``array`` is the stored (normalised) item; ``labels`` its catalog labels (e.g. a
        sidecar path relative to ``root``, the archive's URI); ``options`` the catalog
        entry's options; ``per_item`` bounds the samples per class; draws use ``seed``.
        """
        ...


class PluginError(Exception):
    """A plugin is missing, broken or cannot read a source."""
