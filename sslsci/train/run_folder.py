"""Which checkpoint a run resumes from, and refusing to overwrite an earlier run.

A run folder (``<output>/<name>``) holds ``checkpoints/last.ckpt`` and the periodic
``stepNNNNNN.ckpt`` files. ``--resume`` continues from the furthest readable one:
``last.ckpt``, or the newest readable step checkpoint when ``last.ckpt`` is behind it (a
kill between the two writes) or unreadable (a kill mid-write truncates it), and the
choice is said. Without ``--resume`` a folder that already holds checkpoints is refused,
so an earlier run's weights are never silently replaced.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sslsci.train.errors import NoResumableCheckpointError, RunExistsError

log = logging.getLogger("sslsci.train")

STEP_PATTERN = re.compile(r"^step(\d+)(?:-v\d+)?\.ckpt$")


def step_checkpoints(folder: Path) -> list[Path]:
    """``stepN.ckpt`` files of ``folder``, newest (highest step) first."""
    found = [
        (int(m.group(1)), p) for p in folder.glob("step*.ckpt") if (m := STEP_PATTERN.match(p.name))
    ]
    return [
        path for _, path in sorted(found, key=lambda pair: (pair[0], pair[1].name), reverse=True)
    ]


def refuse_overwrite(run: Path) -> None:
    """Raise ``RunExistsError`` when ``run`` already holds checkpoints.

    Ranks other than 0 of a multi-process run (Lightning's own, torchrun's or srun's)
    skip the check: rank 0 makes it, and by then the run's own first checkpoint may exist.
    """
    from sslsci.train.launch import global_rank

    if global_rank() != 0:
        return
    folder = run / "checkpoints"
    existing = sorted(folder.glob("*.ckpt")) if folder.is_dir() else []
    if existing:
        raise RunExistsError(
            f"{run} already holds a run ({len(existing)} checkpoint(s), e.g. "
            f"{existing[0].name}); nothing was overwritten. Pass --resume to continue it, or "
            "start a new run folder with --output DIR (or a new `name:` in the pipeline)."
        )


def resume_checkpoint(run: Path, readable: Callable[[Path], Any]) -> tuple[Path, Any]:
    """The readable checkpoint with the highest ``global_step``: ``last.ckpt`` or a step file.

    ``readable(path)`` loads a checkpoint or raises. ``last.ckpt`` is normally the newest,
    but a kill between Lightning writing ``stepN.ckpt`` and updating ``last.ckpt`` leaves
    it one save behind, and a kill mid-write truncates it; both fall back to the newest
    readable step checkpoint, and the choice is said.
    """
    folder = run / "checkpoints"
    last = folder / "last.ckpt"
    candidates = ([last] if last.is_file() else []) + step_checkpoints(folder)
    if not candidates:
        raise NoResumableCheckpointError(
            f"--resume given but {folder} holds no checkpoint (no last.ckpt, no stepN.ckpt); "
            "run without --resume to start over"
        )
    problems: list[str] = []
    chosen: tuple[Path, Any] | None = None
    for path in candidates:
        try:
            loaded = readable(path)
        except Exception as exc:  # any unreadable file: try the next older one
            problems.append(f"{path.name}: {exc}")
            continue
        if chosen is None or _global_step(loaded) > _global_step(chosen[1]):
            chosen = (path, loaded)
        if path != last:
            break  # the newest readable step file: older ones cannot be further on
    if chosen is None:
        raise NoResumableCheckpointError(
            f"--resume given but no checkpoint in {folder} can be read:\n  "
            + "\n  ".join(problems)
            + "\nDelete the run folder and run without --resume to start over."
        )
    if chosen[0] != last:
        last_read = last.is_file() and not any(p.startswith(f"{last.name}:") for p in problems)
        state = "behind it" if last_read else "unreadable or missing"
        log.warning(
            "%s is %s; resuming from %s (step %d), the newest readable checkpoint",
            last,
            state,
            chosen[0],
            _global_step(chosen[1]),
        )
    return chosen


def _global_step(checkpoint: Any) -> int:
    """The optimiser step a loaded checkpoint was saved at (-1 when it does not say)."""
    try:
        return int(checkpoint.get("global_step", -1))
    except (AttributeError, TypeError, ValueError):
        return -1
