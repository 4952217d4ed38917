"""Views: the kinds methods ask for, and the transforms every plugin shares (stage 4).

A transform is ``t(x, generator) -> x`` on one unbatched ``[channel, ...]`` window,
drawing every random number from the generator, so views are seeded.
"""

from importlib import import_module

from sslsci.views.kinds import MASKED, PRETEXT, ROLES, TWO_VIEWS, VIEW_KINDS, ViewKind, view_kind

# The transforms need torch: imported on first use, so that declaring a plugin (listing
# plugins, checking a catalog) does not.
_LAZY = {
    "rng": "sslsci.views.rng",
    "Compose": "sslsci.views.compose",
    "RandomApply": "sslsci.views.compose",
    "RandomCrop": "sslsci.views.crop",
}


def __getattr__(name: str):
    """``Compose``, ``RandomApply``, ``RandomCrop`` and ``rng``, imported lazily."""
    if name not in _LAZY:
        raise AttributeError(f"module 'sslsci.views' has no attribute {name!r}")
    module = import_module(_LAZY[name])
    return module if name == "rng" else getattr(module, name)


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
