"""A pipeline's window in samples, checked against the items in the store before training.

Sizes in seconds or millimetres convert with the items' stored sampling; a window no
stored item can fill is refused, since training on it would be mostly zero padding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sslsci.data.window_size import in_samples, stored_sampling
from sslsci.plugins.contract import ModalitySpec
from sslsci.store import ItemRow
from sslsci.train.check import _at
from sslsci.train.pipeline import Pipeline, PipelineError


def resolve_window(pipeline: Pipeline, spec: ModalitySpec, items: Sequence[ItemRow]) -> Pipeline:
    """The pipeline with ``data.window`` in samples; a ``PipelineError`` naming every problem."""
    window, problems = {}, []
    for dim, size in pipeline.data.window.items():
        try:
            window[dim] = _samples(dim, size, spec, items)
        except ValueError as exc:
            problems.append(_at(pipeline, ["data", "window", dim], f"value {size!r}: {exc}"))
            continue
        longest = max((_extent(item, dim) for item in items), default=0)
        if window[dim] > longest:
            problems.append(
                _at(
                    pipeline,
                    ["data", "window", dim],
                    f"value {size!r}: {window[dim]} samples "
                    f"along {dim!r}, longer than every stored item ({_sizes(items, dim)}); "
                    f"accepted: 1 to {longest} samples",
                )
            )
    if problems:
        raise PipelineError("invalid pipeline:\n  " + "\n  ".join(problems))
    data = pipeline.data.model_copy(update={"window": window})
    return pipeline.model_copy(update={"data": data})


def _samples(dim: str, size: int | str, spec: ModalitySpec, items: Sequence[ItemRow]) -> int:
    if isinstance(size, int):
        return size
    unit = spec.sampling_unit(dim)
    found = {stored_sampling(item.attrs, spec).get(dim) for item in items}
    if unit is None or None in found:
        raise ValueError(
            f"the {spec.name} plugin records no sampling along {dim!r}; give the window in samples"
        )
    rates = sorted(found)
    if len(rates) > 1:
        shown = ", ".join(f"{rate:g} {unit}" for rate in rates)
        raise ValueError(
            f"the stored items differ in sampling along {dim!r} ({shown}); give the window in "
            "samples, or resample the items to one rate at ingest"
        )
    return max(1, round(in_samples(size, rates[0], unit)))


def _extent(item: ItemRow, dim: str) -> int:
    return dict(zip(item.dims, item.shape, strict=True)).get(dim, 0)


def _sizes(items: Sequence[ItemRow], dim: str) -> str:
    """``77 samples (12 items), 60 samples (3 items)``: the store's sizes along ``dim``."""
    counts = Counter(_extent(item, dim) for item in items)
    shown = [f"{n} samples ({c} item{'s' * (c > 1)})" for n, c in counts.most_common(5)]
    more = f", {len(counts) - 5} more sizes" if len(counts) > 5 else ""
    return "stored sizes: " + ", ".join(shown) + more
