"""A loaded model that embeds raw arrays: preprocessing, tiling and the backbone.

``model(array)`` takes an ``xarray.DataArray`` straight from the plugin's reader
(the plugin's ``normalize`` is applied with the recorded options) or a numpy array
already in the spec's dims, units and sampling, and returns one embedding per item,
defined exactly as evaluation defines it (``sslsci.data.tiles``,
``sslsci.evaluate.embed.embed_arrays``), with the settings the bundle records.
``model.features(array)`` gives the backbone's unpooled features of the same input for
dense tasks, in the layout the backbone declares (``sslsci.nn.protocol``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
import xarray as xr
from torch import nn

from sslsci.bundle.errors import BundleError
from sslsci.bundle.schema import BundleMetadata
from sslsci.bundle.stem import stem_in_channels
from sslsci.data import Standardizer
from sslsci.evaluate.embed import embed_arrays, input_placement
from sslsci.plugins.kit import Plugin


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
        """Width of the pooled embedding ``model(array)`` returns."""
        return self._meta.backbone.num_features

    @property
    def feature_layout(self) -> str:
        """What ``features`` returns per item: ``"tokens"`` ``[N, feature_dim]`` or
        ``"channels_first"`` ``[feature_dim, *spatial]`` (declared by the backbone)."""
        return self.backbone.feature_layout

    @property
    def feature_dim(self) -> int:
        """Width of the unpooled features (tokens' last axis, the map's channel axis)."""
        return self.backbone.feature_dim

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
        self,
        array: xr.DataArray | np.ndarray,
        *,
        batch_size: int = 64,
        max_tiles: int | None = None,
    ) -> np.ndarray:
        """Embeddings: ``[F]`` for one item, ``[B, F]`` for a numpy batch ``[B, C, ...]``.

        An item's embedding is defined once, in ``sslsci.data.tiles``, and evaluation used
        the same: the mean over its window tiles (at most the bundle's
        ``preprocessing.embedding.max_tiles``, or ``max_tiles``), a short item zero-padded
        after standardisation.
        """
        items, batched = self._items(array)
        embeddings = self._embed_items(items, batch_size, max_tiles)
        return embeddings if batched else embeddings[0]

    def features(self, array: xr.DataArray | np.ndarray, *, batch_size: int = 64) -> np.ndarray:
        """Unpooled features of whole items, for dense tasks: per item, tokens
        ``[N, feature_dim]`` or a map ``[feature_dim, *spatial]`` as ``feature_layout``
        says; a numpy batch ``[B, C, ...]`` gives a leading batch axis.

        The input is preprocessed as ``embed`` does (normalize, channels, standardisation)
        but not tiled: the backbone sees the whole item, so its size must be one the
        backbone accepts (``backbone.accepts``). For an item of one window,
        ``backbone.forward_head`` of these features (batch axis added) is ``model(item)``.
        """
        items, batched = self._items(array)
        self._check_channels(items)
        standardizer = self._standardizer(self.in_channels)
        values = np.stack(
            [standardizer(v) if standardizer else v.astype(np.float32) for v in items]
        )
        device, dtype = input_placement(self.backbone)
        chunks = []
        with torch.no_grad():
            for start in range(0, len(values), batch_size):
                batch = torch.from_numpy(values[start : start + batch_size])
                chunks.append(self.backbone.forward_features(batch.to(device, dtype)).float().cpu())
        found = torch.cat(chunks).numpy()
        return found if batched else found[0]

    def _items(self, array: xr.DataArray | np.ndarray) -> tuple[list[np.ndarray], bool]:
        """The items of ``array`` in the model's dims, and whether it was a batch."""
        dims = self._meta.input.dims
        if isinstance(array, xr.DataArray):
            return [self._from_reader(array)], False
        values = np.asarray(array)
        if values.ndim == len(dims):
            return [values], False
        if values.ndim == len(dims) + 1:
            return list(values), True
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

    def _standardizer(self, channels: int) -> Standardizer | None:
        """The recorded statistics; an adapted stem gets one shared statistic per channel."""
        stats = self._meta.preprocessing.standardize
        if stats is None:
            return None
        if channels == len(stats.mean):
            return Standardizer(tuple(stats.mean), tuple(stats.std))
        mean, std = float(np.mean(stats.mean)), float(np.mean(stats.std))
        return Standardizer((mean,) * channels, (std,) * channels)

    def _check_channels(self, items: list[np.ndarray]) -> None:
        for values in items:
            if values.shape[0] != self.in_channels:
                raise BundleError(
                    f"the array has {values.shape[0]} channels along "
                    f"{self._meta.input.dims[0]!r} but the model takes {self.in_channels}; "
                    f"select the recorded channels {self._meta.input.channels} or load with "
                    f"adapt_in_channels={values.shape[0]}"
                )

    def _embed_items(
        self, items: list[np.ndarray], batch_size: int, max_tiles: int | None
    ) -> np.ndarray:
        self._check_channels(items)
        standardizer = self._standardizer(self.in_channels)
        return embed_arrays(
            self.backbone,
            items,
            self._meta.input.dims,
            self._meta.input.window,
            standardizer=standardizer,
            max_tiles=max_tiles or self._meta.preprocessing.embedding.max_tiles,
            batch_size=batch_size,
        )
