"""``sslsci serve`` and ``sslsci deploy``: the operator's always-on side (flows found by
entry point, so the core CLI imports no flows module)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sslsci.catalog.defaults import DEFAULT_CATALOG
from sslsci.cli.app import CatalogOpt, WorkdirOpt, app, fail, out, user_errors

PipelinesArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Continual pipelines (default: those in pipelines/ reading the catalog)."),
]


def chosen_pipelines(given: list[Path] | None, catalog: Path) -> list[Path]:
    if given:
        return given
    from sslsci.continual.pipelines import found_pipelines

    return found_pipelines(Path("pipelines"), catalog)


@app.command("serve")
def serve_command(
    pipelines: PipelinesArg = None,
    catalog: CatalogOpt = Path(DEFAULT_CATALOG),
    workdir: WorkdirOpt = None,
) -> None:
    """Watch every scheduled archive and run continual rounds, until Ctrl-C or SIGTERM
    (uses PREFECT_API_URL, else starts a Prefect server on 127.0.0.1)."""
    from sslsci.cli.flows import load_flow

    with user_errors():
        try:
            load_flow("serve")(
                catalog,
                chosen_pipelines(pipelines, catalog),
                str(workdir) if workdir else None,
                say=out.print,
            )
        except (ValueError, RuntimeError) as exc:
            raise fail(str(exc)) from None


@app.command("deploy")
def deploy_command(
    pool: Annotated[str, typer.Option("--pool", help="Work pool of your Prefect server.")],
    pipelines: PipelinesArg = None,
    catalog: CatalogOpt = Path(DEFAULT_CATALOG),
    workdir: WorkdirOpt = None,
) -> None:
    """Register the same deployments with a work pool on PREFECT_API_URL; run them with
    `prefect worker start --pool POOL` from this folder."""
    from sslsci.cli.flows import load_flow

    with user_errors():
        try:
            chosen = chosen_pipelines(pipelines, catalog)
            names = load_flow("deploy")(catalog, chosen, pool, str(workdir) if workdir else None)
        except (ValueError, RuntimeError) as exc:
            raise fail(str(exc)) from None
    for name in names:
        out.print(f"deployed {name} to work pool {pool}")
