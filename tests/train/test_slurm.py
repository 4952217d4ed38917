"""`sslsci slurm` writes an sbatch script whose srun tasks Lightning joins as a SLURM cluster."""

from __future__ import annotations

import os
import re
import stat
import subprocess

from lightning.fabric.plugins.environments import SLURMEnvironment
from typer.testing import CliRunner

from sslsci.cli import app
from sslsci.train.pipeline import load_pipeline
from sslsci.train.pretrain import make_trainer


def _render(study, make_pipeline, tmp_path, *args: str, accelerator: str = "auto"):
    path = make_pipeline(study, "slurm", max_steps=4, every=2)
    path.write_text(
        path.read_text().replace("trainer: {", f"trainer: {{accelerator: {accelerator}, ")
    )
    script = tmp_path / "job.sbatch"
    result = CliRunner().invoke(app, ["slurm", str(path), *args, "--out", str(script)])
    return path, script, result


def _sbatch(script) -> dict[str, str]:
    return dict(re.findall(r"^#SBATCH --([\w-]+)=(\S+)$", script.read_text(), re.M))


def _srun_env(options: dict[str, str], procid: int) -> dict[str, str]:
    """The variables srun sets in task ``procid`` of this job (nodes gpu07, gpu08, ...)."""
    nodes, per_node = int(options["nodes"]), int(options["ntasks-per-node"])
    return {
        "SLURM_JOB_ID": "4242",
        "SLURM_JOB_NAME": options["job-name"],
        "SLURM_NNODES": str(nodes),
        "SLURM_JOB_NUM_NODES": str(nodes),
        "SLURM_NTASKS": str(nodes * per_node),
        "SLURM_NTASKS_PER_NODE": str(per_node),
        "SLURM_NODELIST": f"gpu[07-{6 + nodes:02d}]",
        "SLURM_PROCID": str(procid),
        "SLURM_LOCALID": str(procid % per_node),
        "SLURM_NODEID": str(procid // per_node),
    }


def test_lightning_joins_the_scripts_srun_tasks_as_a_slurm_cluster(
    study, make_pipeline, tmp_path, monkeypatch
):
    path, script, result = _render(study, make_pipeline, tmp_path, "--nodes", "2",
                                   "--gpus-per-node", "2")  # fmt: skip
    assert result.exit_code == 0, result.output
    options = _sbatch(script)
    assert (options["nodes"], options["ntasks-per-node"], options["gpus-per-node"]) == (
        "2",
        "2",
        "2",
    )
    for name in ("TORCHELASTIC_RUN_ID", "WORLD_SIZE", "LOCAL_RANK", "RANK", "NODE_RANK"):
        monkeypatch.delenv(name, raising=False)
    pipeline = load_pipeline(path)  # devices: 1, num_nodes: 1 in the YAML
    rendezvous = set()
    for procid in (0, 3):
        for name, value in _srun_env(options, procid).items():
            monkeypatch.setenv(name, value)
        trainer = make_trainer(pipeline, tmp_path / "run", [])
        environment = trainer.strategy.cluster_environment
        assert isinstance(environment, SLURMEnvironment)
        assert (trainer.num_nodes, trainer.num_devices, trainer.world_size) == (2, 2, 4)
        assert (trainer.global_rank, trainer.node_rank, trainer.local_rank) == (
            procid, procid // 2, procid % 2
        )  # fmt: skip
        rendezvous.add((environment.main_address, environment.main_port))
    ((address, _),) = rendezvous  # every task meets at the first node, on the job's port
    assert address == "gpu07"


def test_script_srun_runs_the_pipeline_and_resumes_when_resubmitted(study, make_pipeline, tmp_path):
    path, script, result = _render(study, make_pipeline, tmp_path, "--nodes", "1",
                                   "--gpus-per-node", "0", "--tasks-per-node", "2")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "gpus-per-node" not in _sbatch(script)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "srun").write_text(f'#!/bin/bash\nprintf "%s\\n" "$@" > {tmp_path}/srun-args\n')
    (fake / "srun").chmod(stat.S_IRWXU)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}

    def submit() -> list[str]:
        subprocess.run(["bash", str(script)], check=True, env=env, cwd=tmp_path)
        return (tmp_path / "srun-args").read_text().split("\n")[:-1]

    args = submit()
    assert args[1:] == ["-m", "sslsci", "pretrain", str(path)]
    run = study / "runs" / "slurm" / "checkpoints"
    run.mkdir(parents=True)
    (run / "step000002.ckpt").write_bytes(b"")
    assert submit()[1:] == ["-m", "sslsci", "pretrain", str(path), "--resume"]


def test_gpus_for_a_cpu_pipeline_are_refused_with_the_fix(study, make_pipeline, tmp_path):
    _, script, result = _render(study, make_pipeline, tmp_path, "--gpus-per-node", "4",
                                accelerator="cpu")  # fmt: skip
    assert result.exit_code == 2 and not script.exists()
    assert "trainer.accelerator: gpu" in result.output
