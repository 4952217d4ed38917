"""`sslsci evaluate BUNDLE --suite` on a freshly pretrained wearables bundle: the report
files, the card's headline table, and report.html rendered in a real headless Chromium."""

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sslsci.cli import app
from sslsci.evaluate.intervals import mean_interval
from sslsci.train.export import export_checkpoint
from sslsci.train.pipeline import load_pipeline
from sslsci.train.pretrain import pretrain
from tests.conftest import PIPELINE
from tests.continual.browser import CHROMIUM, open_page

EVALUATE = "evaluate: [{entry: study, synthetic: true, k: 3, finetune: {max_steps: 4, "
EVALUATE += "eval_every: 2, batch_size: 4}}]"


@pytest.fixture(scope="module")
def suite_bundle(study: Path) -> tuple[Path, dict]:
    text = PIPELINE.format(
        run="suite", max_steps=6, every=6, devices=1, strategy="auto", record="false"
    )
    lines = [EVALUATE if line.startswith("evaluate:") else line for line in text.splitlines()]
    (study / "suite.yaml").write_text("\n".join(lines) + "\n")
    result = pretrain(load_pipeline(study / "suite.yaml"))
    bundle = export_checkpoint(result.checkpoint)
    invoked = CliRunner().invoke(
        app,
        [
            "evaluate",
            str(bundle),
            "--suite",
            "--catalog",
            str(study / "catalog.yaml"),
            "--fractions",
            "0.3,1",
            "--seeds",
            "2",
        ],
    )
    assert invoked.exit_code == 0, invoked.output
    assert "report:" in invoked.output and "gain (SSL − random)" in invoked.output
    return bundle, json.loads((bundle / "suite" / "report.json").read_text())


def test_report_json_holds_every_number_with_n_and_seeds(suite_bundle) -> None:
    bundle, report = suite_bundle
    results = report["tasks"]["study"]
    assert results["fractions"] == [0.3, 1.0] and results["seeds"] == [0, 1]
    assert results["protocols"] == ["linear", "knn", "finetune"]
    assert results["n_train"] == 12 and results["n_test"] == 4  # 3 of 4 subjects train
    for protocol in results["protocols"]:
        for name in ("ssl", "random_init"):
            cell = results["summary"][protocol][name]["100%"]["accuracy"]
            runs = [
                r["accuracy"]
                for r in results["runs"]
                if r["protocol"] == protocol and r["backbone"] == name and r["fraction"] == 1.0
            ]
            assert cell["values"] == runs and cell["n_seeds"] == 2 and cell["n_test"] == 4
            assert cell["mean"] == pytest.approx(mean_interval(runs)["mean"])
    tuned = [r for r in results["runs"] if r["protocol"] == "finetune"]
    assert tuned and all(r["finetune"]["steps"] <= 4 for r in tuned)
    assert report["pretraining_logs"] is True
    plots = sorted(p.name for p in (bundle / "suite" / "plots").iterdir())
    assert plots == [
        "pretraining.png",
        "study-confusion.png",
        "study-fractions.png",
        "study-tsne.png",
    ]
    card = (bundle / "README.md").read_text()
    assert "study / suite / linear accuracy / ssl" in card and "100%" in card
    meta = json.loads((bundle / "sslsci.json").read_text())
    gain = meta["evaluation"]["study"]["suite"]["linear accuracy"]["gain"]["100%"]
    assert gain == pytest.approx(results["gain"]["linear"]["100%"]["accuracy"]["mean"])
    markdown = (bundle / "suite" / "report.md").read_text()
    assert "| linear probe | SSL |" in markdown and "](plots/study-tsne.png)" in markdown
    assert results["finetune_settings"]["head_init"] == "probe" and "(LP-FT)" in markdown


IMAGES = """[...document.images].map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight,
  i.src.slice(0, 21)])"""
TABLE = """[...document.querySelectorAll('table.fractions tr')].map(r => r.innerText)"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_html_renders_table_and_images_offline(suite_bundle) -> None:
    bundle, report = suite_bundle
    html_text = (bundle / "suite" / "report.html").read_text()
    assert "http://" not in html_text and "https://" not in html_text  # nothing to fetch
    with open_page((bundle / "suite" / "report.html").as_uri(), timeout=60) as page:
        images = []
        for _ in range(60):
            images = page.evaluate(IMAGES) or []
            if len(images) == 4 and all(image[1] for image in images):
                break
            time.sleep(0.5)
        rows = page.evaluate(TABLE)
    assert len(images) == 4
    assert all(width > 100 and height > 100 for _, _, width, height, _ in images)
    assert {src for *_, src in images} == {"data:image/png;base64"}
    assert rows[0].split("\t")[:2] == ["protocol", "backbone"]
    assert len(rows) == 1 + 3 * 3  # header + (SSL, random init, gain) per protocol
    mean = report["tasks"]["study"]["summary"]["linear"]["ssl"]["100%"]["accuracy"]["mean"]
    assert f"{mean:.3f}" in rows[1]


def test_cli_asks_for_a_task_or_the_suite_and_checks_fractions(tmp_path) -> None:
    plain = CliRunner().invoke(app, ["evaluate", str(tmp_path)])
    assert plain.exit_code != 0 and "--suite" in plain.output
    bad = CliRunner().invoke(app, ["evaluate", str(tmp_path), "--suite", "--fractions", "0,1"])
    assert bad.exit_code != 0 and "(0, 1]" in bad.output
