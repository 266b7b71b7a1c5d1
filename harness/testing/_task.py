"""Task conformance: the contract of :mod:`cmrbench.task`, checked on example labels."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from cmrbench.cards import DatasetCard
from cmrbench.predictions import PRED, build_table, problems
from cmrbench.registry import Entry
from cmrbench.specs import TaskSpec
from cmrbench.task import Metric, ZeroShotInputs, target_matrix
from cmrbench.testing._subject import Subject, resolve

MEMBERS = ("target_names", "attention", "layernorm", "defaults", "targets", "fit", "head",
           "loss", "predictions", "metrics", "details", "probability_columns", "scores",
           "estimates")
TRAINING = ("linear", "finetune", "transfer")
TRAINING_MEMBERS = ("attention", "layernorm", "head", "loss")  # what only training needs


def check_task(task: str | Entry | TaskSpec, card: DatasetCard,
               labels: Sequence[Mapping[str, Any]], *, options: Mapping[str, Any] | None = None,
               dim: int = 16, seed: int = 0,
               reference: Callable[[pd.DataFrame], Mapping[str, float]] | None = None) -> Any:
    """Build a task (a name, a registry entry or a spec) for ``card`` and check it on studies
    with these ``labels``:

    - the task has every member of the contract; targets are None or one number per target;
    - ``fit`` accepts the training targets; the head maps pooled [B, branches, dim] to outputs
      that ``predictions`` turns into columns of one finite value per study;
    - the loss is a finite scalar that sends a gradient to every head parameter;
    - for a task that declares the ``zeroshot`` protocol (and needs no head or loss unless it
      declares a training protocol too): ``zero_shot`` returns one finite row per study, each
      computed from that study's own videos and report (presenting the studies in another
      order reorders the rows), with random unit video embeddings and a deterministic
      stand-in text encoder;
    - the declared probability columns exist and hold values in [0, 1]; ``scores`` gives
      binary truths with finite scores, ``estimates`` finite (truth, prediction) pairs, one
      per study (what leaderboards draw ROC and Bland-Altman plots from);
    - ``metrics`` reports the spec's primary metric and every declared metric as a
      :class:`~cmrbench.task.Metric`, from the predictions table alone: shuffling its rows
      changes nothing;
    - with ``reference`` (a function of the table giving {metric: value}, e.g. computed with
      scikit-learn), each of its values equals the task's.

    Returns the built task.
    """
    subject = resolve("task", task)
    spec: TaskSpec = subject.spec  # type: ignore[assignment]
    built = spec.build(card, **dict(options or {}))
    trains = any(protocol in TRAINING for protocol in spec.protocols)
    required = [m for m in MEMBERS if trains or m not in TRAINING_MEMBERS]
    required += ["zero_shot"] if "zeroshot" in spec.protocols else []
    absent = [m for m in required if not hasattr(built, m)]
    if absent:
        subject.fail(f"build() returned {type(built).__name__}, which lacks {absent}",
                     "subclass cmrbench.task.Task or provide these members")
    targets, usable = target_matrix(built, list(labels))
    if not usable.any():
        subject.fail("targets() gave None for every example study",
                     "pass example labels the task can use, or fix targets()")
    built.fit(targets)
    outputs = None
    if trains:
        outputs = _check_head(subject, built, targets, dim, seed)
    if "zeroshot" in spec.protocols:
        outputs = _check_zero_shot(subject, built, len(targets), dim, seed)
    if outputs is None:
        subject.fail(f"declares protocols {list(spec.protocols)}, none of which check_task "
                     "can exercise", f"declare one of {[*TRAINING, 'zeroshot']}")
    table = _table(subject, built, targets, outputs)
    _check_board_views(subject, built, table)
    metrics = _check_metrics(subject, built, table, seed)
    for name, expected in (reference(table) if reference else {}).items():
        got = metrics[name].value if name in metrics else None
        if got is None or not np.isclose(got, expected, rtol=1e-9, atol=1e-12, equal_nan=True):
            subject.fail(f"metric {name!r} is {got}, the reference gives {expected}",
                         "compute the metric as the reference does")
    return built


def _check_head(subject: Subject, task: Any, targets: np.ndarray, dim: int,
                seed: int) -> np.ndarray:
    torch.manual_seed(seed)
    head = task.head(dim)
    pooled = torch.randn(len(targets), len(task.attention), dim)
    outputs = head(pooled)
    if outputs.ndim != 2 or outputs.shape[0] != len(targets):
        subject.fail(f"head returned shape {tuple(outputs.shape)} for pooled "
                     f"{tuple(pooled.shape)}", "return raw outputs [batch, n_outputs]")
    _check_loss(subject, task, head, outputs, torch.from_numpy(targets))
    return outputs.detach().numpy()


def stand_in_text(dim: int) -> Callable[[Sequence[str]], np.ndarray]:
    """A deterministic stand-in text encoder: each text's unit vector seeded by its sha256."""
    def embed(texts: Sequence[str]) -> np.ndarray:
        rows = [np.random.default_rng(int.from_bytes(
            hashlib.sha256(text.encode()).digest()[:8], "big")).standard_normal(dim)
            for text in texts]
        vectors = np.array(rows, dtype=np.float32).reshape(len(rows), dim)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
    return embed


def zero_shot_inputs(n: int, dim: int, seed: int) -> ZeroShotInputs:
    """``n`` studies with 1-3 random unit video embeddings each and a three-sentence report."""
    rng = np.random.default_rng(seed)
    videos = [rng.standard_normal((1 + i % 3, dim)).astype(np.float32) for i in range(n)]
    return ZeroShotInputs(
        study_ids=[f"s{i:04d}" for i in range(n)], patient_ids=[f"p{i // 2:04d}" for i in range(n)],
        videos=[v / np.linalg.norm(v, axis=1, keepdims=True) for v in videos],
        video_names=[[f"SAX/{k}" for k in range(len(v))] for v in videos],
        reports=[f"LVEF is {30 + i}%. Study number {i}. Normal RV." for i in range(n)],
        embed_text=stand_in_text(dim), sentences=2)


def _check_zero_shot(subject: Subject, task: Any, n: int, dim: int, seed: int) -> np.ndarray:
    inputs = zero_shot_inputs(n, dim, seed)
    outputs = np.asarray(task.zero_shot(inputs), dtype=np.float64)
    if outputs.ndim != 2 or len(outputs) != n or not np.isfinite(outputs).all():
        subject.fail(f"zero_shot returned shape {outputs.shape} (finite: "
                     f"{bool(np.isfinite(outputs).all())}) for {n} studies",
                     "return finite raw outputs [studies, n_outputs], one row per study")
    order = np.random.default_rng(seed).permutation(n)
    fields = ("study_ids", "patient_ids", "videos", "video_names", "reports")
    shuffled = ZeroShotInputs(**{name: [getattr(inputs, name)[i] for i in order]
                                 for name in fields},
                              embed_text=inputs.embed_text, sentences=inputs.sentences)
    again = np.asarray(task.zero_shot(shuffled), dtype=np.float64)
    if again.shape != outputs.shape or not np.allclose(again, outputs[order], atol=1e-6):
        subject.fail("zero_shot's row for a study changes when the studies come in another "
                     "order", "compute each study's outputs from its own videos and report")
    return outputs


def _check_loss(subject: Subject, task: Any, head: torch.nn.Module, outputs: torch.Tensor,
                targets: torch.Tensor) -> None:
    loss = task.loss(outputs, targets)
    if not isinstance(loss, torch.Tensor) or loss.ndim != 0 or not torch.isfinite(loss):
        subject.fail(f"loss() returned {loss!r}", "return a finite scalar tensor")
    loss.backward()
    dead = [n for n, p in head.named_parameters() if p.requires_grad and p.grad is None]
    if dead:
        subject.fail(f"head parameters {dead} get no gradient from the loss",
                     "use every head parameter in the outputs the loss sees, or freeze it")


def _table(subject: Subject, task: Any, targets: np.ndarray, outputs: np.ndarray
           ) -> pd.DataFrame:
    n = len(targets)
    ids = {"study_id": [f"s{i:04d}" for i in range(n)],
           "patient_id": [f"p{i // 2:04d}" for i in range(n)], "split": ["test"] * n}
    truth = {name: targets[:, i] for i, name in enumerate(task.target_names)}
    columns = task.predictions(outputs)
    bad = {k: np.shape(v) for k, v in columns.items() if np.shape(v) != (n,)}
    if bad:
        subject.fail(f"predictions() columns have shapes {bad} for {n} studies",
                     "return one value per study in every column")
    table = build_table(ids, truth, columns)
    found = problems(table)
    if found:
        subject.fail("its predictions make no valid predictions table: " + "; ".join(found),
                     "return finite values (see cmrbench.predictions)")
    return table


def _check_board_views(subject: Subject, task: Any, table: pd.DataFrame) -> None:
    """What leaderboards read besides the metrics: probabilities, scores and estimates."""
    for name in task.probability_columns():
        column = PRED + name
        if column not in table.columns:
            subject.fail(f"probability column {name!r} is not among its predictions",
                         "declare only columns predictions() returns")
        values = table[column].to_numpy(float)
        if ((values < 0) | (values > 1)).any():
            subject.fail(f"probability column {name!r} has values outside [0, 1]",
                         "return probabilities there (e.g. a sigmoid or softmax)")
    n = len(table)
    for kind, pairs in (("scores", task.scores(table)), ("estimates", task.estimates(table))):
        for name, (truth, value) in pairs.items():
            if np.shape(truth) != (n,) or np.shape(value) != (n,) or not np.isfinite(
                    np.asarray(value, float)).all():
                subject.fail(f"{kind}()[{name!r}] is not one finite (truth, value) per study",
                             f"return arrays of length {n}")
            if kind == "scores" and not np.isin(np.asarray(truth), (0, 1, True, False)).all():
                subject.fail(f"scores()[{name!r}] truth is not binary",
                             "return the outcome as booleans")


def _check_metrics(subject: Subject, task: Any, table: pd.DataFrame,
                   seed: int) -> dict[str, Metric]:
    spec: TaskSpec = subject.spec  # type: ignore[assignment]
    metrics = task.metrics(table)
    missing = sorted({spec.primary_metric, *spec.metrics} - set(metrics))
    if missing:
        subject.fail(f"metrics() lacks the declared metric(s) {missing}",
                     "compute every metric TaskSpec.metrics names, or declare fewer")
    wrong = sorted(n for n, m in metrics.items() if not isinstance(m, Metric))
    if wrong:
        subject.fail(f"metrics {wrong} are not Metric values", "wrap each in cmrbench.task.Metric")
    shuffled = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    again = task.metrics(shuffled)
    moved = sorted(n for n in metrics
                   if not np.isclose(metrics[n].value, again[n].value, equal_nan=True))
    if moved:
        subject.fail(f"metrics {moved} change when the table's rows are shuffled",
                     "compute metrics from the columns, never from the row order")
    return metrics
