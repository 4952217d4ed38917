"""Model names (``modality/model``) and versions (``1.0``), which also name cache folders.

The character set is fixed and lowercase so a name can never hold a path separator
beyond the one between modality and model, ``..``, or anything a filesystem treats
specially; versions are dotted integers so "latest" has one meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sslsci.weights.errors import InvalidNameError

NAME_PART = r"[a-z0-9][a-z0-9._-]*"
NAME_RE = re.compile(rf"{NAME_PART}/{NAME_PART}")
VERSION_RE = re.compile(r"[0-9]+(\.[0-9]+){0,3}")
MAX_NAME_CHARS = 128
MAX_VERSION_CHARS = 32


def check_name(name: str) -> str:
    """``name`` if it is ``modality/model`` in the fixed character set."""
    if not isinstance(name, str) or len(name) > MAX_NAME_CHARS or not NAME_RE.fullmatch(name):
        raise InvalidNameError(
            f"model name {name!r} is invalid: use 'modality/model' in lowercase, each part "
            f"starting with a letter or digit and holding only a-z 0-9 . _ - (at most "
            f"{MAX_NAME_CHARS} characters), e.g. 'wearables/resnet1d-simclr'"
        )
    return name


def check_version(version: str) -> str:
    """``version`` if it is a dotted integer version like ``1.0`` or ``2.1.3``."""
    if (
        not isinstance(version, str)
        or len(version) > MAX_VERSION_CHARS
        or not VERSION_RE.fullmatch(version)
    ):
        raise InvalidNameError(
            f"version {version!r} is invalid: use dotted integers such as '1.0' or '2.1.3'"
        )
    return version


def version_key(version: str) -> tuple[int, ...]:
    """Sort key: ``1.10`` after ``1.9``."""
    return tuple(int(part) for part in version.split("."))


def latest_version(versions: Iterable[str]) -> str | None:
    """The highest version, or ``None`` for none."""
    return max(versions, key=version_key, default=None)


@dataclass(frozen=True)
class ModelRef:
    """``name`` and an optional ``version`` (``None`` means the latest)."""

    name: str
    version: str | None = None

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name}@{self.version}"


def parse_ref(text: str) -> ModelRef:
    """``"wearables/resnet1d-simclr@1.0"`` -> ``ModelRef``; the version is optional."""
    name, sep, version = text.partition("@")
    return ModelRef(check_name(name), check_version(version) if sep else None)
