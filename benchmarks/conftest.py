"""The one wall-clock timing helper of the benchmark suite, as the ``timing`` fixture.

Pytest runs with ``--import-mode=importlib``, so benchmark modules cannot import each other
or this file; they ask for the fixture instead:

- ``timing.seconds(fn, rounds=5, warmup=0, stat="median")``: times ``fn()`` ``rounds`` times
  with ``time.perf_counter`` after ``warmup`` untimed calls and returns the median (or, with
  ``stat="min"``, the fastest) in seconds: a raw baseline timed in the same run as the
  benchmark it is compared with.
- ``timing.report(benchmark, name, baseline_s, baseline_name, stat="median")``: the
  benchmark's ``stat`` over the baseline, stored in ``benchmark.extra_info`` (``baseline``,
  ``baseline_ms``, ``ratio_to_baseline``, ``stat``), printed as one line
  ``NAME: X ms, R.RRx BASELINE (Y ms)`` and returned. With ``--benchmark-disable`` there are
  no statistics: nothing is reported and the ratio is NaN.
- ``timing.interleaved(candidates, rounds, seed=0)``: each of ``candidates`` (name -> fn)
  timed once per round, in a freshly shuffled order every round, so a machine that gets
  busier or quieter mid-run slows every candidate alike; returns name -> per-round seconds.
- ``timing.ratios(times, candidate, baseline)``: the per-round ratios of two interleaved
  candidates, summarised as (min, median).

Nothing here asserts a time.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable
from typing import Literal

import pytest

Stat = Literal["median", "min"]
_STATS: dict[str, Callable[[list[float]], float]] = {"median": statistics.median, "min": min}


class Timing:
    """Wall-clock timings of raw baselines and their ratios to pytest-benchmark results."""

    @staticmethod
    def seconds(fn: Callable[[], object], rounds: int = 5, warmup: int = 0,
                stat: Stat = "median") -> float:
        if rounds < 1:
            raise ValueError(f"rounds must be at least 1, got {rounds}")
        summarise = _STATS[stat]
        for _ in range(warmup):
            fn()
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return summarise(times)

    @staticmethod
    def report(benchmark, name: str, baseline_s: float, baseline_name: str,
               stat: Stat = "median") -> float:
        if benchmark.disabled:
            return math.nan
        measured_s = getattr(benchmark.stats.stats, stat)
        ratio = measured_s / baseline_s
        benchmark.extra_info.update({"baseline": baseline_name, "baseline_ms": baseline_s * 1e3,
                                     "ratio_to_baseline": ratio, "stat": stat})
        print(f"\n{name}: {measured_s * 1e3:.2f} ms, {ratio:.2f}x {baseline_name} "
              f"({baseline_s * 1e3:.2f} ms)")
        return ratio


    @staticmethod
    def interleaved(candidates: dict[str, Callable[[], object]], rounds: int,
                    seed: int = 0) -> dict[str, list[float]]:
        order = list(candidates)
        shuffle = random.Random(seed).shuffle
        times: dict[str, list[float]] = {name: [] for name in order}
        for _ in range(rounds):
            shuffle(order)
            for name in order:
                start = time.perf_counter()
                candidates[name]()
                times[name].append(time.perf_counter() - start)
        return times

    @staticmethod
    def ratios(times: dict[str, list[float]], candidate: str, baseline: str
               ) -> tuple[float, float]:
        per_round = [a / b for a, b in zip(times[candidate], times[baseline], strict=True)]
        return min(per_round), statistics.median(per_round)


@pytest.fixture(scope="session")
def timing() -> Timing:
    return Timing()
