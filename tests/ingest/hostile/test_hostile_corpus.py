"""Done-when (issue 10): each modality's hostile corpus, ingested by the real CLI in a
child process under a time limit: every bad file quarantined with its specific reason,
every good file stored, exit code 0 (bad input is quarantined, not fatal), no hang, and
the child's peak RSS (its own and its workers', through ``resource``) under a bound."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from sslsci.store import Workspace

CORPORA = ["corpus_wearables", "corpus_speech", "corpus_das", "corpus_sar", "corpus_ct"]
TIME_LIMIT_S = 240  # generous: the machine is shared; a hang is minutes, not seconds
PEAK_RSS_BOUND = 1536 * 2**20  # bytes; a trusted size bomb costs gigabytes

# Runs the command as its child and reports the child's exit code and peak RSS.
MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    code = subprocess.run(sys.argv[2:]).returncode
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(sys.argv[1], "w") as handle:
        json.dump({"returncode": code, "peak_rss": peak_kib * 1024}, handle)
    """
)


def _ingest(root: Path, corpus) -> tuple[dict, dict, subprocess.CompletedProcess]:
    entry = {"name": "hostile", "modality": corpus.MODALITY, "uri": str(root / "archive"),
             "include": corpus.INCLUDE, "options": corpus.OPTIONS}  # fmt: skip
    (root / "catalog.yaml").write_text(yaml.safe_dump({"entries": [entry]}))
    command = [sys.executable, "-m", "sslsci", "ingest", "hostile", "--json", "--workers", "2"]
    command += ["--catalog", str(root / "catalog.yaml"), "--workdir", str(root / "work")]
    measured = root / "measured.json"
    child = subprocess.run(
        [sys.executable, "-c", MEASURE, str(measured), *command],
        capture_output=True, text=True, timeout=TIME_LIMIT_S,
    )  # fmt: skip
    return json.loads(measured.read_text()), json.loads(child.stdout or "{}"), child


def _statuses(root: Path) -> dict[str, str]:
    manifest = Workspace(root / "work").manifest()
    try:
        rows = manifest.sources("hostile").values()
    finally:
        manifest.close()
    archive = root / "archive"
    return {Path(row.uri).relative_to(archive).as_posix(): row.status for row in rows}


@pytest.mark.parametrize("name", CORPORA)
def test_hostile_corpus_quarantines_each_bad_file_with_its_reason(tmp_path: Path, name: str):
    corpus = importlib.import_module(f"tests.ingest.hostile.{name}")
    expected = corpus.write_corpus(tmp_path / "archive", seed=7)
    assert sum(reason is not None for reason in expected.values()) >= 10
    assert any(reason is None for reason in expected.values())

    measured, report, child = _ingest(tmp_path, corpus)

    assert measured["returncode"] == 0, child.stderr
    reasons = {Path(q["uri"]).relative_to(tmp_path / "archive").as_posix(): q["reason"]
               for q in report["quarantined"]}  # fmt: skip
    bad = {n: r for n, r in expected.items() if r is not None}
    assert set(reasons) == set(bad), reasons
    for file, reason in bad.items():
        assert reason.lower() in reasons[file].lower(), f"{file}: {reasons[file]}"
    statuses = _statuses(tmp_path)
    stored = {file for file, status in statuses.items() if status == "ok"}
    assert stored == {n for n, r in expected.items() if r is None}, reasons
    assert report["counts"]["gone"] == 0
    peak = measured["peak_rss"]
    print(f"{name}: {len(bad)} bad, peak RSS {peak / 2**20:.0f} MiB")
    assert peak < PEAK_RSS_BOUND, f"peak RSS {peak / 2**20:.0f} MiB"
