"""``load_pretrained``: a released model by name, a bundle folder, or a Hugging Face folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sslsci.bundle.load import load_bundle
from sslsci.bundle.model import PretrainedModel
from sslsci.bundle.schema import HF_CONFIG_FILE, METADATA_FILE
from sslsci.weights.errors import InvalidNameError
from sslsci.weights.names import parse_ref
from sslsci.weights.pull import pull
from sslsci.weights.transfer import RetryPolicy


def _bundle_folder(name_or_path: str | Path) -> Path | None:
    path = Path(name_or_path).expanduser()
    if path.is_dir() and any((path / f).is_file() for f in (METADATA_FILE, HF_CONFIG_FILE)):
        return path
    return None


def load_pretrained(
    name_or_path: str | Path,
    registry: str | Sequence[str] | None = None,
    adapt_in_channels: int | None = None,
    drop_heads: bool = True,
    *,
    cache_dir: Path | str | None = None,
    offline: bool | None = None,
    progress: bool = True,
    retry: RetryPolicy | None = None,
    device: str = "cpu",
    max_file_bytes: int | None = None,
) -> PretrainedModel:
    """A ready model from ``"modality/model[@version]"`` or a local bundle / HF folder.

    Names are pulled (verified, cached) from ``registry`` or ``$SSLSCI_REGISTRY``;
    ``$SSLSCI_OFFLINE=1`` uses only the cache; no listed file may exceed
    ``max_file_bytes`` (see ``pull``). Only safetensors weights are loaded.
    ``adapt_in_channels`` rebuilds the stem for another channel count; heads are
    loaded only with ``drop_heads=False``.
    """
    folder = _bundle_folder(name_or_path)
    if folder is None:
        try:
            ref = parse_ref(str(name_or_path))
        except InvalidNameError as exc:
            raise InvalidNameError(
                f"{name_or_path!r} is neither a bundle folder (with {METADATA_FILE} or "
                f"{HF_CONFIG_FILE}) nor a model name: {exc}"
            ) from None
        folder = pull(
            ref,
            registry=registry,
            cache_dir=cache_dir,
            offline=offline,
            progress=progress,
            retry=retry,
            max_file_bytes=max_file_bytes,
        )
    return load_bundle(
        folder, adapt_in_channels=adapt_in_channels, drop_heads=drop_heads, device=device
    )
