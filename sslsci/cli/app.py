"""The ``sslsci`` Typer app, its sub-apps and the consoles every command prints to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup


class LightGroup(TyperGroup):
    """A command group whose unset ``--help`` reads as False: Typer coerces an unset (None)
    flag through pydantic, an import that alone doubled the time of ``sslsci run --help``."""

    def get_help_option(self, ctx: typer.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.default = False
        return option


app = typer.Typer(
    cls=LightGroup,
    help="Self-supervised foundation models for scientific sensor data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Typer's --install-completion options, unset, are coerced through pydantic too.
    add_completion=False,
    # Plain help text: Typer's rich help imports rich.markdown and markdown-it (0.2 s).
    rich_markup_mode=None,
)
catalog_app = typer.Typer(cls=LightGroup, help="Check the data catalog.", no_args_is_help=True)
store_app = typer.Typer(cls=LightGroup, help="Maintain the array store.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(store_app, name="store")

# Markup off: file names, reasons and patterns such as ``^[a-z0-9]...`` are printed as
# they are; styles come only from ``styled`` (rich would eat every ``[...]``).
# soft_wrap: messages carry paths a user copies; rich must not break them mid-word
err = Console(stderr=True, markup=False, soft_wrap=True)
out = Console(markup=False, soft_wrap=True)


def styled(prefix: str, style: str, text: object = "") -> Text:
    """``prefix`` in ``style``, then ``text`` verbatim (never read as markup)."""
    return Text.assemble((prefix, style), str(text))


CatalogOpt = Annotated[Path, typer.Option("--catalog", help="Catalog YAML file.")]
# A string, not a Path: a store on object storage is a URL (s3://bucket/prefix).
WorkdirOpt = Annotated[
    str | None,
    typer.Option("--workdir", help="Store + manifest folder or URL (default: catalog's)."),
]


@app.callback()
def main_options(
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Also show the libraries' logs and warnings.")
    ] = False,
) -> None:
    """Self-supervised foundation models for scientific sensor data."""
    from sslsci.cli.console import configure_console

    configure_console(verbose)


def fail(message: str) -> typer.Exit:
    err.print(styled("error: ", "red", message), highlight=False)
    return typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Errors in what a person wrote (catalog, pipeline, options, paths) end the command
    with their message and exit code 2, never with a traceback."""
    from sslsci.catalog.model import CatalogError
    from sslsci.plugins.contract import PluginError
    from sslsci.plugins.options import OptionsError
    from sslsci.train.errors import TrainingError
    from sslsci.train.pipeline import PipelineError

    try:
        yield
    except (
        CatalogError,
        PipelineError,
        PluginError,
        OptionsError,
        TrainingError,
        FileNotFoundError,
    ) as exc:
        raise fail(str(exc)) from None
