"""The task contract: what ``TaskSpec.build(card, **options)`` returns.

A task is small and knows no training loop. It says

- which studies it can use and what their targets are (:meth:`Task.targets`; ``None`` for a
  study that lacks them, which the runner then leaves out and counts);
- how a study's bag of video embeddings is pooled: the names of its attention branches
  (:attr:`Task.attention`; one branch per label gives each label its own view weighting, as the
  reference's one-model-per-label did) and whether each embedding is layer-normalised first
  (:attr:`Task.layernorm`; the reference does so for classification);
- its head (pooled ``[B, branches, D]`` -> raw outputs ``[B, n_outputs]``) and its loss;
- how raw outputs become prediction columns (:meth:`Task.predictions`);
- its metrics, computed from the predictions table alone (:meth:`Task.metrics`), so that a
  leaderboard recomputes every number from a predictions file with the same code;
- what a leaderboard checks and draws beyond the metrics: which prediction columns are
  probabilities (:meth:`Task.probability_columns`), the binary outcomes and scores of its ROC
  curves and paired DeLong tests (:meth:`Task.scores`) and the continuous targets and
  predictions of its Bland-Altman plots (:meth:`Task.estimates`).

A task that declares the ``zeroshot`` protocol trains nothing: the runner embeds the test
studies' videos with the (pretrained) video encoder and hands them, with a text encoder and the
studies' reports, to :meth:`Task.zero_shot` (see :class:`ZeroShotInputs`), whose raw outputs
become prediction columns through :meth:`Task.predictions` as in every other mode. Such a task
needs no head or loss. A task that compares studies with their own reports sets
:attr:`Task.needs_report`, and studies without a report are left out like studies without
targets (so a leaderboard chooses the same test studies).

Statistics a task needs from the training targets (positive weights, target scaling) are
computed by :meth:`Task.fit` before the head is built; the runner calls it in every process
from the same deterministic training set and records what it returns in ``result.json``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from cmrbench.data.views import VIEW_POLICIES
from cmrbench.predictions import PRED, TRUTH

if TYPE_CHECKING:  # listing tasks must not import torch (see plugins/tasks)
    import torch
    from torch import nn


@dataclass(frozen=True)
class Metric:
    """One number of a result, with its confidence interval where one is defined.

    ``method`` says how the interval was computed ('delong', 'bootstrap-by-patient', ...),
    ``n`` how many studies the number rests on.
    """

    value: float
    lower: float | None = None
    upper: float | None = None
    method: str = ""
    n: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with non-finite numbers as None (JSON has no NaN)."""
        def clean(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else float(x)
        return {"value": clean(self.value), "lower": clean(self.lower),
                "upper": clean(self.upper), "method": self.method, "n": int(self.n)}


@dataclass(frozen=True)
class TrainingDefaults:
    """A task's reference hyper-parameters (SPEC §4); every one can be overridden per run."""

    lr: float = 1e-4
    weight_decay: float = 0.01
    max_steps: int = -1
    max_epochs: int | None = None
    batch_size: int = 8
    views: str = "reference"
    eval_views: str = "reference"

    def __post_init__(self) -> None:
        for name in ("views", "eval_views"):
            if getattr(self, name) not in VIEW_POLICIES:
                raise ValueError(f"TrainingDefaults.{name}: {getattr(self, name)!r} is not a "
                                 f"view policy; choose one of {list(VIEW_POLICIES)}")


class TaskError(ValueError):
    """A task cannot run as asked (unknown label, no usable study); the message says why."""


@dataclass(frozen=True)
class ZeroShotInputs:
    """What the zeroshot mode gives :meth:`Task.zero_shot`, for the test studies in order.

    - ``videos[i]``: study i's video embeddings [K_i, D] (the video encoder's L2-normalised
      output for the videos the evaluation view policy selects), named in ``video_names[i]``
      ("VIEW/slice");
    - ``reports[i]``: the store's report of study i (None where it has none);
    - ``embed_text(texts)``: the text encoder's L2-normalised embeddings [len(texts), D];
    - ``sentences``: how many report sentences the text encoder reads at once (its
      ``TextInput.sentences``: what pretraining paired with each video).
    """

    study_ids: list[str]
    patient_ids: list[str]
    videos: list[np.ndarray]
    video_names: list[list[str]]
    reports: list[str | None]
    embed_text: Callable[[Sequence[str]], np.ndarray]
    sentences: int


@dataclass
class Task:
    """Base class of the built-in tasks; a plugin may subclass it or provide the same members.

    Subclasses set ``target_names`` and implement :meth:`targets`, :meth:`head`, :meth:`loss`,
    :meth:`predictions` and :meth:`metrics`.
    """

    name: str
    target_names: tuple[str, ...]
    attention: tuple[str, ...] = ("study",)
    layernorm: bool = False
    defaults: TrainingDefaults = field(default_factory=TrainingDefaults)
    stats: dict[str, Any] = field(default_factory=dict)
    needs_report: bool = False

    def targets(self, labels: Mapping[str, Any]) -> list[float] | None:
        """This study's targets in ``target_names`` order, or None if it lacks any."""
        raise NotImplementedError

    def fit(self, train_targets: np.ndarray) -> dict[str, Any]:
        """Statistics of the training targets [n, len(target_names)] the task needs later."""
        self.stats = {}
        return self.stats

    def head(self, in_dim: int) -> nn.Module:
        """A module mapping pooled embeddings [B, len(attention), in_dim] to raw outputs."""
        raise NotImplementedError

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """A scalar loss of raw ``outputs`` against ``targets`` [B, len(target_names)]."""
        raise NotImplementedError

    def predictions(self, outputs: np.ndarray) -> dict[str, np.ndarray]:
        """Raw outputs [n, n_outputs] -> named prediction columns (without the 'pred:' prefix)."""
        raise NotImplementedError

    def metrics(self, table: pd.DataFrame) -> dict[str, Metric]:
        """Every metric of the task from a predictions table (see :mod:`cmrbench.predictions`)."""
        raise NotImplementedError

    def zero_shot(self, inputs: ZeroShotInputs) -> np.ndarray:
        """Raw outputs [n_studies, n_outputs] for the zeroshot mode, one row per study of
        ``inputs`` in order (what :meth:`predictions` turns into columns). Required of a task
        that declares the ``zeroshot`` protocol; never called otherwise."""
        raise NotImplementedError

    def details(self, table: pd.DataFrame) -> dict[str, Any]:
        """JSON-ready extras beyond the metrics (confusion matrix, operating points, ...).
        ``details["chance"]`` ({metric: value}), where a task states it, is printed beside
        each metric."""
        return {}

    def probability_columns(self) -> tuple[str, ...]:
        """Prediction columns (without 'pred:') that are probabilities: a leaderboard refuses
        a value outside [0, 1] in them. None by default."""
        return ()

    def scores(self, table: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per binary outcome, (truth as bool, score ranking it): what ROC curves and paired
        DeLong tests read. By default each probability column with a truth column of the same
        name."""
        return {name: (table[TRUTH + name].to_numpy(float) > 0.5,
                       table[PRED + name].to_numpy(float))
                for name in self.probability_columns() if TRUTH + name in table.columns}

    def estimates(self, table: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per continuous target, (truth, prediction) in natural units: what Bland-Altman plots
        read. By default each target with a prediction column of the same name that is not a
        probability."""
        return {name: (table[TRUTH + name].to_numpy(float), table[PRED + name].to_numpy(float))
                for name in self.target_names
                if PRED + name in table.columns and name not in self.probability_columns()}


def target_matrix(task: Task, labels: list[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Targets of many studies: (float32 [n_usable, n_targets], bool mask of usable studies)."""
    rows = [task.targets(item) for item in labels]
    usable = np.array([row is not None for row in rows], dtype=bool)
    kept = [row for row in rows if row is not None]
    return np.array(kept, dtype=np.float32).reshape(len(kept), len(task.target_names)), usable
