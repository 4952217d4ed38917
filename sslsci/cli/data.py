"""Commands of the data half: plugins, catalog check, ingest and store prune."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sslsci.catalog.defaults import DEFAULT_CATALOG
from sslsci.cli.app import (
    CatalogOpt,
    WorkdirOpt,
    app,
    catalog_app,
    err,
    fail,
    out,
    store_app,
    styled,
)


def _workspace(catalog_path: Path, workdir: str | None):
    from sslsci.catalog import load_catalog

    catalog = load_catalog(catalog_path)
    return catalog, catalog.workspace(workdir)


@app.command("plugins")
def plugins_command() -> None:
    """List installed modality plugins."""
    from sslsci.plugins.discovery import available_plugins
    from sslsci.views.kinds import VIEW_KINDS

    table = Table("name", "version", "dims", "formats", "views", "backbones", "tasks")
    for name, plugin in sorted(available_plugins().items()):
        formats = ", ".join(f"{r.name} ({' '.join(r.suffixes)})" for r in plugin.readers)
        table.add_row(
            name,
            plugin.version,
            ", ".join(plugin.spec.dims),
            formats,
            ", ".join(kind for kind in VIEW_KINDS if plugin.supports(kind)),
            ", ".join(plugin.backbones),
            ", ".join(plugin.tasks),
        )
    out.print(table)


@catalog_app.command("check")
def catalog_check(catalog: CatalogOpt = Path(DEFAULT_CATALOG), workdir: WorkdirOpt = None) -> None:
    """Validate the catalog: schema, plugins, formats, archive locations and the store."""
    from sslsci.catalog import CatalogError, load_catalog
    from sslsci.catalog.check import check_catalog, demo_notes, workdir_problems

    try:
        parsed = load_catalog(catalog)
    except CatalogError as exc:
        raise fail(str(exc)) from None
    problems = workdir_problems(parsed, workdir) + check_catalog(parsed)
    for note in demo_notes(parsed):
        out.print(styled("note: ", "yellow", note), highlight=False)
    for problem in problems:
        err.print(styled("✗ ", "red", problem), highlight=False)
    if problems:
        raise typer.Exit(code=2)
    summary = f"{catalog}: {len(parsed.entries)} entries valid; store in "
    out.print(styled("✓ ", "green", summary + str(parsed.resolve_workdir(workdir))))


@app.command("ingest")
def ingest_command(
    name: Annotated[str, typer.Argument(help="Catalog entry to ingest.")],
    catalog: CatalogOpt = Path(DEFAULT_CATALOG),
    workdir: WorkdirOpt = None,
    workers: Annotated[int, typer.Option(help="Parallel worker processes.")] = 1,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="ADDRESS",
            help="Fan out over a Dask cluster (through Prefect's Dask task runner): `local` "
            "starts --workers processes here, else a scheduler address (tcp://host:8786) "
            "whose workers see the store's folder.",
        ),
    ] = None,
    verify: Annotated[bool, typer.Option("--verify", help="Re-hash every file.")] = False,
    accept_gone: Annotated[
        bool,
        typer.Option(
            "--accept-gone",
            help="Confirm that most files vanishing from the archive were deleted "
            "(by default that reads as an unreachable archive and nothing is marked gone).",
        ),
    ] = False,
    report: Annotated[bool, typer.Option("--report", help="Print counts and quarantine.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Read, validate and store every new or changed file of a catalog entry."""
    from sslsci.catalog import CatalogError
    from sslsci.ingest import ingest_entry
    from sslsci.plugins.contract import PluginError

    try:
        parsed, workspace = _workspace(catalog, workdir)
        with ProgressBar(f"ingest {name}", enabled=not as_json) as tick:
            result = ingest_entry(
                parsed,
                name,
                workspace,
                workers=workers,
                verify=verify,
                accept_gone=accept_gone,
                progress=tick,
                fan_out=_dask_fan_out(dask, workers),
            )
    except (CatalogError, PluginError, FileNotFoundError, RuntimeError, ValueError) as exc:
        raise fail(str(exc)) from None
    if as_json:
        print(result.as_json())
        return
    c = result.counts
    out.print(
        f"{name}: {c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
        f"{c['ok']} stored, {c['quarantined']} quarantined, {c['gone']} gone; "
        f"{c['stored_items']} items in store, {c['left_out_items']} left out of stored files "
        f"({result.seconds:.2f} s)",
        soft_wrap=True,
    )
    for line in result.stored:
        out.print(f"  stored {line}", highlight=False)
    for warning in result.warnings:
        out.print(styled("warning: ", "yellow", warning), soft_wrap=True)
    if report:
        _print_quarantine(result.quarantined)
        _print_left_out(result.left_out)


def _dask_fan_out(address: str | None, workers: int):
    """The Dask fan-out flow bound to its cluster, or None to use local processes."""
    if address is None:
        return None
    from functools import partial

    from sslsci.cli.flows import load_flow

    return partial(load_flow("ingest-dask"), address=address, workers=workers)


def _print_quarantine(rows: list[tuple[str, str]]) -> None:
    if not rows:
        out.print("no quarantined files")
        return
    table = Table("quarantined file", "reason", show_lines=True)
    for uri, reason in rows:
        table.add_row(uri, reason)
    out.print(table)


def _print_left_out(rows: list[tuple[str, str, str]]) -> None:
    if not rows:
        out.print("no items left out of stored files")
        return
    table = Table("file", "item left out", "reason", show_lines=True)
    for uri, item, reason in rows:
        table.add_row(uri, item, reason)
    out.print(table)


@store_app.command("prune")
def store_prune(
    catalog: CatalogOpt = Path(DEFAULT_CATALOG),
    workdir: WorkdirOpt = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Delete even when most files of an entry are gone.")
    ] = False,
) -> None:
    """Delete stored data of files gone from their archive and of replaced file versions."""
    from sslsci.catalog import CatalogError
    from sslsci.ingest import prune_store

    try:
        _, workspace = _workspace(catalog, workdir)
        deleted, sources = prune_store(workspace, confirmed=yes)
    except (CatalogError, RuntimeError) as exc:
        raise fail(str(exc)) from None
    out.print(f"pruned {deleted} stored items; dropped {sources} gone files from the manifest")


class ProgressBar:
    """A rich progress bar fed by ``tick(done, total)``; silent when disabled."""

    def __init__(self, label: str, enabled: bool = True) -> None:
        self.label, self.enabled = label, enabled and sys.stderr.isatty()
        self._bar = None
        self._task = None

    def __enter__(self):
        if self.enabled:
            from rich.markup import escape
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
            )
            self._bar.start()
            self._task = self._bar.add_task(escape(self.label), total=None)
        return self.tick

    def tick(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
