"""Errors of training that are the user's to fix: the CLI prints them alone, exit code 2.

Kept apart from ``pretrain`` so the CLI can name them without importing Lightning.
"""

from __future__ import annotations


class TrainingError(Exception):
    """A run cannot start or continue as asked; the message says what to do."""


class CheckpointError(TrainingError):
    """A checkpoint in the run folder cannot be resumed from safely."""


class RunExistsError(TrainingError):
    """The run folder already holds checkpoints of an earlier run."""


class NoResumableCheckpointError(TrainingError):
    """``--resume`` was given but no checkpoint in the run folder can be read."""


class TrainingDataError(TrainingError, ValueError):
    """The store does not hold what the pipeline trains on (not ingested, mixed channels)."""
