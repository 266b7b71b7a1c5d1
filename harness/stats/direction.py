"""Which direction is better for each metric, so leaderboards can rank by it.

Bland-Altman bias and limits of agreement are not listed: they are best near zero (or
narrow), not at an extreme, so they are reported rather than ranked.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

HIGHER_IS_BETTER: Mapping[str, bool] = MappingProxyType(
    {
        "auroc": True,
        "accuracy": True,
        "sensitivity": True,
        "specificity": True,
        "ppv": True,
        "npv": True,
        "mae": False,
        "mse": False,
        "rmse": False,
        "pearson_r": True,
        "r2": True,
        "crps": False,
        "recall_at_k": True,
        "median_rank": False,
        "mean_rank": False,
    }
)
