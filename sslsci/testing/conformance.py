"""The conformance suite: what every installed plugin must do, checked the same way for all.

``run_checks(name)`` returns one ``CheckResult`` per check (what ``sslsci plugin check``
prints); ``run_check(name, check, folder)`` raises on failure, for a plugin's own tests.
Each check is a function ``(plugin, folder) -> detail`` that raises ``AssertionError``
on failure or ``checks.Skip`` when it does not apply.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sslsci.plugins.discovery import get_plugin
from sslsci.plugins.kit import Plugin
from sslsci.testing import checks


@dataclass(frozen=True)
class CheckResult:
    check: str
    status: Literal["pass", "fail", "skip"]
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "fail"


Check = Callable[[Plugin, Path], str]

CHECKS: dict[str, Check] = {
    "spec": checks.check_spec,
    "options": checks.check_options,
    "readers_read_samples": checks.check_samples_read,
    "sniff_claims_no_other_samples": checks.check_sniff_exclusive,
    "example": checks.check_example,
    "validate_normalize_idempotent": checks.check_idempotent,
    "views": checks.check_views,
    "backbones": checks.check_backbones,
    "tasks": checks.check_tasks,
    "methods_train": checks.check_methods_train,
    "export_reload": checks.check_export_reload,
}
CHECK_NAMES: tuple[str, ...] = tuple(CHECKS)


def _plugin(plugin: Plugin | str) -> Plugin:
    return get_plugin(plugin) if isinstance(plugin, str) else plugin


def _one(plugin: Plugin, name: str, folder: Path) -> CheckResult:
    if name not in CHECKS:
        raise ValueError(f"unknown check {name!r}; checks: {', '.join(CHECKS)}")
    work = folder / name
    work.mkdir(parents=True, exist_ok=True)
    try:
        detail = CHECKS[name](plugin, work)
    except checks.Skip as exc:
        return CheckResult(name, "skip", str(exc))
    except AssertionError as exc:
        return CheckResult(name, "fail", str(exc))
    except Exception as exc:  # a crash inside a check is a failure, reported with its place
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(last.filename).name}:{last.lineno}"
        return CheckResult(name, "fail", f"{type(exc).__name__}: {exc} ({where})")
    return CheckResult(name, "pass", detail or "")


def run_checks(
    plugin: Plugin | str, names: Iterable[str] | None = None, folder: Path | None = None
) -> list[CheckResult]:
    """Every check (or ``names``) on the plugin; files go to ``folder`` or a temp folder."""
    target = _plugin(plugin)
    wanted = list(names) if names is not None else list(CHECK_NAMES)
    if folder is not None:
        return [_one(target, name, Path(folder)) for name in wanted]
    with tempfile.TemporaryDirectory(prefix=f"sslsci-check-{target.name}-") as tmp:
        return [_one(target, name, Path(tmp)) for name in wanted]


def run_check(plugin: Plugin | str, name: str, folder: Path) -> str:
    """One check for a test: ``AssertionError`` on failure, ``pytest.skip`` when it does not
    apply; returns the check's detail line."""
    result = _one(_plugin(plugin), name, Path(folder))
    if result.status == "fail":
        raise AssertionError(f"{_plugin(plugin).name}: {name}: {result.detail}")
    if result.status == "skip":
        import pytest

        pytest.skip(result.detail)
    return result.detail
