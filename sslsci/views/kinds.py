"""Kinds of views a method asks for, and the roles a plugin fills to supply them.

A method names its kind (``SSLMethod.view_kind``); a plugin supplies a transform
list per role (``Plugin(views={"strong": ..., "light": ...})``). The core joins
the two, so a new method of an existing kind runs on every plugin unchanged, and
no plugin lists method names.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES: dict[str, str] = {
    "strong": "a strongly augmented view (crops, intensity, geometry, noise)",
    "light": "a lightly augmented view that keeps the signal intact for reconstruction",
    "pretext": "a view the method transforms itself to make its own pretext targets",
}


@dataclass(frozen=True)
class ViewKind:
    """What a method needs from the data: one view per role, in order."""

    name: str
    roles: tuple[str, ...]
    description: str

    def __post_init__(self) -> None:
        unknown = [role for role in self.roles if role not in ROLES]
        if unknown:
            raise ValueError(f"view kind {self.name!r}: unknown roles {unknown}; known: {ROLES}")


TWO_VIEWS = ViewKind(
    "two_views",
    ("strong", "strong"),
    "two strongly augmented views of one window (SimCLR, BYOL, VICReg, Barlow Twins, DINO)",
)
MASKED = ViewKind("masked", ("light",), "one lightly augmented view that the method masks (MAE)")
PRETEXT = ViewKind(
    "pretext", ("pretext",), "one view the method turns into pretext tasks (multitask)"
)

VIEW_KINDS: dict[str, ViewKind] = {kind.name: kind for kind in (TWO_VIEWS, MASKED, PRETEXT)}


def view_kind(kind: str | ViewKind) -> ViewKind:
    """The kind named ``kind``, or an error listing the kinds there are."""
    if isinstance(kind, ViewKind):
        return kind
    if kind not in VIEW_KINDS:
        raise ValueError(f"unknown view kind {kind!r}; known kinds: {', '.join(VIEW_KINDS)}")
    return VIEW_KINDS[kind]
