"""``sslsci plugin new`` (scaffold an installable plugin) and ``sslsci plugin check``
(the conformance suite on an installed plugin, as a table)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sslsci.cli.app import LightGroup, app, fail, out, styled

plugin_app = typer.Typer(
    cls=LightGroup, help="Make and check modality plugins.", no_args_is_help=True
)
app.add_typer(plugin_app, name="plugin")


@plugin_app.command("new")
def new_command(
    name: Annotated[str, typer.Argument(help="Modality name, e.g. hydrophone.")],
    dims: Annotated[
        str, typer.Option("--dims", help="Channel dim first, then window dims: channel,time.")
    ] = "channel,time",
    folder: Annotated[
        Path | None, typer.Option("--out", help="Folder to write (default: ./sslsci-NAME).")
    ] = None,
) -> None:
    """Write an installable plugin package: plugin, reader, generators, pipeline, tests."""
    from sslsci.plugins.scaffold import ScaffoldError, write_scaffold

    target = folder or Path(f"sslsci-{name}")
    try:
        written = write_scaffold(name, [d.strip() for d in dims.split(",")], target)
    except ScaffoldError as exc:
        raise fail(str(exc)) from None
    for path in written:
        out.print(f"wrote {path}")
    out.print(f"next: pip install -e {target} && sslsci plugin check {name}  (see docs/plugins.md)")


@plugin_app.command("check")
def check_command(
    name: Annotated[str, typer.Argument(help="An installed plugin (see `sslsci plugins`).")],
) -> None:
    """Run the conformance suite on an installed plugin; exit 1 if a check fails."""
    from sslsci.plugins.contract import PluginError
    from sslsci.testing import run_checks

    try:
        results = run_checks(name)
    except PluginError as exc:
        raise fail(str(exc)) from None
    table = Table("check", "result", "detail", title=f"sslsci plugin check {name}")
    style = {"pass": ("pass", "green"), "fail": ("FAIL", "red"), "skip": ("skip", "yellow")}
    for result in results:
        table.add_row(result.check, styled(*style[result.status]), result.detail)
    out.print(table)
    failed = [r.check for r in results if r.status == "fail"]
    if failed:
        out.print(
            styled(f"{len(failed)} of {len(results)} checks failed: ", "red", ", ".join(failed))
        )
        raise typer.Exit(code=1)
    out.print(styled(f"{name} passes {len(results)} checks", "green"))
