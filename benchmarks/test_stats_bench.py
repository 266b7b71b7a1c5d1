"""Timings of the statistics package (pytest-benchmark); nothing here asserts a time.

Run with ``python -m pytest benchmarks/test_stats_bench.py -s``: the ratios (fastest over
fastest, through the ``timing`` fixture of ``conftest.py``) are printed and stored in each
benchmark's ``extra_info``.
"""

from __future__ import annotations

import numpy as np
from cmrbench.stats import auroc, bootstrap_ci, delong_ci
from sklearn.metrics import roc_auc_score

ROUNDS = 3


def labels_and_scores(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, rng.normal(size=n) + 0.8 * y


def test_delong_ci_vs_sklearn_roc_auc_on_a_million_studies(benchmark, timing) -> None:
    y, s = labels_and_scores(10**6)
    result = benchmark.pedantic(delong_ci, args=(y, s), rounds=ROUNDS, iterations=1)
    sklearn_s = timing.seconds(lambda: roc_auc_score(y, s), rounds=ROUNDS, stat="min")
    timing.report(benchmark, "delong_ci (AUROC + DeLong variance + CI) on 1e6 studies",
                  sklearn_s, "sklearn roc_auc_score (AUROC only)", stat="min")
    assert abs(result.auc - roc_auc_score(y, s)) < 1e-9


def test_bootstrap_auroc_2000_resamples_on_ten_thousand_studies(benchmark, timing) -> None:
    y, s = labels_and_scores(10**4)
    result = benchmark.pedantic(
        bootstrap_ci,
        args=(auroc, y, s),
        kwargs={"stratify": y, "n_resamples": 2000},
        rounds=ROUNDS,
        iterations=1,
    )
    # The same bootstrap through the generic one-resample-at-a-time path, for comparison.
    generic_s = timing.seconds(
        lambda: bootstrap_ci(lambda a, b: auroc(a, b), y, s, stratify=y, n_resamples=2000),
        rounds=1,
    )
    timing.report(benchmark, "bootstrap_ci(auroc) vectorised, 2000 resamples of 1e4 studies",
                  generic_s, "the generic one-resample-at-a-time path", stat="min")
    assert result.lower < result.estimate < result.upper
