"""Which checkpoint a run resumes from, and refusing to overwrite an earlier run.

A run folder (``<output>/<name>``) holds ``checkpoints/last.ckpt`` and the periodic
``stepNNNNNN.ckpt`` files. ``--resume`` continues from ``last.ckpt``; when that file is
unreadable (a kill mid-write truncates it) the newest readable step checkpoint is used
instead, and the choice is said. Without ``--resume`` a folder that already holds
checkpoints is refused, so an earlier run's weights are never silently replaced.
"""

from __future__ import annotations

import logging
import os
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

    Ranks other than 0 of a multi-process run skip the check: rank 0 made it before
    launching them, and by then the run's own first checkpoint may exist.
    """
    if os.environ.get("LOCAL_RANK", "0") != "0" or os.environ.get("NODE_RANK", "0") != "0":
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
    """``last.ckpt``, or the newest step checkpoint ``readable`` accepts when it is broken.

    ``readable(path)`` loads a checkpoint or raises; the first candidate that loads wins,
    returned with what ``readable`` gave for it.
    """
    folder = run / "checkpoints"
    last = folder / "last.ckpt"
    candidates = ([last] if last.is_file() else []) + step_checkpoints(folder)
    if not candidates:
        raise NoResumableCheckpointError(
            f"--resume given but {folder} holds no checkpoint (no last.ckpt, no stepN.ckpt); "
            "run without --resume to start over"
        )
    problems = []
    for path in candidates:
        try:
            loaded = readable(path)
        except Exception as exc:  # any unreadable file: try the next older one
            problems.append(f"{path.name}: {exc}")
            continue
        if path != last:
            log.warning(
                "%s is unreadable; resuming from %s, the newest readable checkpoint",
                last if last.is_file() else f"{last} (missing)",
                path,
            )
        return path, loaded
    raise NoResumableCheckpointError(
        f"--resume given but no checkpoint in {folder} can be read:\n  "
        + "\n  ".join(problems)
        + "\nDelete the run folder and run without --resume to start over."
    )
