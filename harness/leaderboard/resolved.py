"""A suite's benchmark resolved against this installation: its task spec, card and task."""

from __future__ import annotations

from dataclasses import dataclass

from cmrbench.cards import DatasetCard
from cmrbench.leaderboard.errors import LeaderboardError
from cmrbench.registry import Registry, get_registry
from cmrbench.specs import TaskSpec
from cmrbench.suites import Benchmark, Suite
from cmrbench.task import Task


@dataclass(frozen=True)
class Resolved:
    """Everything needed to score predictions for one benchmark."""

    suite: Suite
    benchmark: Benchmark
    spec: TaskSpec
    card: DatasetCard
    task: Task


def resolve(suite: Suite, benchmark: str, registry: Registry | None = None) -> Resolved:
    """The benchmark named ``benchmark`` of ``suite``, ready to score; a pending benchmark
    (its task not registered yet) is refused with the reason."""
    registry = registry or get_registry()
    chosen = suite.benchmark(benchmark)
    if chosen.pending:
        raise LeaderboardError(f"benchmark {benchmark!r} of suite {suite.name!r} accepts no "
                               f"entry yet: {chosen.pending}")
    spec = registry.task(chosen.task)
    card = suite.cards[chosen.dataset]
    return Resolved(suite, chosen, spec, card, spec.build(card, **chosen.task_options))
