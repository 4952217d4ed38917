"""What the console shows: sslsci's own progress, results, paths and warnings; the libraries'
chatter (Lightning's INFO lines and tips, Prefect's task logs and tracebacks, deprecation
warnings) only with ``-v``.

Lightning logs through the ``lightning`` logger, which has its own console handler and also
propagates to the root logger, where Prefect installs another: every line appeared twice.
Prefect logs a task's failure with its traceback before the flow re-raises it; the CLI then
prints the message itself, so Prefect's console handler is silenced (its API handler still
records every log in the flow run).
"""

from __future__ import annotations

import logging
import os
import warnings

from rich.logging import RichHandler

from sslsci.cli.app import err

LIBRARY_MODULES = r"(lightning|torch|prefect|pydantic|timm|monai|torchaudio|xarray|zarr)(\.|$)"
QUIET_ENV = {
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_LEVEL": "ERROR",
    "DASK_LOGGING__DISTRIBUTED": "warning",  # `ingest --dask`: the cluster's INFO chatter
}

_state = {"verbose": False}


def configure_console(verbose: bool) -> None:
    """Route sslsci's log to stderr and, unless ``verbose``, hide what a user cannot act on."""
    _state["verbose"] = verbose
    ours = logging.getLogger("sslsci")
    ours.handlers = [RichHandler(console=err, show_time=False, show_path=False)]
    ours.setLevel(logging.DEBUG if verbose else logging.INFO)
    ours.propagate = False
    if verbose:
        return
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("ignore", module=LIBRARY_MODULES)


def quiet_lightning() -> None:
    """Lightning's loggers at WARNING (INFO with ``-v``), printed once: call after importing
    Lightning, whose import sets its logger to INFO."""
    import lightning  # noqa: F401  (its import configures the logger this then adjusts)

    level = logging.INFO if _state["verbose"] else logging.WARNING
    for name in ("lightning", "lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(level)
    logging.getLogger("lightning").propagate = False  # its own handler prints it, once
