"""pipelines/ct.yaml: it validates, and the catalog entry its header quotes runs it."""

from __future__ import annotations

from pathlib import Path

import yaml

from plugins.ct.phantom import main, write_phantom_archive
from plugins.ct.plugin import plugin
from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.methods import METHODS
from sslsci.store import Workspace
from sslsci.train.check import pipeline_problems
from sslsci.train.pipeline import load_pipeline
from sslsci.train.pretrain import pretrain

ROOT = Path(__file__).resolve().parents[3]
RECIPE = ROOT / "pipelines" / "ct.yaml"


def quoted_catalog_entry() -> dict:
    """The entry written in the recipe's header comment, as YAML."""
    lines = RECIPE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# Catalog entry"))
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("#   "):
            break
        block.append(line[4:])
    (entry,) = yaml.safe_load("\n".join(block))
    return entry


def test_recipe_names_what_the_plugin_offers() -> None:
    recipe = load_pipeline(RECIPE)
    assert recipe.plugin == "ct"
    assert recipe.backbone.name in plugin.backbones
    kind = METHODS[recipe.method.name].view_kind
    assert len(plugin.views(kind, **recipe.views)) == 2
    assert pipeline_problems(recipe) == []
    assert set(recipe.data.window) == set(plugin.spec.window_dims)
    assert recipe.evaluate[0].synthetic


def test_default_catalog_holds_the_quoted_entry() -> None:
    quoted = quoted_catalog_entry()
    entry = load_catalog(ROOT / "data_catalog.yaml").entry("ct-demo")
    written = entry.model_dump(exclude_unset=True, exclude={"description"})
    assert yaml.safe_load(yaml.safe_dump(written)) == {
        k: v for k, v in quoted.items() if k != "description"
    }


def test_recipe_probes_the_volume_label_and_organ_patches() -> None:
    tasks = [e.task for e in load_pipeline(RECIPE).evaluate]
    assert tasks == [None, "organ_patch"]
    assert plugin.tasks["organ_patch"].plugin_windows


def test_demo_archive_command_writes_a_labelled_archive(tmp_path: Path) -> None:
    assert plugin.has_demo_archive
    main([str(tmp_path / "ct"), "--n", "2"])
    rows = (tmp_path / "ct" / "labels.csv").read_text().splitlines()
    assert rows[0] == "file,label,segmentation,subject" and len(rows) == 3
    for row in rows[1:]:
        file, _, segmentation, _ = row.split(",")
        assert (tmp_path / "ct" / file / "IM_0001.dcm").is_file()
        assert (tmp_path / "ct" / segmentation).is_file()


def test_recipe_runs_on_a_tiny_archive_with_the_quoted_entry(tmp_path: Path) -> None:
    entry = quoted_catalog_entry()
    assert entry["name"] == "ct-demo" and entry["modality"] == "ct"
    write_phantom_archive(tmp_path / entry["uri"], n=3, size=(24, 20, 12), seed=0)
    entry["options"]["target_spacing"] = 6.0  # tiny run, still longer than the 32-voxel window
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump({"entries": [entry]}))
    catalog = load_catalog(tmp_path / "catalog.yaml")
    report = ingest_entry(catalog, "ct-demo", Workspace(catalog.resolve_workdir()))
    assert report.counts["ok"] == 3, report.quarantined
    recipe = load_pipeline(RECIPE)
    tiny = recipe.model_copy(
        update={
            "data": recipe.data.model_copy(
                update={"samples_per_epoch": 4, "batch_size": 2, "num_workers": 0}
            ),
            "backbone": recipe.backbone.model_copy(update={"config": {"widen_factor": 0.125}}),
            "optimizer": recipe.optimizer.model_copy(update={"warmup_steps": 0}),
            "trainer": recipe.trainer.model_copy(
                update={"max_steps": 1, "checkpoint_every_n_steps": 1}
            ),
        }
    )
    result = pretrain(
        tiny,
        catalog_path=tmp_path / "catalog.yaml",
        output=tmp_path / "runs",
        workdir=catalog.resolve_workdir(),
    )
    assert result.steps == 1
