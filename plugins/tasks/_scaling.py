"""Target standardisation for regression heads: train on z-scores, report in natural units."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


@dataclass(frozen=True)
class Standardiser:
    """z = (value - mean) / std, with mean and std of the training targets."""

    mean: float
    std: float

    @classmethod
    def fit(cls, values: np.ndarray) -> Standardiser:
        values = np.asarray(values, dtype=np.float64)
        std = float(values.std()) if values.size > 1 else 0.0
        return cls(float(values.mean()), std if std > 0 else 1.0)

    def forward(self, values: T) -> T:
        return (values - self.mean) / self.std  # type: ignore[operator]

    def inverse(self, values: T) -> T:
        return values * self.std + self.mean  # type: ignore[operator]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
