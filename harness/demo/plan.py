"""What the demo runs: cohorts, the pretraining, the board's entries and benchmarks.

Two sizes. ``quick`` (under 2 minutes on 2 cores): smaller images, the five benchmarks the
issue names (LVEF, findings, ACDC-style diagnosis, zero-shot EF, retrieval), few steps.
The default (under 10 minutes): the suite's own cohort recipe and every benchmark of
``phantom-v1``, label-efficiency fractions included.
"""

from __future__ import annotations

from dataclasses import dataclass

SUITE = "phantom-v1"
TEXT_ENCODER = "bert-minilm-l6"
COHORT_SEED = 0  # the suite's data recipe: `cmrbench phantom --layout clinical --n 60 --seed 0`


@dataclass(frozen=True)
class Entry:
    """One encoder initialisation, submitted to every benchmark under ``name``."""

    name: str
    encoder: str
    initialisation: str  # "random" or "contrastive" (the demo's own pretraining)


@dataclass(frozen=True)
class DemoPlan:
    """Sizes and steps of one demo; ``name`` keeps a quick and a full demo apart on disk."""

    name: str
    studies: int
    acdc_studies: int
    matrix: int | None  # image rows; None: each phantom site's own
    frames: int | None  # frames per cycle; None: the layout's own
    pretrain_steps: int
    pretrain_batch: int
    pretrain_lr: float  # tiny encoders from scratch learn at 3e-3, not the reference's 4.8e-5
    head_steps: int
    head_lr: float  # a linear head on cached features
    resamples: int  # the board's paired bootstrap (p-values against the baseline)
    entries: tuple[Entry, ...]
    benchmarks: tuple[str, ...]


ENTRIES = (
    Entry("r3d-18-tiny-random", "r3d-18-tiny", "random"),  # the suite's baseline entry
    Entry("r3d-18-tiny-contrastive", "r3d-18-tiny", "contrastive"),
    Entry("mvit-tiny-random", "mvit-b-16x4-tiny", "random"),  # the reference's architecture
)
NAMED = ("lvef-linear", "diseases-linear", "acdc-diagnosis-linear", "zeroshot-lvef", "retrieval")
ALL = ("lvef-linear", "lvef-linear-f50", "lvef-linear-f25", "diseases-linear",
       "acdc-diagnosis-linear", "kaggle-volumes-linear", "zeroshot-lvef", "retrieval")


def demo_plan(quick: bool) -> DemoPlan:
    """The quick or the full demo."""
    if quick:
        return DemoPlan("quick", studies=60, acdc_studies=10, matrix=64, frames=16,
                        pretrain_steps=300, pretrain_batch=16, pretrain_lr=3e-3,
                        head_steps=150, head_lr=1e-2, resamples=200,
                        entries=ENTRIES, benchmarks=NAMED)
    return DemoPlan("full", studies=60, acdc_studies=20, matrix=None, frames=None,
                    pretrain_steps=600, pretrain_batch=16, pretrain_lr=3e-3,
                    head_steps=300, head_lr=1e-2, resamples=1000,
                    entries=ENTRIES, benchmarks=ALL)
