"""Windows from the store: random ones for pretraining, tiles of labelled items for
evaluation, and the standardisation both apply (stage 3 of the flow)."""

from sslsci.data.labelled import LabelledWindows, collate_tiles, item_target, split_labels
from sslsci.data.random_windows import RandomWindows, worker_context
from sslsci.data.standardize import Standardizer
from sslsci.data.statistics import combine_statistics, item_statistics
from sslsci.data.windows import cut_window, cut_windows, random_starts, window_sizes

__all__ = [
    "LabelledWindows",
    "RandomWindows",
    "Standardizer",
    "collate_tiles",
    "combine_statistics",
    "cut_window",
    "cut_windows",
    "item_statistics",
    "item_target",
    "random_starts",
    "split_labels",
    "window_sizes",
    "worker_context",
]
