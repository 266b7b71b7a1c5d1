"""Statistics every cmrbench leaderboard rests on: pure NumPy/SciPy functions over per-study
predictions.

AUROC with DeLong intervals and paired tests, bootstrap intervals that resample patients,
ROC operating points, regression agreement, the Kaggle volume CRPS, retrieval ranks and
multiple-comparison adjustment. Invalid inputs raise :class:`StatsInputError`, and
``HIGHER_IS_BETTER`` says which way each metric ranks.
"""

from cmrbench.stats._validate import StatsInputError
from cmrbench.stats.auroc import (
    AucCI,
    DelongTestResult,
    auroc,
    delong_ci,
    delong_covariance,
    delong_test,
    delong_variance,
    midranks,
)
from cmrbench.stats.bootstrap import (
    BootstrapResult,
    bootstrap_ci,
    bootstrap_p_value,
    resample_indices,
)
from cmrbench.stats.crps import CRPS_BINS, crps, normal_cdf_bins
from cmrbench.stats.direction import HIGHER_IS_BETTER
from cmrbench.stats.multitest import benjamini_hochberg, holm
from cmrbench.stats.regression import BlandAltman, bland_altman, mae, mse, pearson_r, r2, rmse
from cmrbench.stats.retrieval import mean_rank, median_rank, recall_at_k, retrieval_ranks
from cmrbench.stats.roc import (
    RocCurve,
    ThresholdMetrics,
    roc_curve,
    threshold_at_sensitivity,
    threshold_at_specificity,
    threshold_metrics,
    youden_threshold,
)

__all__ = [
    "CRPS_BINS",
    "HIGHER_IS_BETTER",
    "AucCI",
    "BlandAltman",
    "BootstrapResult",
    "DelongTestResult",
    "RocCurve",
    "StatsInputError",
    "ThresholdMetrics",
    "auroc",
    "benjamini_hochberg",
    "bland_altman",
    "bootstrap_ci",
    "bootstrap_p_value",
    "crps",
    "delong_ci",
    "delong_covariance",
    "delong_test",
    "delong_variance",
    "holm",
    "mae",
    "mean_rank",
    "median_rank",
    "midranks",
    "mse",
    "normal_cdf_bins",
    "pearson_r",
    "r2",
    "recall_at_k",
    "resample_indices",
    "retrieval_ranks",
    "rmse",
    "roc_curve",
    "threshold_at_sensitivity",
    "threshold_at_specificity",
    "threshold_metrics",
    "youden_threshold",
]
