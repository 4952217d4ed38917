"""Ingest: archive sources -> plugin reader -> validation -> normalise -> store (stage 2)."""

from sslsci.ingest.prune import prune_store
from sslsci.ingest.run import IngestReport, ingest_entry

__all__ = ["IngestReport", "ingest_entry", "prune_store"]
