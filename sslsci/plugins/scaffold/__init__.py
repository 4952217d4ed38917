"""``sslsci plugin new NAME --dims channel,time``: an installable plugin package to start from.

The package holds a plugin declared with the kit, a NetCDF reader, seeded example and
demo-archive generators, views, a catalog, a demo pipeline and a test file that runs
the conformance suite; every file is rendered from ``templates/``.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

TEMPLATES = Path(__file__).parent / "templates"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DIM = re.compile(r"^[a-z][a-z0-9_]*$")
SIDE = {1: 256, 2: 48, 3: 24}  # example extent per window dim
WINDOW = {1: 64, 2: 16, 3: 8}  # pipeline window per window dim
PATCH = {1: 8, 2: 4, 3: 4}


class ScaffoldError(ValueError):
    """The scaffold cannot be written as asked."""


def check_request(name: str, dims: list[str]) -> None:
    if not NAME.match(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"plugin name {name!r} must be lowercase letters, digits and _ and start with a "
            "letter (it names the modality and the Python package), e.g. 'hydrophone'"
        )
    if len(dims) < 2 or len(set(dims)) != len(dims) or not all(DIM.match(d) for d in dims):
        raise ScaffoldError(
            f"--dims {','.join(dims)!r} must name the channel dim first and then 1 to 3 window "
            "dims, all distinct lowercase names, e.g. --dims channel,time or channel,y,x"
        )
    if len(dims) > 4:
        raise ScaffoldError(f"--dims {','.join(dims)!r}: at most 3 window dims are supported")


def _backbones(window_dims: list[str]) -> tuple[str, str, str]:
    """The Backbone declarations, the demo pipeline's backbone and its config."""
    patch = (PATCH[len(window_dims)],) * len(window_dims)
    transformer = (
        '    "transformer": Backbone(\n'
        '        "sslsci.nn:PatchTransformer",\n'
        f'        defaults={{"in_channels": 3, "patch_size": {patch!r}, "embed_dim": 64,\n'
        '                  "depth": 2, "num_heads": 2},\n'
        "    ),\n"
    )
    if len(window_dims) == 1:
        resnet = '    "resnet1d": Backbone("sslsci.nn:ResNet1D", defaults={"in_channels": 3}),\n'
        return "{\n" + resnet + transformer + "}", "resnet1d", "{widths: [16, 32]}"
    return "{\n" + transformer + "}", "transformer", "{}"


def render_values(name: str, dims: list[str]) -> dict[str, str]:
    window_dims = dims[1:]
    side, window = SIDE[len(window_dims)], WINDOW[len(window_dims)]
    backbones, backbone, config = _backbones(window_dims)
    steps = {dim: (0.01 if dim == "time" else 1.0) for dim in window_dims}
    return {
        "name": name,
        "package": f"sslsci_{name}",
        "dims_text": " x ".join(dims),
        "dims_tuple": repr(tuple(dims)),
        "window_dims_tuple": repr(tuple(window_dims)),
        "sizes": repr({dim: side for dim in window_dims}),
        "steps": repr(steps),
        "backbones": backbones,
        "example_window": repr({dim: window for dim in window_dims}),
        "window": "{" + ", ".join(f"{dim}: {window}" for dim in window_dims) + "}",
        "backbone": backbone,
        "backbone_config": config,
    }


def layout(name: str) -> dict[str, str]:
    """Template -> path inside the package folder."""
    package = f"sslsci_{name}"
    return {
        "pyproject.toml.tmpl": "pyproject.toml",
        "README.md.tmpl": "README.md",
        "plugin.py.tmpl": f"{package}/__init__.py",
        "reader.py.tmpl": f"{package}/reader.py",
        "example.py.tmpl": f"{package}/example.py",
        "views.py.tmpl": f"{package}/views.py",
        "catalog.yaml.tmpl": "data_catalog.yaml",
        "pipeline.yaml.tmpl": f"pipelines/{name}_demo.yaml",
        "test_plugin.py.tmpl": f"tests/test_{name}.py",
    }


def write_scaffold(name: str, dims: list[str], out: Path) -> list[Path]:
    """Write the package into ``out`` (which must not exist yet or be empty)."""
    check_request(name, dims)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ScaffoldError(f"{out} exists and is not empty; choose a new folder with --out")
    values = render_values(name, dims)
    written = []
    for template, relative in layout(name).items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        text = Template((TEMPLATES / template).read_text()).substitute(values)
        target.write_text(text)
        written.append(target)
    return written
