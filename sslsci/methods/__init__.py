"""Self-supervised methods: one file each, listed in one table (``sslsci.methods.table``),
with their schedules and EMA updates as plain functions."""

from sslsci.methods.base import MethodOutput, SSLMethod
from sslsci.methods.table import METHODS, build_method, method_hparams

__all__ = ["METHODS", "MethodOutput", "SSLMethod", "build_method", "method_hparams"]
