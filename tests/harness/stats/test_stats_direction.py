"""The public API and the direction each metric ranks in."""

from __future__ import annotations

import dataclasses

import pytest
from cmrbench import stats
from cmrbench.stats import HIGHER_IS_BETTER, ThresholdMetrics


def test_every_exported_name_exists() -> None:
    assert all(hasattr(stats, name) for name in stats.__all__)


def test_every_ranked_metric_is_a_function_or_an_operating_point_field() -> None:
    fields = {f.name for f in dataclasses.fields(ThresholdMetrics)}
    for name in HIGHER_IS_BETTER:
        assert name in fields or callable(getattr(stats, name, None)), name


def test_directions() -> None:
    assert HIGHER_IS_BETTER["auroc"] is True
    assert HIGHER_IS_BETTER["recall_at_k"] is True
    for lower in ("mae", "mse", "rmse", "crps", "median_rank", "mean_rank"):
        assert HIGHER_IS_BETTER[lower] is False


def test_directions_are_read_only() -> None:
    with pytest.raises(TypeError):
        HIGHER_IS_BETTER["auroc"] = False  # type: ignore[index]
