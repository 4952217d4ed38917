"""Self-supervised losses, one per file: an ``nn.Module`` over pure per-term functions."""

from sslsci.losses.barlow_twins import BarlowTwinsLoss
from sslsci.losses.dino import DINOLoss
from sslsci.losses.masked_reconstruction import MaskedReconstructionLoss
from sslsci.losses.negative_cosine import NegativeCosineSimilarity
from sslsci.losses.nt_xent import NTXentLoss
from sslsci.losses.vicreg import VICRegLoss

__all__ = [
    "BarlowTwinsLoss",
    "DINOLoss",
    "MaskedReconstructionLoss",
    "NTXentLoss",
    "NegativeCosineSimilarity",
    "VICRegLoss",
]
