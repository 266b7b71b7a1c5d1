"""Zero-shot prediction from a video-text model (SPEC §6, EchoCLIP's protocol): nothing trains.

``zeroshot``: a continuous value by prompt ranking. Every template (e.g. "LV EJECTION FRACTION
IS {value}%.") is filled with every candidate value (0..100 for LVEF) and embedded by the text
encoder. For each video of a study the candidates are ranked by cosine similarity, each rank
position's value is averaged over the study's videos, and the prediction is the median of the
values at the top ``top_fraction`` (20 %) of rank positions, as EchoCLIP does over the frames
of a video. Options: ``target`` (a continuous label of the card; default ``lvef``),
``templates`` (each with ``{value}``; LVEF has EchoCLIP's two by default), ``values``
(``[first, last, step]`` or a list; LVEF: 0 to 100) and ``top_fraction``. Scored like a
regression: MAE (primary), MSE, RMSE, Pearson and Spearman correlation, Bland-Altman.

``zeroshot-finding``: a binary finding by similarity to prompts. The score of a study is the
mean over its videos of the mean cosine similarity to the ``positive`` prompts, less that to
the ``negative`` prompts when there are any. Options: ``target`` (a binary label of the card),
``positive`` and ``negative`` (lists of prompts; defaults for common findings). Scored by
AUROC with its DeLong interval, and the operating points of SPEC §5.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from cmrbench import TaskSpec, hookimpl
from cmrbench.cards import DatasetCard
from cmrbench.plugins.tasks._labels import flag, number
from cmrbench.plugins.tasks.retrieval import normalised
from cmrbench.predictions import PRED, TRUTH
from cmrbench.scoring import auroc, bootstrapped, operating_points, regression
from cmrbench.stats import pearson_r
from cmrbench.task import Metric, Task, TaskError, TrainingDefaults, ZeroShotInputs
from scipy.stats import rankdata

VALUE, FINDING = "zeroshot", "zeroshot-finding"
TOP_FRACTION = 0.2  # EchoCLIP: the median of the top 20 % of ranked candidates
PLACEHOLDER = "{value}"
DEFAULT_TEMPLATES = {
    # EchoCLIP's two ejection-fraction templates (echonet/echo_CLIP, utils.zero_shot_prompts)
    "lvef": ("THE LEFT VENTRICULAR EJECTION FRACTION IS ESTIMATED TO BE {value}%.",
             "LV EJECTION FRACTION IS {value}%."),
}
DEFAULT_VALUES = {"lvef": (0.0, 100.0, 1.0)}
DEFAULT_PROMPTS = {
    "lv_dilation": (("THE LEFT VENTRICLE IS DILATED.", "DILATED LEFT VENTRICLE."),
                    ("THE LEFT VENTRICLE IS NORMAL IN SIZE.", "NORMAL LEFT VENTRICULAR SIZE.")),
    "rv_dilation": (("THE RIGHT VENTRICLE IS DILATED.", "DILATED RIGHT VENTRICLE."),
                    ("THE RIGHT VENTRICLE IS NORMAL IN SIZE.",
                     "NORMAL RIGHT VENTRICULAR SIZE.")),
    "lv_hypertrophy": (("LEFT VENTRICULAR HYPERTROPHY.", "THE LEFT VENTRICULAR WALL IS "
                                                          "THICKENED."),
                       ("NO LEFT VENTRICULAR HYPERTROPHY.", "NORMAL LEFT VENTRICULAR WALL "
                                                             "THICKNESS.")),
    "la_dilation": (("THE LEFT ATRIUM IS DILATED.",), ("THE LEFT ATRIUM IS NORMAL IN SIZE.",)),
    "ra_dilation": (("THE RIGHT ATRIUM IS DILATED.",),
                    ("THE RIGHT ATRIUM IS NORMAL IN SIZE.",)),
    "pericardial_effusion": (("PERICARDIAL EFFUSION.",), ("NO PERICARDIAL EFFUSION.",)),
}


def spearman_r(truth: np.ndarray, pred: np.ndarray) -> float:
    """Spearman's rank correlation: Pearson's r of the mid-ranks."""
    return pearson_r(rankdata(truth), rankdata(pred))


def ranked_value(similarity: np.ndarray, values: np.ndarray, top_fraction: float) -> float:
    """EchoCLIP's prediction from similarities [videos, candidates] to candidates of
    ``values``: per video the candidates' values in descending order of similarity, averaged
    over videos rank by rank, and the median of the first ``top_fraction`` of ranks (the
    lower of the two middle values for an even count, as its ``torch.median``)."""
    order = np.argsort(-similarity, axis=1, kind="stable")
    by_rank = values[order].mean(axis=0)
    top = np.sort(by_rank[:max(1, int(len(values) * top_fraction))])
    return float(top[(len(top) - 1) // 2])


@dataclass
class ValueTask(Task):
    """A continuous label predicted by ranking filled-in prompts."""

    templates: tuple[str, ...] = ()
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    top_fraction: float = TOP_FRACTION

    @property
    def target(self) -> str:
        return self.target_names[0]

    def targets(self, labels: Mapping[str, Any]) -> list[float] | None:
        value = number(labels, self.target)
        return None if value is None else [value]

    def prompts(self) -> tuple[list[str], np.ndarray]:
        """Every template filled with every value, and each prompt's value."""
        texts = [t.replace(PLACEHOLDER, _format(v)) for t in self.templates for v in self.values]
        return texts, np.tile(self.values, len(self.templates))

    def zero_shot(self, inputs: ZeroShotInputs) -> np.ndarray:
        texts, values = self.prompts()
        prompts = normalised(inputs.embed_text(texts))
        return np.array([[ranked_value(normalised(videos) @ prompts.T, values,
                                       self.top_fraction)] for videos in inputs.videos])

    def predictions(self, outputs: np.ndarray) -> dict[str, np.ndarray]:
        return {self.target: outputs[:, 0].astype(np.float64)}

    def metrics(self, table: pd.DataFrame) -> dict[str, Metric]:
        truth = table[TRUTH + self.target].to_numpy(float)
        pred = table[PRED + self.target].to_numpy(float)
        out = regression(truth, pred, table["patient_id"])
        out["spearman_r"] = (bootstrapped(spearman_r, truth, pred, patients=table["patient_id"])
                             if len(truth) > 2 and np.ptp(truth) > 0 and np.ptp(pred) > 0
                             else Metric(float("nan"), method="undefined: constant values",
                                         n=len(truth)))
        return out

    def details(self, table: pd.DataFrame) -> dict[str, Any]:
        texts, _ = self.prompts()
        return {"templates": list(self.templates), "candidates": len(texts),
                "values": [float(self.values[0]), float(self.values[-1]), len(self.values)],
                "top_fraction": self.top_fraction}


@dataclass
class FindingTask(Task):
    """A binary label scored by similarity to positive (and negative) prompts."""

    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        return self.target_names[0]

    def targets(self, labels: Mapping[str, Any]) -> list[float] | None:
        value = flag(labels, self.target)
        return None if value is None else [value]

    def zero_shot(self, inputs: ZeroShotInputs) -> np.ndarray:
        prompts = normalised(inputs.embed_text([*self.positive, *self.negative]))
        positive, negative = prompts[:len(self.positive)], prompts[len(self.positive):]
        scores = []
        for videos in inputs.videos:
            videos = normalised(videos)
            score = (videos @ positive.T).mean()
            if len(negative):
                score -= (videos @ negative.T).mean()
            scores.append([score])
        return np.array(scores)

    def predictions(self, outputs: np.ndarray) -> dict[str, np.ndarray]:
        return {self.target: outputs[:, 0].astype(np.float64)}

    def scores(self, table: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {self.target: (table[TRUTH + self.target].to_numpy(float) > 0.5,
                              table[PRED + self.target].to_numpy(float))}

    def metrics(self, table: pd.DataFrame) -> dict[str, Metric]:
        truth, score = self.scores(table)[self.target]
        return {"auroc": auroc(truth, score)}

    def details(self, table: pd.DataFrame) -> dict[str, Any]:
        truth, score = self.scores(table)[self.target]
        return {"positive": list(self.positive), "negative": list(self.negative),
                "operating_points": operating_points(truth, score)}


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _label(card: DatasetCard, target: str, kind: str, task: str) -> None:
    labels = [name for name, declared in card.labels.items() if declared == kind]
    if target not in labels:
        raise TaskError(f"the {task} task's target {target!r} is not a {kind} label of the "
                        f"{card.name} card; choose one of {labels}")


def _texts(option: str, value: str | Sequence[str] | None) -> tuple[str, ...]:
    texts = (value,) if isinstance(value, str) else tuple(value or ())
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise TaskError(f"{option}: must be a list of non-empty prompts, got {value!r}")
    return texts


def _values(value: Sequence[float] | None, target: str) -> np.ndarray:
    if value is None:
        if target not in DEFAULT_VALUES:
            raise TaskError(f"values: {target!r} has no default candidate values; pass values "
                            "as [first, last, step] or a list")
        value = DEFAULT_VALUES[target]
    numbers = [float(v) for v in value]
    if len(numbers) == 3 and numbers[2] > 0 and numbers[1] >= numbers[0]:
        first, last, step = numbers
        return np.arange(first, last + step / 2, step)
    if not numbers:
        raise TaskError("values: no candidate value given")
    return np.array(numbers)


def build_value(card: DatasetCard, target: str = "lvef",
                templates: str | Sequence[str] | None = None,
                values: Sequence[float] | None = None,
                top_fraction: float = TOP_FRACTION) -> ValueTask:
    _label(card, target, "continuous", VALUE)
    chosen = _texts("templates", templates if templates is not None
                    else DEFAULT_TEMPLATES.get(target))
    if not chosen or not all(PLACEHOLDER in t for t in chosen):
        raise TaskError(f"templates: give prompts with {PLACEHOLDER!r} where the value goes "
                        f"(there is no default for {target!r}), e.g. "
                        f"'{target.upper()} IS {PLACEHOLDER}.'")
    if not 0.0 < top_fraction <= 1.0:
        raise TaskError(f"top_fraction: must lie in (0, 1], got {top_fraction}")
    return ValueTask(name=VALUE, target_names=(target,), attention=(), templates=chosen,
                     values=_values(values, target), top_fraction=float(top_fraction),
                     defaults=TrainingDefaults(batch_size=32))


def build_finding(card: DatasetCard, target: str | None = None,
                  positive: str | Sequence[str] | None = None,
                  negative: str | Sequence[str] | None = None) -> FindingTask:
    if target is None:
        raise TaskError(f"the {FINDING} task needs a target: a binary label of the "
                        f"{card.name} card (--option target=NAME)")
    _label(card, target, "binary", FINDING)
    default_positive, default_negative = DEFAULT_PROMPTS.get(target, ((), ()))
    chosen = _texts("positive", positive if positive is not None else default_positive)
    if not chosen:
        raise TaskError(f"positive: {target!r} has no default prompts; pass positive (and "
                        "optionally negative) prompts")
    return FindingTask(name=FINDING, target_names=(target,), attention=(), positive=chosen,
                       negative=_texts("negative", negative if negative is not None
                                       else default_negative),
                       defaults=TrainingDefaults(batch_size=32))


@hookimpl
def cmrbench_tasks() -> list[TaskSpec]:
    return [
        TaskSpec(name=VALUE, description="zero-shot continuous value (LVEF) by ranking "
                                         "prompts filled with candidate values (EchoCLIP)",
                 kind="regression", build=build_value,
                 datasets=("phantom", "ukbb", "kaggle-dsb", "acdc", "clinical"),
                 protocols=("zeroshot",),
                 metrics=("mae", "mse", "rmse", "pearson_r", "spearman_r", "bias",
                          "loa_lower", "loa_upper"),
                 primary_metric="mae", higher_is_better=False),
        TaskSpec(name=FINDING, description="zero-shot binary finding by similarity to "
                                           "positive and negative prompts, AUROC",
                 kind="binary", build=build_finding, datasets=("phantom", "clinical"),
                 protocols=("zeroshot",), metrics=("auroc",), primary_metric="auroc",
                 higher_is_better=True),
    ]
