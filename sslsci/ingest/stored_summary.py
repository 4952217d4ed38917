"""What an entry's items look like in the store, for the ingest report.

A recipe's window is checked against these numbers, so the report says them: the length
along each window dim with its sampling, any resampling done at ingest, and what a
reader left out of the source (a reader notes it in ``attrs["left_out"]``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sslsci.data.window_size import stored_sampling
from sslsci.plugins.contract import ModalitySpec
from sslsci.store import ItemRow

SHOWN = 3  # most common shapes listed; the rest are counted


def stored_summary(items: Sequence[ItemRow], spec: ModalitySpec) -> list[str]:
    """One line per common stored shape, per resampling and per reader note."""
    shapes = Counter(_extent(item, spec) for item in items)
    lines = [f"{_items(n)}: {text}" for text, n in shapes.most_common(SHOWN)]
    if len(shapes) > SHOWN:
        lines.append(f"{_items(sum(n for _, n in shapes.most_common()[SHOWN:]))}: other sizes")
    resampled = Counter(
        (float(item.attrs["original_sampling_rate"]), float(item.attrs["sampling_rate"]))
        for item in items
        if _resampled(item)
    )
    lines += [
        f"{_items(n)}: resampled at ingest from {old:g} Hz to {new:g} Hz (the {spec.name} "
        "plugin's default or the entry's options); a window in samples counts stored "
        "samples, one in seconds converts with the stored rate"
        for (old, new), n in resampled.most_common()
    ]
    notes = Counter(str(item.attrs["left_out"]) for item in items if item.attrs.get("left_out"))
    lines += [f"{_items(n)}: {note}" for note, n in notes.most_common()]
    return lines


def _items(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"


def _resampled(item: ItemRow) -> bool:
    old, new = item.attrs.get("original_sampling_rate"), item.attrs.get("sampling_rate")
    return isinstance(old, int | float) and isinstance(new, int | float) and old != new


def _extent(item: ItemRow, spec: ModalitySpec) -> str:
    """``time 360 samples at 30 Hz (12 s)`` per window dim."""
    sizes = dict(zip(item.dims, item.shape, strict=True))
    sampling = stored_sampling(item.attrs, spec)
    parts = []
    for dim in spec.window_dims:
        n, step, unit = sizes.get(dim, 0), sampling.get(dim), spec.sampling_unit(dim)
        text = f"{dim} {n} samples"
        if step and unit == "Hz":
            text += f" at {step:g} Hz ({n / step:g} s)"
        elif step and unit:
            text += f" every {step:g} {unit} ({n * step:g} {unit})"
        parts.append(text)
    return ", ".join(parts)
