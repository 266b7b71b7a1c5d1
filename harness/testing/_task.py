"""Task conformance: the contract of :mod:`cmrbench.task`, checked on example labels."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from cmrbench.cards import DatasetCard
from cmrbench.predictions import build_table, problems
from cmrbench.specs import TaskSpec
from cmrbench.task import Metric, target_matrix
from cmrbench.testing._errors import ConformanceError

MEMBERS = ("target_names", "attention", "layernorm", "defaults", "targets", "fit", "head",
           "loss", "predictions", "metrics")


def check_task(spec: TaskSpec, card: DatasetCard, labels: Sequence[Mapping[str, Any]], *,
               options: Mapping[str, Any] | None = None, dim: int = 16, seed: int = 0,
               reference: Callable[[pd.DataFrame], Mapping[str, float]] | None = None,
               ) -> Any:
    """Build ``spec``'s task for ``card`` and check it on studies with these ``labels``.

    - the task has every member of the contract; targets are None or one number per target;
    - ``fit`` accepts the training targets; the head maps pooled [B, branches, dim] to outputs
      that ``predictions`` turns into finite columns of length B;
    - the loss is a finite scalar that sends a gradient to every head parameter;
    - ``metrics`` reports the spec's primary metric and every declared metric as a
      :class:`Metric`, from the predictions table alone: shuffling its rows changes nothing;
    - with ``reference`` (a function of the table giving {metric: value}, e.g. computed with
      scikit-learn), each of its values equals the task's.

    Returns the built task.
    """
    who = f"task {spec.name!r}"
    task = spec.build(card, **dict(options or {}))
    absent = [m for m in MEMBERS if not hasattr(task, m)]
    if absent:
        raise ConformanceError(f"{who}: build() returned {type(task).__name__} lacking {absent}; "
                               "subclass cmrbench.task.Task or provide these members")
    targets, usable = target_matrix(task, list(labels))
    if not usable.any():
        raise ConformanceError(f"{who}: targets() gave None for every example study; pass "
                               "labels the task can use")
    task.fit(targets)
    torch.manual_seed(seed)
    head = task.head(dim)
    pooled = torch.randn(len(targets), len(task.attention), dim)
    outputs = head(pooled)
    if outputs.ndim != 2 or outputs.shape[0] != len(targets):
        raise ConformanceError(f"{who}: head returned shape {tuple(outputs.shape)} for pooled "
                               f"{tuple(pooled.shape)}; expected [batch, n_outputs]")
    _check_loss(who, task, head, outputs, torch.from_numpy(targets))
    table = _table(task, targets, outputs.detach().numpy())
    found = problems(table)
    if found:
        raise ConformanceError(f"{who}: its predictions do not make a valid predictions table: "
                               + "; ".join(found))
    metrics = _check_metrics(who, spec, task, table, seed)
    if reference is not None:
        for name, expected in reference(table).items():
            got = metrics[name].value if name in metrics else None
            if got is None or not np.isclose(got, expected, rtol=1e-9, atol=1e-12,
                                             equal_nan=True):
                raise ConformanceError(f"{who}: metric {name!r} is {got}, the reference gives "
                                       f"{expected}")
    return task


def _check_loss(who: str, task: Any, head: torch.nn.Module, outputs: torch.Tensor,
                targets: torch.Tensor) -> None:
    loss = task.loss(outputs, targets)
    if not isinstance(loss, torch.Tensor) or loss.ndim != 0 or not torch.isfinite(loss):
        raise ConformanceError(f"{who}: loss() must return a finite scalar tensor, got {loss!r}")
    loss.backward()
    dead = [n for n, p in head.named_parameters() if p.requires_grad and p.grad is None]
    if dead:
        raise ConformanceError(f"{who}: head parameters {dead} get no gradient from the loss")


def _table(task: Any, targets: np.ndarray, outputs: np.ndarray) -> pd.DataFrame:
    n = len(targets)
    ids = {"study_id": [f"s{i:04d}" for i in range(n)],
           "patient_id": [f"p{i // 2:04d}" for i in range(n)], "split": ["test"] * n}
    truth = {name: targets[:, i] for i, name in enumerate(task.target_names)}
    columns = task.predictions(outputs)
    bad = {k: np.shape(v) for k, v in columns.items() if np.shape(v) != (n,)}
    if bad:
        raise ConformanceError(f"task {task.name!r}: predictions() columns must each hold one "
                               f"value per study ({n}); got shapes {bad}")
    return build_table(ids, truth, columns)


def _check_metrics(who: str, spec: TaskSpec, task: Any, table: pd.DataFrame,
                   seed: int) -> dict[str, Metric]:
    metrics = task.metrics(table)
    wanted = {spec.primary_metric, *spec.metrics}
    missing = sorted(wanted - set(metrics))
    if missing:
        raise ConformanceError(f"{who}: metrics() lacks declared metric(s) {missing}")
    wrong = sorted(n for n, m in metrics.items() if not isinstance(m, Metric))
    if wrong:
        raise ConformanceError(f"{who}: metrics {wrong} are not cmrbench.task.Metric values")
    shuffled = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    again = task.metrics(shuffled)
    moved = sorted(n for n in metrics if not np.isclose(metrics[n].value, again[n].value,
                                                        equal_nan=True))
    if moved:
        raise ConformanceError(f"{who}: metrics {moved} change when the table's rows are "
                               "shuffled; compute them from the columns, not the row order")
    return metrics
