"""pipelines/ct.yaml: it validates, and the catalog entry its header quotes runs it."""

from __future__ import annotations

from pathlib import Path

import yaml

from plugins.ct.phantom import write_phantom_archive
from plugins.ct.plugin import plugin
from sslsci.catalog import load_catalog
from sslsci.ingest import Workspace, ingest_entry
from sslsci.pipeline import load_pipeline
from sslsci.train.pretrain import pretrain

RECIPE = Path(__file__).resolve().parents[3] / "pipelines" / "ct.yaml"


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
    assert recipe.backbone.name in plugin.backbones()
    assert len(plugin.views(recipe.method.name, **recipe.views)) == 2
    assert set(recipe.data.window) == set(plugin.spec.window_dims)
    assert recipe.evaluate[0].synthetic


def test_recipe_runs_on_a_tiny_archive_with_the_quoted_entry(tmp_path: Path) -> None:
    entry = quoted_catalog_entry()
    assert entry["name"] == "ct-demo" and entry["modality"] == "ct"
    write_phantom_archive(tmp_path / entry["uri"], n=3, size=(24, 20, 12), seed=0)
    entry["options"]["target_spacing"] = 12.0  # tiny run: a 24-voxel phantom at 12 mm
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump({"entries": [entry]}))
    catalog = load_catalog(tmp_path / "catalog.yaml")
    report = ingest_entry(catalog, "ct-demo", Workspace(catalog.resolve_workdir()))
    assert report.counts["ok"] == 3, report.quarantined
    recipe = load_pipeline(RECIPE)
    tiny = recipe.model_copy(
        update={
            "data": recipe.data.model_copy(update={"samples_per_epoch": 4, "batch_size": 2}),
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
