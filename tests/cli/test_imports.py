"""What each entry point imports: reading a file does not import ingest, and the core CLI
imports no plugin and no flows module (it reaches both through entry points)."""

from __future__ import annotations

import subprocess
import sys


def modules_after(code: str) -> set[str]:
    """Module names loaded by a fresh interpreter after running ``code``."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=300)
    return set(result.stdout.split())


def test_reading_one_file_does_not_import_ingest_or_training() -> None:
    loaded = modules_after("import sslsci\nsslsci.read")
    assert "sslsci.plugins.reading" in loaded
    assert not {m for m in loaded if m.startswith(("sslsci.ingest", "sslsci.train", "flows"))}


def test_the_cli_imports_no_plugin_and_no_flow() -> None:
    loaded = modules_after("import sslsci.cli")
    assert "sslsci.cli.learn" in loaded and "sslsci.cli.plugin" in loaded
    assert not {m for m in loaded if m == "plugins" or m.startswith(("plugins.", "flows"))}
