"""An sbatch script that runs a pipeline on SLURM: srun starts one task per GPU on every
node, and Lightning's SLURM environment reads what srun sets (SLURM_NTASKS, SLURM_PROCID,
SLURM_NODELIST, SLURM_JOB_ID, ...) to join them; ``sslsci.train.launch`` takes the
topology from the same variables, so the pipeline YAML needs no cluster settings.

Resubmitting the script continues the run: when the run folder already holds a
checkpoint the script passes ``--resume``, as a person would on any other launcher.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from sslsci.train.pipeline import Pipeline, PipelineError


@dataclass(frozen=True)
class SlurmRequest:
    """What the job asks SLURM for; ``tasks_per_node`` defaults to one per GPU."""

    nodes: int
    gpus_per_node: int
    tasks_per_node: int | None = None
    cpus_per_task: int = 8
    time: str = "24:00:00"
    partition: str | None = None
    account: str | None = None

    @property
    def tasks(self) -> int:
        return self.tasks_per_node or max(1, self.gpus_per_node)


def sbatch_script(
    pipeline: Pipeline,
    request: SlurmRequest,
    *,
    catalog: Path | None = None,
    workdir: Path | str | None = None,
    output: Path | None = None,
) -> str:
    """The script text; refuses a request the pipeline cannot use."""
    _check(pipeline, request)
    run = pipeline.output_dir(output)
    lines = [
        "#!/bin/bash",
        f"# Written by `sslsci slurm` for {pipeline.path}; submit with `sbatch THIS_FILE`.",
        f"#SBATCH --job-name={pipeline.name}",
        f"#SBATCH --nodes={request.nodes}",
        f"#SBATCH --ntasks-per-node={request.tasks}",
        f"#SBATCH --cpus-per-task={request.cpus_per_task}",
        f"#SBATCH --time={request.time}",
        f"#SBATCH --output={run}/slurm-%j.out",
    ]
    if request.gpus_per_node:
        lines.append(f"#SBATCH --gpus-per-node={request.gpus_per_node}")
    lines += [f"#SBATCH --{k}={v}" for k, v in _site_options(request)]
    command = [sys.executable, "-m", "sslsci", "pretrain", str(pipeline.path)]
    for flag, value in (("--catalog", catalog), ("--workdir", workdir), ("--output", output)):
        if value is not None:
            url = "://" in str(value)  # a workdir on object storage stays a URL
            command += [flag, str(value) if url else str(Path(value).resolve())]
    lines += [
        "set -euo pipefail",
        f"mkdir -p {shlex.quote(str(run))}",
        f"export OMP_NUM_THREADS=${{SLURM_CPUS_PER_TASK:-{request.cpus_per_task}}}",
        "RESUME=()  # a resubmitted job continues from the run's last checkpoint",
        f"if compgen -G {shlex.quote(str(run / 'checkpoints'))}'/*.ckpt' > /dev/null; then",
        "  RESUME=(--resume)",
        "fi",
        f"cd {shlex.quote(str(Path.cwd()))}",
        f'srun {shlex.join(command)} "${{RESUME[@]}}"',
    ]
    return "\n".join(lines) + "\n"


def _site_options(request: SlurmRequest) -> list[tuple[str, str]]:
    return [
        (k, v) for k, v in (("partition", request.partition), ("account", request.account)) if v
    ]


def _check(pipeline: Pipeline, request: SlurmRequest) -> None:
    if request.nodes < 1 or request.gpus_per_node < 0 or request.tasks < 1:
        raise PipelineError("--nodes must be at least 1 and --gpus-per-node at least 0")
    if request.gpus_per_node and pipeline.trainer.accelerator == "cpu":
        raise PipelineError(
            f"{pipeline.path}: trainer.accelerator is 'cpu' but the job asks for "
            f"{request.gpus_per_node} GPU(s) per node; set trainer.accelerator: gpu (or auto) "
            "in the pipeline, or pass --gpus-per-node 0 for CPU tasks"
        )
