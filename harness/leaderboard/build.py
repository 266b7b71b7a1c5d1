"""Assemble a suite's board: verify every entry, rank each benchmark, draw its figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cmrbench.leaderboard.figures import (
    bland_altman_figure,
    label_efficiency_figure,
    roc_figure,
    subgroup_figure,
)
from cmrbench.leaderboard.paired import RESAMPLES
from cmrbench.leaderboard.ranking import Ranked, rank_benchmark
from cmrbench.leaderboard.resolved import resolve
from cmrbench.leaderboard.verify import Checked, verify_board
from cmrbench.registry import Registry, get_registry
from cmrbench.suites import Suite
from cmrbench.task import Task


@dataclass(frozen=True)
class Figure:
    svg: str
    caption: str


@dataclass
class Assembled:
    """Everything a rendering shows."""

    suite: Suite
    ranked: dict[str, Ranked]
    figures: dict[str, list[Figure]] = field(default_factory=dict)
    curves: list[Figure] = field(default_factory=list)
    stray: list[Checked] = field(default_factory=list)
    resamples: int = RESAMPLES

    @property
    def flagged(self) -> list[Checked]:
        return [c for r in self.ranked.values() for c in r.flagged] + self.stray


def assemble(suite: Suite, board: Path | None = None, *,
             stores: Mapping[str, Path] | None = None, private: Path | None = None,
             registry: Registry | None = None, n_resamples: int = RESAMPLES,
             figures: bool = True) -> Assembled:
    """Verify, rank and (with ``figures``) draw every benchmark of ``suite``."""
    registry = registry or get_registry()
    checked = verify_board(suite, board, stores=stores, private=private, registry=registry)
    result = Assembled(suite, {}, stray=[c for c in checked if c.benchmark is None],
                       resamples=n_resamples)
    for name, bench in suite.benchmarks.items():
        mine = [c for c in checked if c.benchmark == name]
        if bench.pending:
            result.ranked[name] = Ranked(bench, flagged=mine)  # verify flagged each: no task
            continue
        context = resolve(suite, name, registry)
        result.ranked[name] = rank_benchmark(context, mine, n_resamples=n_resamples)
        if figures:
            result.figures[name] = _figures(context.task, result.ranked[name], name)
    if figures:
        result.curves = _curves(suite, result.ranked)
    return result


def _figures(task: Task, ranked: Ranked, salt: str) -> list[Figure]:
    drawn = [(roc_figure(task, ranked, f"{salt}-roc"),
              "ROC curves of each binary outcome (first seed of each entry; AUROC in brackets)."),
             (bland_altman_figure(task, ranked, f"{salt}-ba"),
              "Bland-Altman: prediction minus truth against their mean; bias and 95 % limits "
              "of agreement (first seed)."),
             (subgroup_figure(ranked, f"{salt}-sub"),
              f"{ranked.benchmark.primary_metric} within each subgroup of the store's labels "
              "(first seed, point estimates).")]
    return [Figure(svg, caption) for svg, caption in drawn if svg]


def _curves(suite: Suite, ranked: dict[str, Ranked]) -> list[Figure]:
    seen: set[str] = set()
    out = []
    for name, bench in suite.benchmarks.items():
        if name in seen or bench.pending:
            continue
        family = [r for n, r in ranked.items() if not suite.benchmarks[n].pending
                  and suite.benchmarks[n].same_but_fraction(bench)]
        seen.update(r.benchmark.name for r in family)
        if len({r.benchmark.fraction for r in family}) < 2:
            continue
        svg = label_efficiency_figure(family, f"curve-{name}")
        if svg:
            names = ", ".join(r.benchmark.name for r in family)
            out.append(Figure(svg, f"{bench.primary_metric} against the fraction of training "
                                   f"patients ({names}); error bars: SD across seeds."))
    return out
