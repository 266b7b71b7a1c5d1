"""Rank a board's re-scored entries, benchmark by benchmark, without pretending to an order
the data cannot support.

- Each entry's number is the mean of its seeds' primary metric, with their spread.
- Entries are grouped: the best entry and every entry whose paired difference from it is not
  significant (paired patient bootstrap, Holm-adjusted across the comparisons, alpha 0.05)
  form group 1; the same step on the rest gives group 2, and so on.
- Each entry's paired p-value against the suite's baseline entry (raw and Holm-adjusted).

Paired tests need per-study predictions: entries of restricted benchmarks that were not
re-scored by their data holder are ranked by value alone, without a group or p-value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from cmrbench import stats
from cmrbench.leaderboard.paired import RESAMPLES, paired_bootstrap
from cmrbench.leaderboard.rerun import rerun_command
from cmrbench.leaderboard.resolved import Resolved
from cmrbench.leaderboard.verify import FLAGGED, Checked
from cmrbench.suites import Benchmark

ALPHA = 0.05


@dataclass
class Row:
    """One ranked entry of a benchmark."""

    checked: Checked
    values: list[float]
    lower: float | None
    upper: float | None
    metrics: dict[str, float]
    group: int | None = None
    p_baseline: float | None = None
    p_baseline_holm: float | None = None
    rank: int = 0

    @property
    def name(self) -> str:
        return self.checked.name

    @property
    def seeds(self) -> list[Any]:
        return [run.get("seed") for run in self.checked.runs]

    @property
    def mean(self) -> float:
        finite = [v for v in self.values if np.isfinite(v)]
        return float(np.mean(finite)) if finite else float("nan")

    @property
    def spread(self) -> float:
        """Standard deviation across seeds (ddof 1); NaN for one seed."""
        finite = [v for v in self.values if np.isfinite(v)]
        return float(np.std(finite, ddof=1)) if len(finite) > 1 else float("nan")

    @property
    def paired(self) -> bool:
        return bool(self.checked.tables)

    def cost(self) -> dict[str, Any]:
        """Mean device-hours and clips/s over the runs, and the largest peak memory."""
        costs = [run.get("cost") or {} for run in self.checked.runs]

        def mean(key: str) -> float | None:
            values = [c[key] for c in costs if isinstance(c.get(key), int | float)]
            return float(np.mean(values)) if values else None
        peaks = [c["peak_memory_bytes"] for c in costs
                 if isinstance(c.get("peak_memory_bytes"), int | float)]
        devices = sorted({str(c.get("device")) for c in costs if c.get("device")})
        return {"device": "/".join(devices) or None, "device_hours": mean("device_hours"),
                "peak_memory_bytes": max(peaks) if peaks else None,
                "clips_per_second": mean("train_videos_per_second")}

    def rerun(self) -> str | None:
        runs = self.checked.runs
        return rerun_command(runs[0].get("config")) if runs else None


@dataclass
class Ranked:
    """A benchmark's board: ranked rows, flagged entries, and what the tests could not do."""

    benchmark: Benchmark
    metrics: tuple[str, ...] = ()
    rows: list[Row] = field(default_factory=list)
    flagged: list[Checked] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> Row | None:
        return next((r for r in self.rows if r.name == self.benchmark.baseline), None)


def rank_benchmark(context: Resolved, checked: Sequence[Checked], *,
                   n_resamples: int = RESAMPLES) -> Ranked:
    """Rows of ``checked`` (this benchmark's entries) ranked, grouped and tested."""
    bench = context.benchmark
    ranked = Ranked(bench, context.spec.metrics,
                    flagged=[c for c in checked if c.status == FLAGGED])
    rows = [_row(c, bench.primary_metric) for c in checked if c.status != FLAGGED]
    sign = -1.0 if bench.higher_is_better else 1.0
    rows.sort(key=lambda r: (not np.isfinite(r.mean), sign * r.mean if np.isfinite(r.mean)
                             else 0.0, r.name))
    for position, row in enumerate(rows, start=1):
        row.rank = position
    ranked.rows = rows
    tested = [r for r in rows if r.paired and np.isfinite(r.mean)]
    if len(tested) < len(rows):
        ranked.notes.append("entries without per-study predictions here (restricted data, not "
                            "re-scored by the data holder) are ranked by value alone")
    _group(context, tested, n_resamples)
    _against_baseline(context, ranked, tested, n_resamples)
    return ranked


def _row(checked: Checked, primary: str) -> Row:
    metrics_by_run = [run.get("metrics") or {} for run in checked.runs]
    values = [_value(m.get(primary)) for m in metrics_by_run]
    first = metrics_by_run[0].get(primary) or {} if metrics_by_run else {}
    names = sorted({k for m in metrics_by_run for k in m if ":" not in k})
    means = {k: float(np.mean([_value(m.get(k)) for m in metrics_by_run])) for k in names}
    return Row(checked, values, first.get("lower"), first.get("upper"), means)


def _value(metric: Any) -> float:
    value = metric.get("value") if isinstance(metric, dict) else None
    return float(value) if isinstance(value, int | float) else float("nan")


def _p_primary(context: Resolved, a: Row, b: Row, n_resamples: int) -> float:
    result = paired_bootstrap(context.task, a.checked.tables, b.checked.tables,
                              [context.benchmark.primary_metric], n_resamples=n_resamples)
    return result[context.benchmark.primary_metric].p_value


def _group(context: Resolved, rows: list[Row], n_resamples: int) -> None:
    remaining, group = list(rows), 1
    while remaining:
        leader, others = remaining[0], remaining[1:]
        p = [_p_primary(context, other, leader, n_resamples) for other in others]
        holm = stats.holm(np.nan_to_num(p, nan=1.0)) if p else []
        members = [leader] + [o for o, h in zip(others, holm, strict=True) if h >= ALPHA]
        for row in members:
            row.group = group
        remaining = [r for r in remaining if r not in members]
        group += 1


def _against_baseline(context: Resolved, ranked: Ranked, rows: list[Row],
                      n_resamples: int) -> None:
    baseline = ranked.baseline
    if not ranked.rows:
        return
    if baseline is None or not baseline.paired:
        ranked.notes.append(f"baseline {context.benchmark.baseline!r} is not on this board "
                            "with per-study predictions: no p-values against it")
        return
    others = [r for r in rows if r is not baseline]
    p = [_p_primary(context, row, baseline, n_resamples) for row in others]
    holm = stats.holm(np.nan_to_num(p, nan=1.0)) if p else []
    for row, raw, adjusted in zip(others, p, holm, strict=True):
        row.p_baseline, row.p_baseline_holm = raw, float(adjusted)
