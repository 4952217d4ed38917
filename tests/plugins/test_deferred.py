"""Plugin parts named ``"module:name"``: imported on first use, and a declared reader
that does not match the real one is refused with both descriptions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sslsci.plugins.contract import PluginError, Reader
from sslsci.plugins.deferred import Deferred, DeferredReader, deferred


def test_deferred_function_imports_its_module_on_first_call() -> None:
    code = (
        "import sys\nfrom sslsci.plugins.deferred import Deferred\n"
        "f = Deferred('colorsys:rgb_to_hsv')\nbefore = 'colorsys' in sys.modules\n"
        "print(before, f(1.0, 0.0, 0.0), 'colorsys' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "(0.0,", "1.0,", "1.0)", "True"]


def test_deferred_passes_functions_and_none_through() -> None:
    assert deferred(None) is None
    assert deferred(len) is len
    assert isinstance(deferred("os.path:join"), Deferred)


def test_bad_target_is_refused() -> None:
    with pytest.raises(ValueError, match=r"package\.module:name"):
        Deferred("os.path.join")(1)


def test_deferred_reader_is_a_reader_and_reads_through_the_real_one(tmp_path) -> None:
    from plugins.wearables.readers_ts import TsReader

    reader = DeferredReader("plugins.wearables.readers_ts:TsReader", "uea_ts", (".ts",))
    assert isinstance(reader, Reader)
    real = TsReader()
    path = str(tmp_path / "x.ts")
    head = b"@problemName x\n"
    assert reader.sniff(path, head) == real.sniff(path, head)
    assert isinstance(reader.loaded(), TsReader)


def test_a_declaration_that_drifts_from_the_reader_is_refused() -> None:
    reader = DeferredReader("plugins.wearables.readers_ts:TsReader", "uea_ts", (".txt",))
    with pytest.raises(PluginError, match=r"declared as .*'\.txt'.* but reads as .*'\.ts'"):
        reader.sniff("a.ts", b"")


def test_every_builtin_declared_reader_matches_its_real_reader() -> None:
    from sslsci.plugins.discovery import available_plugins

    for plugin in available_plugins().values():
        for reader in plugin.readers:
            if isinstance(reader, DeferredReader):
                assert reader.loaded().name == reader.name
