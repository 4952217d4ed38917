"""Downstream evaluation of frozen backbones: probes, random-init baseline, leakage, report."""

from sslsci.evaluate.embed import embed_items, random_init_like
from sslsci.evaluate.leakage import LeakageError, LeakageWarning, check_leakage
from sslsci.evaluate.metrics import classification_metrics
from sslsci.evaluate.probes import knn_probe, linear_probe
from sslsci.evaluate.report import write_report
from sslsci.evaluate.task import evaluate_task

__all__ = [
    "LeakageError",
    "LeakageWarning",
    "check_leakage",
    "classification_metrics",
    "embed_items",
    "evaluate_task",
    "knn_probe",
    "linear_probe",
    "random_init_like",
    "write_report",
]
