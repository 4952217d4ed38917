"""The ``continual`` section of a pipeline: when to retrain, how much, and where to release."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ContinualConfig(BaseModel):
    """Retrain after ``min_new_items`` (or ``min_new_hours``) of unseen training data, for
    ``steps`` steps on the new items plus a ``replay`` share of earlier ones, and release to
    ``registry`` as ``model`` when the gate passes."""

    model_config = ConfigDict(extra="forbid")

    registry: str
    model: str
    steps: int = Field(default=200, gt=0)
    min_new_items: int = Field(default=1, ge=1)
    min_new_hours: float | None = Field(default=None, gt=0)
    replay: float = Field(default=0.5, ge=0, lt=1)
    tolerance: float = Field(default=0.02, ge=0)
    metric: str = "linear/accuracy"  # path into a task's ssl / random_init results
    retries: int = Field(default=2, ge=0)

    @field_validator("model")
    @classmethod
    def _model_name(cls, value: str) -> str:
        from sslsci.weights.errors import InvalidNameError
        from sslsci.weights.names import check_name

        try:
            return check_name(value)
        except InvalidNameError as exc:
            raise ValueError(str(exc)) from None
