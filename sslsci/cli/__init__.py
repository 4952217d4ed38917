"""The ``sslsci`` command line: thin wrappers over the library functions.

Each module registers its commands on the one Typer app (``sslsci.cli.app``).
"""

from sslsci.cli import data, learn, plugin, service, slurm, weights  # noqa: F401  (each registers commands)
from sslsci.cli.app import app


def main() -> None:
    app()
