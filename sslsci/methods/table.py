"""The method table: every SSL method by name, and one way to build them.

``build_method(name, backbone, **hparams)`` checks the name and every hparam
against the method's constructor, so a typo in a pipeline fails with the
accepted keys rather than deep inside training.
"""

from __future__ import annotations

import inspect
from typing import Any

from torch import nn

from sslsci.methods.barlow_twins import BarlowTwins
from sslsci.methods.base import SSLMethod
from sslsci.methods.byol import BYOL
from sslsci.methods.dino import DINO
from sslsci.methods.mae import MAE
from sslsci.methods.multitask import MultiTask
from sslsci.methods.simclr import SimCLR
from sslsci.methods.vicreg import VICReg

METHODS: dict[str, type[SSLMethod]] = {
    method.name: method for method in (SimCLR, BYOL, VICReg, BarlowTwins, DINO, MAE, MultiTask)
}


def method_hparams(name: str) -> dict[str, Any]:
    """The hyperparameters a method accepts, with their defaults."""
    parameters = inspect.signature(METHODS[name].__init__).parameters
    return {
        key: parameter.default
        for key, parameter in parameters.items()
        if key not in ("self", "backbone")
    }


def build_method(name: str, backbone: nn.Module, **hparams: Any) -> SSLMethod:
    """Construct method ``name`` around ``backbone``; ValueError for unknown names or keys."""
    if name not in METHODS:
        raise ValueError(f"unknown SSL method {name!r}; known methods: {', '.join(METHODS)}.")
    accepted = method_hparams(name)
    for key in hparams:
        if key not in accepted:
            raise ValueError(
                f"method {name!r} has no hyperparameter {key!r}; accepted: {', '.join(accepted)}."
            )
    return METHODS[name](backbone, **hparams)
