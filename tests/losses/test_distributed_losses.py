"""The DDP paths on two real gloo ranks: gathered losses equal the full-batch losses."""

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import torch
import torch.distributed as dist

from sslsci.losses import BarlowTwinsLoss, DINOLoss, NTXentLoss, VICRegLoss

WORLD = 2
LOCAL_BATCH = 3


def full_batch() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    z0 = torch.randn(WORLD * LOCAL_BATCH, 4, generator=generator, dtype=torch.float64)
    z1 = torch.randn(WORLD * LOCAL_BATCH, 4, generator=generator, dtype=torch.float64)
    return z0, z1


def check_nt_xent(rank: int) -> None:
    z0, z1 = full_batch()
    rows = slice(rank * LOCAL_BATCH, (rank + 1) * LOCAL_BATCH)
    local0 = z0[rows].clone().requires_grad_(True)
    local1 = z1[rows].clone().requires_grad_(True)
    loss = NTXentLoss(temperature=0.3, gather_distributed=True)(local0, local1)
    loss.backward()

    full0, full1 = z0.clone().requires_grad_(True), z1.clone().requires_grad_(True)
    full_loss = NTXentLoss(temperature=0.3)(full0, full1)
    full_loss.backward()

    mean_loss = loss.detach().clone()
    dist.all_reduce(mean_loss)
    torch.testing.assert_close(mean_loss / WORLD, full_loss.detach())
    # DDP averages gradients over ranks, so rank grads / WORLD are the full-batch grads.
    torch.testing.assert_close(local0.grad / WORLD, full0.grad[rows])
    torch.testing.assert_close(local1.grad / WORLD, full1.grad[rows])


def check_batch_statistics_losses(rank: int) -> None:
    z0, z1 = full_batch()
    rows = slice(rank * LOCAL_BATCH, (rank + 1) * LOCAL_BATCH)
    for loss_type in (VICRegLoss, BarlowTwinsLoss):
        gathered = loss_type(gather_distributed=True)(z0[rows], z1[rows])
        torch.testing.assert_close(gathered, loss_type()(z0, z1))


def check_dino_center(rank: int) -> None:
    z0, z1 = full_batch()
    rows = slice(rank * LOCAL_BATCH, (rank + 1) * LOCAL_BATCH)
    loss_fn = DINOLoss(output_dim=4, center_momentum=0.5).double()
    loss_fn.update_center([z0[rows], z1[rows]])
    expected = 0.5 * torch.cat([z0, z1]).mean(dim=0, keepdim=True)
    torch.testing.assert_close(loss_fn.center, expected)


def worker(rank: int, store_path: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{store_path}", rank=rank, world_size=WORLD)
    try:
        check_nt_xent(rank)
        check_batch_statistics_losses(rank)
        check_dino_center(rank)
    finally:
        dist.destroy_process_group()


@pytest.mark.skipif(not dist.is_available(), reason="torch built without torch.distributed")
def test_gathered_losses_match_the_full_batch() -> None:
    """Each rank is this file run as a script: spawn would unpickle ``worker`` by a module
    name that pytest's importlib mode does not put on the child's path."""
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "store")
        ranks = [
            subprocess.Popen([sys.executable, __file__, str(rank), store],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for rank in range(WORLD)
        ]
        outputs = [rank.communicate(timeout=300)[0] for rank in ranks]
    for rank, (process, output) in enumerate(zip(ranks, outputs, strict=True)):
        assert process.returncode == 0, f"rank {rank} failed:\n{output[-3000:]}"


if __name__ == "__main__":
    worker(int(sys.argv[1]), sys.argv[2])
