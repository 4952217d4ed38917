"""sslsci: self-supervised foundation models for scientific sensor data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sslsci")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
