"""Export a bundle in the layout of a Hugging Face model repository.

``config.json`` holds the same document as ``sslsci.json`` (weights renamed to
``model.safetensors``), and ``README.md`` starts with the YAML metadata the Hub
reads (``library_name: sslsci``, tags, license). Upload the folder with
``huggingface_hub.upload_folder``; ``load_pretrained`` loads the folder as is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from sslsci.bundle.atomic import replace_atomically, write_text_atomic
from sslsci.bundle.card import render_card
from sslsci.bundle.load import verified_file
from sslsci.bundle.schema import (
    CARD_FILE,
    HF_CONFIG_FILE,
    METADATA_FILE,
    BundleMetadata,
    metadata_json,
    read_metadata,
)
from sslsci.weights.errors import PublishError

HF_WEIGHTS_FILE = "model.safetensors"


def front_matter(meta: BundleMetadata, license: str) -> str:
    """The YAML block the Hub reads from a model card."""
    tags = [
        "sslsci",
        "self-supervised-learning",
        meta.modality.name,
        meta.method.name,
        meta.backbone.name,
    ]
    document = {
        "library_name": "sslsci",
        "license": license,
        "pipeline_tag": "feature-extraction",
        "tags": list(dict.fromkeys(tags)),
    }
    return "---\n" + yaml.safe_dump(document, sort_keys=False) + "---\n\n"


def _copy(source: Path, target: Path) -> None:
    replace_atomically(target, lambda tmp: shutil.copyfile(source, tmp))


def export_hf(bundle: Path | str, out_dir: Path | str, *, license: str = "other") -> Path:
    """Write ``config.json``, ``model.safetensors`` (+ heads) and ``README.md`` to ``out_dir``."""
    bundle, out_dir = Path(bundle), Path(out_dir)
    if not (bundle / METADATA_FILE).is_file():
        raise PublishError(f"{bundle} has no {METADATA_FILE}; export-hf takes a bundle folder")
    if out_dir.resolve() == bundle.resolve():
        raise PublishError("export-hf needs a different output folder than the bundle")
    meta = read_metadata(bundle)
    weights = verified_file(bundle, meta.files.weights)
    files = meta.files.model_copy(
        update={"weights": meta.files.weights.model_copy(update={"path": HF_WEIGHTS_FILE})}
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    _copy(weights, out_dir / HF_WEIGHTS_FILE)
    if meta.files.heads is not None:
        _copy(verified_file(bundle, meta.files.heads), out_dir / meta.files.heads.path)
    hf_meta = meta.model_copy(update={"files": files})
    write_text_atomic(out_dir / HF_CONFIG_FILE, metadata_json(hf_meta))
    card = front_matter(hf_meta, license) + render_card(hf_meta, reference=str(out_dir))
    write_text_atomic(out_dir / CARD_FILE, card)
    return out_dir
