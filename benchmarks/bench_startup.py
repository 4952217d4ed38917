"""Start-up wall time of each command, and the fixed cost of ``sslsci run`` before the
first training step, split into its parts. Prints medians of fresh subprocesses; never
asserts (run on an idle machine for the figures of issue 16).

    python benchmarks/bench_startup.py [--repeats 5] [--catalog data_catalog.yaml]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import typer

from sslsci.cli import app

# The parts of `sslsci run` before the first step, each in a fresh interpreter.
RUN_PARTS = {
    "python itself": "pass",
    "import torch": "import torch",
    "import lightning": "import lightning",
    "import the run flow (Prefect + the library)": "import flows.run_pipeline",
    "Prefect: one empty flow run (ephemeral API start)": (
        "from flows.prefect_env import configure_prefect_env\nconfigure_prefect_env()\n"
        "from prefect import flow\n@flow\ndef empty():\n    return 1\nempty()"
    ),
}


def median_seconds(argv: list[str], repeats: int) -> tuple[float, int]:
    """Median wall time of ``argv`` over ``repeats`` fresh runs, and the last exit code."""
    times, code = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        code = subprocess.run(argv, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), code


def help_commands() -> list[list[str]]:
    """``--help`` of the app and of every command and group under it."""
    found: list[list[str]] = []

    def walk(command, path: list[str]) -> None:
        found.append([*path, "--help"])
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--catalog", default="data_catalog.yaml")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "sslsci"]
    rows = [(" ".join(["sslsci", *c]), [*cli, *c]) for c in help_commands()]
    rows += [
        ("sslsci plugins", [*cli, "plugins"]),
        (
            f"sslsci catalog check --catalog {args.catalog}",
            [*cli, "catalog", "check", "--catalog", args.catalog],
        ),
    ]
    rows += [
        (f"run part: {label}", [sys.executable, "-c", code]) for label, code in RUN_PARTS.items()
    ]
    print(
        f"median of {args.repeats} fresh processes (targets: --help < 0.5 s; plugins and "
        "catalog check < 5 s on an idle 2-core machine)"
    )
    for label, argv in rows:
        seconds, code = median_seconds(argv, args.repeats)
        note = "" if code == 0 else f"  (exit {code})"
        print(f"{seconds:7.2f} s  {label}{note}", flush=True)


if __name__ == "__main__":
    main()
