"""Refuse to score a model on files it was pretrained on (matched by source sha256)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from sslsci.store import ItemRow


class LeakageError(ValueError):
    """Test files were part of the pretraining data, so the score would be optimistic."""


class LeakageWarning(UserWarning):
    """Leakage was found but the caller forced the evaluation."""


def check_leakage(
    test_items: Iterable[ItemRow], pretrain_sha256s: set[str], force: bool
) -> list[str]:
    """The test files (uris, sorted) whose content sha256 was in the pretraining manifest.

    Raises ``LeakageError`` when there are any, unless ``force``; then it warns
    and returns them, so the report can say the score is contaminated.
    """
    leaked = sorted({item.uri for item in test_items if item.sha256 in pretrain_sha256s})
    if not leaked:
        return []
    message = (
        f"{len(leaked)} test file(s) were also in the pretraining data (same sha256), "
        f"e.g. {leaked[0]}; the probe score would be optimistic. Evaluate on a split the "
        "model never saw, or pass --force to evaluate anyway (the report will flag it)"
    )
    if not force:
        raise LeakageError(message)
    warnings.warn(message, LeakageWarning, stacklevel=2)
    return leaked
