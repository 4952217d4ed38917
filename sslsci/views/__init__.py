"""Views: the kinds methods ask for, and the transforms every plugin shares (stage 4).

A transform is ``t(x, generator) -> x`` on one unbatched ``[channel, ...]`` window,
drawing every random number from the generator, so views are seeded.
"""

from sslsci.views import rng
from sslsci.views.compose import Compose, RandomApply
from sslsci.views.crop import RandomCrop
from sslsci.views.kinds import MASKED, PRETEXT, ROLES, TWO_VIEWS, VIEW_KINDS, ViewKind, view_kind

__all__ = [
    "MASKED",
    "PRETEXT",
    "ROLES",
    "TWO_VIEWS",
    "VIEW_KINDS",
    "Compose",
    "RandomApply",
    "RandomCrop",
    "ViewKind",
    "rng",
    "view_kind",
]
