"""`sslsci slurm`: write the sbatch script that trains a pipeline across SLURM nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sslsci.cli.app import app, out, user_errors

PathOpt = Annotated[Path | None, typer.Option()]


@app.command("slurm")
def slurm_command(
    pipeline: Annotated[Path, typer.Argument(help="Pipeline YAML (see pipelines/).")],
    nodes: Annotated[int, typer.Option("--nodes", help="Nodes to train on.")] = 1,
    gpus_per_node: Annotated[int, typer.Option("--gpus-per-node", help="GPUs per node.")] = 1,
    tasks_per_node: Annotated[
        int | None, typer.Option(help="Processes per node (default: one per GPU).")
    ] = None,
    cpus_per_task: Annotated[int, typer.Option(help="CPU cores per process.")] = 8,
    time: Annotated[str, typer.Option(help="Wall-clock limit (HH:MM:SS).")] = "24:00:00",
    partition: Annotated[str | None, typer.Option()] = None,
    account: Annotated[str | None, typer.Option()] = None,
    catalog: Annotated[Path | None, typer.Option("--catalog", help="Catalog YAML.")] = None,
    workdir: Annotated[str | None, typer.Option("--workdir", help="Store folder or URL.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Runs folder.")] = None,
    script: Annotated[
        Path | None, typer.Option("--out", help="Script file (default: NAME.sbatch here).")
    ] = None,
) -> None:
    """Write an sbatch script that runs the pipeline with srun (Lightning's SLURM support)."""
    from sslsci.train.pipeline import load_pipeline
    from sslsci.train.slurm import SlurmRequest, sbatch_script

    with user_errors():
        parsed = load_pipeline(pipeline)
        request = SlurmRequest(
            nodes, gpus_per_node, tasks_per_node, cpus_per_task, time, partition, account
        )
        text = sbatch_script(parsed, request, catalog=catalog, workdir=workdir, output=output)
    path = script or Path(f"{parsed.name}.sbatch")
    path.write_text(text)
    out.print(f"sbatch script: {path}; submit with `sbatch {path}`", soft_wrap=True)
