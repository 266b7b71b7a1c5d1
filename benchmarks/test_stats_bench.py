"""Timings of the statistics package (pytest-benchmark); nothing here asserts a time.

Run with ``python -m pytest benchmarks/test_stats_bench.py -s``: the ratios are printed and
stored in each benchmark's ``extra_info``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from sklearn.metrics import roc_auc_score

from harness.stats import auroc, bootstrap_ci, delong_ci

ROUNDS = 3


def labels_and_scores(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, rng.normal(size=n) + 0.8 * y


def best_of(fn: Callable[[], object], rounds: int = ROUNDS) -> float:
    """Fastest of ``rounds`` wall-clock timings, in seconds."""
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return min(timings)


def test_delong_ci_vs_sklearn_roc_auc_on_a_million_studies(benchmark) -> None:
    y, s = labels_and_scores(10**6)
    result = benchmark.pedantic(delong_ci, args=(y, s), rounds=ROUNDS, iterations=1)
    sklearn_s = best_of(lambda: roc_auc_score(y, s))
    ratio = benchmark.stats.stats.min / sklearn_s
    benchmark.extra_info.update(
        {"sklearn_roc_auc_score_s": sklearn_s, "delong_ci_over_sklearn_roc_auc": ratio}
    )
    print(
        f"\ndelong_ci (AUROC + DeLong variance + CI) on 1e6 studies: "
        f"{benchmark.stats.stats.min:.3f} s; sklearn roc_auc_score (AUROC only): "
        f"{sklearn_s:.3f} s; ratio {ratio:.2f}"
    )
    assert abs(result.auc - roc_auc_score(y, s)) < 1e-9


def test_bootstrap_auroc_2000_resamples_on_ten_thousand_studies(benchmark) -> None:
    y, s = labels_and_scores(10**4)
    result = benchmark.pedantic(
        bootstrap_ci,
        args=(auroc, y, s),
        kwargs={"stratify": y, "n_resamples": 2000},
        rounds=ROUNDS,
        iterations=1,
    )
    # The same bootstrap through the generic one-resample-at-a-time path, for comparison.
    generic_s = best_of(
        lambda: bootstrap_ci(lambda a, b: auroc(a, b), y, s, stratify=y, n_resamples=2000),
        rounds=1,
    )
    ratio = benchmark.stats.stats.min / generic_s
    benchmark.extra_info.update({"generic_path_s": generic_s, "vectorised_over_generic": ratio})
    print(
        f"\nbootstrap_ci(auroc), 2000 resamples of 1e4 studies: "
        f"{benchmark.stats.stats.min:.3f} s vectorised, {generic_s:.3f} s one resample at a "
        f"time; ratio {ratio:.2f}"
    )
    assert result.lower < result.estimate < result.upper
