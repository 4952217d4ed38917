"""The plugin contract's data types: the spec, records, readers and tasks.

A plugin is an ``sslsci.plugins.Plugin`` registered under the entry-point group
``sslsci.modalities``. Arrays travel as ``xarray.DataArray`` with named dims, so the
core never guesses an axis by position; training tensors keep the spec's dim order
(channel first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # the contract names these types; declaring a plugin needs neither
    import torch
    import xarray as xr

# A transform maps one unbatched window tensor (dims in spec order) to a new tensor,
# drawing every random number from the generator it is handed, so views are seeded.
Transform = Callable[["torch.Tensor", "torch.Generator"], "torch.Tensor"]


@dataclass(frozen=True)
class ModalitySpec:
    """What a modality's stored arrays look like.

    ``dims`` is the order of every stored array and training tensor, channel dim
    first (e.g. ``("channel", "time")`` or ``("channel", "z", "y", "x")``).
    ``window_dims`` are the dims along which random windows are cut.
    ``sampling`` maps a dim to its rate (Hz, for time) or spacing (mm, m) after
    normalisation, in ``sampling_units`` (default ``Hz`` for a dim named ``time``); an
    item's own sampling goes in its ``attrs["sampling"]`` (or ``attrs["sampling_rate"]``
    for time), so windows given in seconds or millimetres convert with what was stored.
    ``units`` describes the values.
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
    sampling_units: Mapping[str, str] = field(default_factory=dict)

    def sampling_unit(self, dim: str) -> str | None:
        """The unit of ``sampling[dim]`` (``Hz`` for time unless declared), or None."""
        return self.sampling_units.get(dim, "Hz" if dim == "time" else None)


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
    """Reads one kind of file into records.

    A reader may also carry ``options``: an ``sslsci.plugins.Options`` model of the
    catalog options it alone reads; the plugin's options model gains its fields.
    """

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
    e.g. CT organ patches from a segmentation) through its ``task_windows`` function;
    otherwise each item is one sample, labelled by the catalog.
    """

    name: str
    kind: str  # "classification", "multilabel" ("a;b" targets) or "regression" (a number)
    label_key: str = "label"
    description: str = ""
    plugin_windows: bool = False


class PluginError(Exception):
    """A plugin is missing, broken or cannot read a source."""
