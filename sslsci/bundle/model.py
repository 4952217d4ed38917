"""A loaded model that embeds raw arrays: preprocessing, windowing and the backbone.

``model(array)`` takes an ``xarray.DataArray`` straight from the plugin's reader
(the plugin's ``normalize`` is applied with the recorded options) or a numpy array
already in the spec's dims, units and sampling, and returns one embedding per item:
the average of the backbone's features over windows of the recorded size.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
import xarray as xr
from torch import nn

from sslsci.bundle.errors import BundleError
from sslsci.bundle.schema import BundleMetadata
from sslsci.bundle.stem import stem_in_channels
from sslsci.bundle.windows import check_long_enough, iter_windows, pad_to_window
from sslsci.nn.interface import accepts_lengths
from sslsci.plugins.kit import Plugin


def pool_features(features: torch.Tensor, num_features: int) -> torch.Tensor:
    """``[B, F]`` from ``forward_features`` output: as is, channel maps or token sequences."""
    if features.ndim == 2:
        return features
    if features.shape[1] == num_features:
        return features.flatten(2).mean(dim=2)
    if features.shape[-1] == num_features:
        return features.flatten(1, -2).mean(dim=1)
    raise BundleError(
        f"forward_features returned shape {tuple(features.shape)} with no axis of "
        f"num_features={num_features}; the backbone breaks the sslsci backbone contract."
    )


class PretrainedModel:
    """A pretrained backbone with everything needed to apply it to new data."""

    def __init__(
        self,
        backbone: nn.Module,
        metadata: BundleMetadata,
        plugin: Plugin,
        *,
        heads: dict[str, torch.Tensor] | None = None,
        source: Path | None = None,
    ) -> None:
        self.backbone = backbone.eval()
        self.plugin = plugin
        self.heads = heads
        self.source = source
        self._meta = metadata

    @property
    def spec(self) -> dict[str, Any]:
        """The modality spec the model was trained on (dims, channels, sampling, units)."""
        return self._meta.modality.model_dump(mode="json")

    @property
    def preprocessing(self) -> dict[str, Any]:
        """The recorded preprocessing: plugin normalize options, standardisation, window."""
        return self._meta.preprocessing.model_dump(mode="json")

    @property
    def metadata(self) -> dict[str, Any]:
        """The whole ``sslsci.json`` document."""
        return self._meta.model_dump(mode="json")

    @property
    def num_features(self) -> int:
        return self._meta.backbone.num_features

    @property
    def in_channels(self) -> int:
        """Channels the (possibly adapted) stem takes."""
        found = stem_in_channels(self.backbone, self._meta.layers.stem)
        if found is not None:
            return found
        channels = self._meta.input.channels
        if channels is None:
            raise BundleError("the bundle records no channel names and its stem is no conv")
        return len(channels)

    @property
    def adapted(self) -> bool:
        """Whether the stem was rebuilt for a channel count other than the recorded one."""
        channels = self._meta.input.channels
        return channels is not None and self.in_channels != len(channels)

    def to(self, device: str | torch.device) -> PretrainedModel:
        """Move the backbone (e.g. to ``"cuda"``); returns ``self``."""
        self.backbone.to(device)
        return self

    def __call__(self, array: xr.DataArray | np.ndarray, **options: Any) -> np.ndarray:
        return self.embed(array, **options)

    def embed(
        self, array: xr.DataArray | np.ndarray, *, pad: bool = False, batch_size: int = 64
    ) -> np.ndarray:
        """Embeddings: ``[F]`` for one item, ``[B, F]`` for a numpy batch ``[B, C, ...]``."""
        dims = self._meta.input.dims
        if isinstance(array, xr.DataArray):
            return self._embed_items(self._from_reader(array)[None], pad, batch_size)[0]
        values = np.asarray(array)
        if values.ndim == len(dims):
            return self._embed_items(values[None], pad, batch_size)[0]
        if values.ndim == len(dims) + 1:
            return self._embed_items(values, pad, batch_size)
        raise BundleError(
            f"a numpy array of shape {values.shape} does not match the model's dims {dims}: "
            f"give [{', '.join(dims)}] or a batch [batch, {', '.join(dims)}]"
        )

    def _from_reader(self, array: xr.DataArray) -> np.ndarray:
        """Apply the plugin's normalize, put dims in spec order, pick the recorded channels."""
        normalized = self.plugin.normalize(array, **self._meta.preprocessing.normalize)
        dims = self._meta.input.dims
        if set(normalized.dims) != set(dims):
            raise BundleError(
                f"after {self._meta.plugin.name}.normalize the array has dims "
                f"{tuple(normalized.dims)}, but the model takes {tuple(dims)}; pass an array "
                f"read by the {self._meta.plugin.name} plugin's readers"
            )
        normalized = normalized.transpose(*dims)
        channel_dim, wanted = dims[0], self._meta.input.channels
        if wanted is None or self.adapted or channel_dim not in normalized.coords:
            return np.asarray(normalized.values)
        names = [str(name) for name in normalized.coords[channel_dim].values]
        missing = [name for name in wanted if name not in names]
        if missing:
            raise BundleError(
                f"the array lacks channels {missing} that the model was trained on "
                f"({wanted}); it has {names}. Load with adapt_in_channels={len(names)} to use "
                "the channels it has."
            )
        return np.asarray(normalized.sel({channel_dim: wanted}).values)

    def _standardize(self, batch: np.ndarray) -> np.ndarray:
        stats = self._meta.preprocessing.standardize
        if stats is None:
            return batch
        mean, std = np.asarray(stats.mean), np.asarray(stats.std)
        if batch.shape[1] != mean.size:  # adapted stem: one shared statistic per channel
            mean, std = np.full(batch.shape[1], mean.mean()), np.full(batch.shape[1], std.mean())
        shape = (1, -1) + (1,) * (batch.ndim - 2)
        return (batch - mean.reshape(shape)) / std.reshape(shape)

    def _embed_items(self, batch: np.ndarray, pad: bool, batch_size: int) -> np.ndarray:
        if batch.shape[1] != self.in_channels:
            raise BundleError(
                f"the array has {batch.shape[1]} channels along {self._meta.input.dims[0]!r} "
                f"but the model takes {self.in_channels}; select the recorded channels "
                f"{self._meta.input.channels} or load with adapt_in_channels={batch.shape[1]}"
            )
        batch = self._standardize(batch.astype(np.float64)).astype(np.float32)
        names = list(self._meta.input.window)
        axes = [1 + self._meta.input.dims.index(name) for name in names]
        sizes = [self._meta.input.window[name] for name in names]
        valid = self._valid_length(batch, axes, sizes) if pad else None
        if pad:
            batch = pad_to_window(batch, axes, sizes)
        check_long_enough(batch, axes, sizes, names)
        return np.stack(
            [
                self._embed_one(item, [a - 1 for a in axes], sizes, batch_size, valid)
                for item in batch
            ]
        )

    def _valid_length(self, batch: np.ndarray, axes: list[int], sizes: list[int]) -> int | None:
        """Samples before the padding, for backbones that mask by ``lengths=`` (speech):
        only a 1-D window along the last dim, shorter than the window, needs it."""
        if len(axes) != 1 or axes[0] != batch.ndim - 1 or batch.shape[-1] >= sizes[0]:
            return None
        return batch.shape[-1] if accepts_lengths(self.backbone) else None

    def _embed_one(
        self,
        item: np.ndarray,
        axes: list[int],
        sizes: list[int],
        batch_size: int,
        valid: int | None = None,
    ) -> np.ndarray:
        parameter = next(self.backbone.parameters())
        total, count = None, 0
        with torch.inference_mode():
            for chunk in _batched(iter_windows(item, axes, sizes), batch_size):
                tensor = torch.from_numpy(np.stack(chunk)).to(parameter.device, parameter.dtype)
                options = {}
                if valid is not None:
                    options["lengths"] = torch.full((len(chunk),), valid, device=parameter.device)
                features = pool_features(
                    self.backbone.forward_features(tensor, **options), self.num_features
                ).double()
                summed = features.sum(dim=0)
                total = summed if total is None else total + summed
                count += features.shape[0]
        return (total / count).float().cpu().numpy()


def _batched(windows: Iterator[np.ndarray], size: int) -> Iterator[list[np.ndarray]]:
    while chunk := list(itertools.islice(windows, size)):
        yield chunk
