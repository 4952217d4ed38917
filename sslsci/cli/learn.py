"""Commands of the learning half: pretrain, export, evaluate, run and demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sslsci.cli.app import app, fail, out, styled, user_errors

PipelineArg = Annotated[Path, typer.Argument(help="Pipeline YAML (see pipelines/).")]
CatalogOverride = Annotated[Path | None, typer.Option("--catalog", help="Catalog YAML.")]
WorkdirOpt = Annotated[
    str | None, typer.Option("--workdir", help="Store + manifest folder or URL (s3://...).")
]
OutputOpt = Annotated[Path | None, typer.Option("--output", help="Runs folder.")]


@app.command("pretrain")
def pretrain_command(
    pipeline: PipelineArg,
    catalog: CatalogOverride = None,
    workdir: WorkdirOpt = None,
    output: OutputOpt = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from last.ckpt.")] = False,
    export: Annotated[bool, typer.Option(help="Export a bundle at the end.")] = True,
) -> None:
    """Pretrain a backbone with an SSL method on stored windows."""
    from sslsci.cli.console import quiet_lightning
    from sslsci.train.export import export_checkpoint
    from sslsci.train.pipeline import load_pipeline
    from sslsci.train.pretrain import pretrain

    quiet_lightning()
    with user_errors():
        result = pretrain(
            load_pipeline(pipeline),
            catalog_path=catalog,
            workdir=workdir,
            output=output,
            resume=resume,
        )
    if not result.is_global_zero:
        return
    out.print(f"checkpoint: {result.checkpoint} (step {result.steps})", soft_wrap=True)
    if export:
        out.print(f"bundle: {export_checkpoint(result.checkpoint)}", soft_wrap=True)


@app.command("export")
def export_command(
    checkpoint: Annotated[Path, typer.Argument(help="A checkpoint from `sslsci pretrain`.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Bundle folder.")] = None,
) -> None:
    """Write a weights bundle (safetensors + sslsci.json + model card) for a checkpoint."""
    from sslsci.train.export import export_checkpoint

    with user_errors():
        folder = export_checkpoint(checkpoint, out_dir)
    out.print(f"bundle: {folder}", soft_wrap=True)


@app.command("evaluate")
def evaluate_command(
    bundle: Annotated[Path, typer.Argument(help="Bundle folder.")],
    task: Annotated[
        str | None, typer.Option("--task", help="Labelled catalog entry (optional with --suite).")
    ] = None,
    plugin_task: Annotated[
        str | None,
        typer.Option("--plugin-task", help="A task of the plugin (e.g. ct's organ_patch)."),
    ] = None,
    catalog: Annotated[Path, typer.Option("--catalog")] = Path("data_catalog.yaml"),
    workdir: WorkdirOpt = None,
    train_split: Annotated[str, typer.Option()] = "train",
    test_split: Annotated[str, typer.Option()] = "test",
    k: Annotated[int, typer.Option(help="Neighbours for kNN.")] = 20,
    force: Annotated[bool, typer.Option("--force", help="Evaluate despite leakage.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    suite: Annotated[
        bool,
        typer.Option(
            "--suite",
            help="Probes and fine-tuning at label fractions x seeds, for every task the "
            "pipeline names; writes BUNDLE/suite/report.html.",
        ),
    ] = False,
    fractions: Annotated[
        str | None, typer.Option("--fractions", help="Label fractions, e.g. 0.01,0.1,1.")
    ] = None,
    seeds: Annotated[int | None, typer.Option("--seeds", help="Seeds per fraction.")] = None,
) -> None:
    """Linear probe and kNN on frozen features, against a random-init backbone."""
    from sslsci.evaluate.on_bundle import evaluate_bundle, report_folder
    from sslsci.train.pipeline import EvalConfig

    if suite:
        cfg = None
        if task is not None:
            cfg = EvalConfig(
                entry=task,
                task=plugin_task,
                train_split=train_split,
                test_split=test_split,
                k=k,
                force=force,
            )
        suite_command(bundle, cfg, catalog, workdir, fractions, seeds, as_json)
        return
    if task is None:
        raise fail("give --task ENTRY, or --suite to run the tasks the pipeline names")
    cfg = EvalConfig(
        entry=task,
        task=plugin_task,
        train_split=train_split,
        test_split=test_split,
        k=k,
        force=force,
    )
    results = evaluate_bundle(bundle, cfg, catalog_path=catalog, workdir=workdir)
    if as_json:
        print(json.dumps(results, indent=2, default=str))
        return
    print_results(results)
    out.print(f"report: {report_folder(bundle, cfg) / 'report.md'}", soft_wrap=True)


def suite_command(
    bundle: Path,
    task: object | None,
    catalog: Path,
    workdir: str | None,
    fractions: str | None,
    seeds: int | None,
    as_json: bool,
) -> None:
    """The suite with a rich progress bar naming the task, protocol, fraction and seed."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from sslsci.evaluate.suite import progress_steps
    from sslsci.evaluate.suite_bundle import evaluate_suite_bundle, pipeline_tasks, suite_settings

    try:
        shares = [float(f) for f in fractions.split(",")] if fractions else None
    except ValueError:
        raise fail(f"--fractions {fractions!r}: give numbers separated by commas") from None
    if shares and not all(0 < f <= 1 for f in shares):
        raise fail(f"--fractions {fractions!r}: every fraction must be in (0, 1]")
    with user_errors():
        tasks = [task] if task is not None else pipeline_tasks(bundle)
        total = sum(progress_steps(suite_settings(t, shares, seeds)) for t in tasks)
        columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, console=out, transient=True) as bar:
            job = bar.add_task("evaluation suite", total=total)

            def advance(line: str) -> None:
                bar.update(job, advance=1, description=line)

            document = evaluate_suite_bundle(
                bundle,
                tasks,
                catalog_path=catalog,
                workdir=workdir,
                fractions=shares,
                seeds=seeds,
                progress=advance,
            )
    if as_json:
        print(json.dumps(document, indent=2, default=str))
        return
    from sslsci.evaluate.suite_report import fraction_rows

    for key, results in document["tasks"].items():
        header, rows = fraction_rows(results)
        table = Table(*header, title=f"{key}: {results['primary_metric']}")
        for row in rows:
            table.add_row(*row)
        out.print(table)
    out.print(f"report: {document['report']['html']}", soft_wrap=True)


COLUMNS = {
    "classification": (
        ("linear acc", "linear", "accuracy"),
        ("linear macro-F1", "linear", "macro_f1"),
        ("linear bal. acc", "linear", "balanced_accuracy"),
        ("kNN acc", "knn", "accuracy"),
        ("kNN macro-F1", "knn", "macro_f1"),
    ),
    "multilabel": (
        ("linear mAP", "linear", "mean_average_precision"),
        ("linear micro-F1", "linear", "micro_f1"),
        ("linear macro-F1", "linear", "macro_f1"),
        ("kNN mAP", "knn", "mean_average_precision"),
        ("kNN micro-F1", "knn", "micro_f1"),
    ),
}


# Lines naming paths use soft_wrap=True: rich would break a long path mid-word at the
# terminal width, and a user copies it from the console.


def print_results(results: dict) -> None:
    columns = COLUMNS[results.get("kind", "classification")]
    table = Table(
        "backbone",
        *(name for name, _, _ in columns),
        title=f"{results.get('task', '')}: n_train="
        f"{results.get('n_train')} n_test={results.get('n_test')}",
    )
    for label, key in (("SSL", "ssl"), ("random init", "random_init")):
        cells = (f"{results[key][probe][metric]:.3f}" for _, probe, metric in columns)
        table.add_row(label, *cells)
    out.print(table)
    if results.get("synthetic"):
        out.print(styled("labels are synthetic", "yellow"))


@app.command("run")
def run_command(
    pipeline: PipelineArg,
    catalog: CatalogOverride = None,
    workdir: WorkdirOpt = None,
    output: OutputOpt = None,
    resume: Annotated[bool, typer.Option("--resume")] = False,
) -> None:
    """ingest -> pretrain -> export -> evaluate, as a Prefect flow (no server needed)."""
    from sslsci.cli.console import quiet_lightning
    from sslsci.cli.flows import load_flow

    with user_errors():
        _check_before_prefect(pipeline, output, resume)
        quiet_lightning()  # after the checks: importing Lightning alone takes seconds
        result = load_flow("run")(
            str(pipeline),
            str(catalog) if catalog else None,
            str(workdir) if workdir else None,
            str(output) if output else None,
            resume,
        )
    for evaluation in result["evaluation"]:
        print_results(evaluation)
    out.print(f"bundle: {result['bundle']}", soft_wrap=True)
    for evaluation in result["evaluation"]:
        out.print(f"report ({evaluation['task']}): {evaluation['report']}", soft_wrap=True)


def _check_before_prefect(pipeline: Path, output: Path | None, resume: bool) -> None:
    """The flow's own first checks, run before Prefect starts (~25 s): a misspelt option or
    a rerun over a finished run fails at once."""
    from sslsci.train.check import check_pipeline
    from sslsci.train.pipeline import load_pipeline
    from sslsci.train.run_folder import refuse_overwrite

    cfg = load_pipeline(str(pipeline))
    check_pipeline(cfg)
    if not resume:
        refuse_overwrite(cfg.output_dir(str(output) if output else None))


@app.command("demo")
def demo_command(
    root: Annotated[
        Path, typer.Option("--root", help="Folder to write sslsci-demo/ into (default: here).")
    ] = Path("."),
    pipeline: Annotated[
        Path | None,
        typer.Option("--pipeline", help="A pipeline with demo entries (default: the shipped one)."),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an earlier demo run.")] = False,
) -> None:
    """Write the demo archives a pipeline needs (each plugin's own generator), then run it."""
    from sslsci.demo import demo_folder
    from sslsci.train.demo import write_missing_demo_archives

    if pipeline is not None and not pipeline.is_file():
        raise fail(f"{pipeline} not found; pass an existing pipeline YAML to --pipeline")
    path = pipeline or demo_folder(root)
    out.print(f"demo pipeline: {path}", soft_wrap=True)
    with user_errors():
        written = write_missing_demo_archives(path)
    for archive in written:
        out.print(f"demo archive (synthetic labels): {archive}", soft_wrap=True)
    run_command(path, resume=resume)
