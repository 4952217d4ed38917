"""``sslsci weights ...``: publish, list, info, pull and export-hf, over the library.

Each command imports its library module when it runs, so ``--help`` stays instant.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from sslsci.cli.app import LightGroup, app, err, out, styled

weights_app = typer.Typer(
    cls=LightGroup,
    help="Publish, list, pull and export released weights (verified, cached, offline-capable).",
    no_args_is_help=True,
)

RegistryOpt = Annotated[
    str | None,
    typer.Option(
        "--registry",
        help="Registry URL; several mirrors separated by commas (default: $SSLSCI_REGISTRY).",
    ),
]
CacheOpt = Annotated[
    Path | None, typer.Option("--cache-dir", help="Cache folder (default: $SSLSCI_CACHE).")
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Use only the cache (also: SSLSCI_OFFLINE=1).")
]


def _fail(exc: Exception) -> typer.Exit:
    err.print(styled("error: ", "red", exc), highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@weights_app.command("publish")
def publish_command(
    bundle: Annotated[Path, typer.Argument(help="Bundle folder (with sslsci.json).")],
    registry: Annotated[str, typer.Option("--registry", help="Registry folder or URL.")],
    name: Annotated[str, typer.Option("--name", help="Release name, 'modality/model'.")],
    version: Annotated[str, typer.Option("--version", help="Release version, e.g. 1.0.")],
) -> None:
    """Upload a bundle and add it to the registry index (versions are immutable)."""
    from sslsci.bundle.errors import BundleError
    from sslsci.weights.errors import WeightsError
    from sslsci.weights.publish import publish

    try:
        entry = publish(bundle, registry, name, version)
    except (WeightsError, BundleError) as exc:
        raise _fail(exc) from None
    out.print(
        f"published {name}@{version} to {registry} ({len(entry.files)} files)",
        highlight=False,
        soft_wrap=True,
    )


@weights_app.command("list")
def list_command(
    registry: RegistryOpt = None,
    modality: Annotated[str | None, typer.Option("--modality", help="Only this one.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """List the registry's models with their versions and headline results."""
    from sslsci.weights.discover import list_models
    from sslsci.weights.errors import WeightsError

    try:
        rows = list_models(registry, modality=modality)
    except WeightsError as exc:
        raise _fail(exc) from None
    if as_json:
        document = [
            {"name": r.name, "versions": r.versions, "latest": r.latest.model_dump(mode="json")}
            for r in rows
        ]
        print(json.dumps(document, indent=2))
        return
    table = Table("latest", "versions", "dims", "backbone", "method", "headline result")
    table.columns.insert(0, Column("name", no_wrap=True))
    for row in rows:
        card = row.latest.card
        headline = next(iter(card.results.items()), None)
        table.add_row(
            row.name,
            row.versions[-1],
            ", ".join(row.versions),
            " x ".join(card.dims),
            card.backbone,
            card.method,
            f"{headline[0]} = {headline[1]:.4g}" if headline else "-",
        )
    out.print(table)


@weights_app.command("info")
def info_command(
    ref: Annotated[str, typer.Argument(help="NAME[@VERSION] (default: latest).")],
    registry: RegistryOpt = None,
    cache_dir: CacheOpt = None,
    offline: OfflineOpt = False,
) -> None:
    """Show a release's files, summary and model card."""
    from sslsci.weights.errors import WeightsError
    from sslsci.weights.info import release_info

    try:
        info = release_info(ref, registry=registry, cache_dir=cache_dir, offline=offline or None)
    except WeightsError as exc:
        raise _fail(exc) from None
    out.print(f"{info.name}@{info.version}  (from {info.source})", highlight=False, soft_wrap=True)
    out.print(
        f"published {info.entry.published:%Y-%m-%d %H:%M} UTC, sslsci {info.entry.sslsci_version}",
        highlight=False,
        soft_wrap=True,
    )
    table = Table("file", "size", "sha256")
    for file in info.entry.files:
        table.add_row(file.path.rsplit("/", 1)[-1], str(file.size), file.sha256)
    out.print(table)
    out.print(info.card or "(no model card)", markup=False, highlight=False, soft_wrap=True)


@weights_app.command("pull")
def pull_command(
    ref: Annotated[str, typer.Argument(help="NAME[@VERSION] (default: latest).")],
    registry: RegistryOpt = None,
    cache_dir: CacheOpt = None,
    offline: OfflineOpt = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    max_file_size: Annotated[
        int | None,
        typer.Option(
            "--max-file-size",
            min=1,
            help="Refuse a release listing a file over this many bytes "
            "(default: $SSLSCI_MAX_FILE_BYTES or 16 GiB).",
        ),
    ] = None,
) -> None:
    """Download a release into the cache (sha256-checked, resumable); print its folder."""
    from sslsci.weights.errors import WeightsError
    from sslsci.weights.pull import pull

    try:
        folder = pull(
            ref,
            registry=registry,
            cache_dir=cache_dir,
            offline=offline or None,
            progress=progress,
            max_file_bytes=max_file_size,
        )
    except WeightsError as exc:
        raise _fail(exc) from None
    out.print(str(folder), highlight=False, soft_wrap=True)


@weights_app.command("export-hf")
def export_hf_command(
    bundle: Annotated[Path, typer.Argument(help="Bundle folder (with sslsci.json).")],
    out_dir: Annotated[Path, typer.Argument(help="Folder for the Hugging Face layout.")],
    license: Annotated[str, typer.Option("--license", help="Hub license id.")] = "other",
) -> None:
    """Write config.json, model.safetensors and README.md for a Hugging Face model repo."""
    from sslsci.bundle.errors import BundleError
    from sslsci.weights.errors import WeightsError
    from sslsci.weights.hf import export_hf

    try:
        folder = export_hf(bundle, out_dir, license=license)
    except (WeightsError, BundleError) as exc:
        raise _fail(exc) from None
    out.print(f"wrote a Hugging Face layout to {folder}", highlight=False, soft_wrap=True)


app.add_typer(weights_app, name="weights")
