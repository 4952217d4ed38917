"""The launcher decides the topology, so one pipeline YAML runs alone, under torchrun or srun.

torchrun and srun start every process themselves and say in the environment how many
there are; Lightning's cluster environments read those variables and refuse a Trainer
whose ``devices`` x ``num_nodes`` disagrees with them. So under a launcher the counts
come from the launcher (detected exactly as Lightning detects it), and the YAML's
``devices``/``num_nodes`` apply only to a plain ``sslsci pretrain``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from sslsci.train.pipeline import TrainerConfig

log = logging.getLogger("sslsci.train")


@dataclass(frozen=True)
class Topology:
    """Processes per node, nodes and strategy, and the launcher that decided them."""

    devices: int | str
    num_nodes: int
    strategy: str
    launcher: str  # "slurm", "torchrun" or "pipeline"


def _slurm(env: Mapping[str, str]) -> tuple[int, int]:
    """(tasks per node, nodes) from the variables srun sets."""
    nodes = int(env.get("SLURM_NNODES", env.get("SLURM_JOB_NUM_NODES", "1")))
    per_node = env.get("SLURM_NTASKS_PER_NODE", "").split("(")[0]  # "4(x2)" on some sites
    tasks = int(per_node) if per_node.isdigit() else int(env["SLURM_NTASKS"]) // nodes
    return tasks, nodes


def _torchrun(env: Mapping[str, str]) -> tuple[int, int]:
    """(processes per node, nodes) from the variables torchrun sets."""
    world = int(env["WORLD_SIZE"])
    local = int(env.get("LOCAL_WORLD_SIZE", world))
    return local, max(1, world // local)


def launched_topology(cfg: TrainerConfig) -> Topology:
    """The trainer's devices, nodes and strategy: the launcher's, else the pipeline's.
    SLURM is tried first, as Lightning does."""
    from lightning.fabric.plugins.environments import SLURMEnvironment, TorchElasticEnvironment

    for launcher, environment, counts in (
        ("slurm", SLURMEnvironment, _slurm),
        ("torchrun", TorchElasticEnvironment, _torchrun),
    ):
        if environment.detect():
            devices, nodes = counts(os.environ)
            many = devices * nodes > 1
            strategy = "ddp" if many and cfg.strategy == "auto" else cfg.strategy
            log.info("%s launched %d node(s) x %d process(es)", launcher, nodes, devices)
            return Topology(devices, nodes, strategy, launcher)
    return Topology(cfg.devices, cfg.num_nodes, cfg.strategy, "pipeline")


def global_rank(env: Mapping[str, str] | None = None) -> int:
    """This process's rank across the whole run, before any process group exists."""
    env = os.environ if env is None else env
    for name in ("RANK", "SLURM_PROCID"):
        if name in env:
            return int(env[name])
    return int(env.get("NODE_RANK", "0")) + int(env.get("LOCAL_RANK", "0"))
