"""The zeroshot mode: nothing trains; the task compares test videos with a text encoder.

The video encoder (e.g. the one `cmrbench pretrain` exported) embeds every video the evaluation
view policy selects from each test study; the text encoder (e.g. its exported twin) is handed
to the task as a function of texts. The task's :meth:`~cmrbench.task.Task.zero_shot` returns
raw outputs per study, which become the same predictions file and result record as every
other mode's, so leaderboards score them alike.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from cmrbench.embedding import build_encoder, build_text_encoder, embed_store, embed_texts
from cmrbench.registry import Registry, get_registry
from cmrbench.store import StudyStore
from cmrbench.task import TaskError, ZeroShotInputs
from cmrbench.training import rundir
from cmrbench.training.batches import video_names
from cmrbench.training.outputs import Rows, predictions_table
from cmrbench.training.preprocessing import preprocessing
from cmrbench.weights import resolve_weights

if TYPE_CHECKING:
    from cmrbench.specs import EncoderSpec
    from cmrbench.training.runner import Plan


def run_zero_shot(plan: Plan, *, registry: Registry | None = None, progress: bool = True,
                  started: float | None = None) -> dict[str, Any]:
    """Score the test studies with ``plan.task.zero_shot`` and write the run directory."""
    started = time.perf_counter() if started is None else started
    config = plan.config
    rundir.start(config, resume=False)
    device = "cuda" if torch.cuda.is_available() and config.accelerator in (
        "auto", "gpu", "cuda") else "cpu"
    resolved = resolve_weights(plan.encoder, config.weights) if config.weights else None
    video, weights = build_encoder(plan.encoder, resolved, exclude=config.exclude,
                                   initialisation=config.initialisation, seed=config.seed)
    text_spec = (registry or get_registry()).entry("encoder", config.text_encoder).spec
    if text_spec.modality != "text":
        raise TaskError(f"text_encoder {text_spec.name!r} is a {text_spec.modality} encoder; "
                        "name a text encoder (`cmrbench ls encoders`)")
    text, text_provenance = build_text_encoder(text_spec, config.text_weights,
                                               options=config.text_options, seed=config.seed)
    test = plan.studies["test"]
    sentences = report_window(text_spec, text_provenance)
    text_provenance["report_window_sentences"] = sentences
    inputs = ZeroShotInputs(**_test_studies(plan, video, device, progress),
                            embed_text=partial(embed_texts, text_spec, text, device=device),
                            sentences=sentences)
    outputs = np.asarray(plan.task.zero_shot(inputs), dtype=np.float32)
    if outputs.ndim != 2 or len(outputs) != len(test):
        raise TaskError(f"task {config.task!r}: zero_shot returned shape {outputs.shape} for "
                        f"{len(test)} test studies; return [studies, outputs]")
    table = predictions_table(plan.task, test, Rows(test.study_ids, outputs,
                                                    [{} for _ in test.study_ids]))
    seconds = time.perf_counter() - started
    cost = {"wall_seconds": round(seconds, 3), "fit_seconds": 0.0, "device": device,
            "devices": 1, "device_hours": round(seconds / 3600, 6),
            "peak_memory_bytes": rundir.peak_memory(device == "cuda"), "steps": 0,
            "train_videos_per_second": None}
    provenance = {**plan.provenance, **weights, "text": text_provenance,
                  "preprocessing": preprocessing(plan.encoder.input), "seed": config.seed}
    return rundir.finish(plan, table, {}, None, provenance, cost)


def report_window(text_spec: EncoderSpec, text_provenance: dict[str, Any]) -> int:
    """How many report sentences one text embedding reads: the text encoder's own window, or
    one when its weights were pretrained on cached single-sentence features (a report is then
    the mean of its sentences, as that pretraining saw it; the weights' provenance says so)."""
    pretraining = text_provenance.get("pretraining") or {}
    if pretraining.get("text_features") == "cached-sentences":
        return 1
    return text_spec.input.sentences


def _test_studies(plan: Plan, video: torch.nn.Module, device: str, progress: bool
                  ) -> dict[str, Any]:
    """The test studies' IDs, video embeddings (named "VIEW/slice") and reports."""
    config, test = plan.config, plan.studies["test"]
    embedded = embed_store(plan.encoder, video, Path(config.store), studies=test.study_ids,
                           views=config.eval_views, batch_size=config.batch_size,
                           device=device, workers=config.num_workers, progress=progress)
    rows: dict[str, list[int]] = {study: [] for study in test.study_ids}
    for row, study in enumerate(embedded.study_id):
        rows[str(study)].append(row)
    store = StudyStore(config.store)
    return {"study_ids": list(test.study_ids), "patient_ids": list(test.patient_ids),
            "videos": [embedded.vectors[rows[s]] for s in test.study_ids],
            "video_names": [video_names(embedded.view[rows[s]], embedded.slice[rows[s]])
                            for s in test.study_ids],
            "reports": [store.report(s) for s in test.study_ids]}
