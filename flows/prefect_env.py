"""Environment Prefect needs here before it is imported: no telemetry, patient start."""

import os

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def configure_prefect_env() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
