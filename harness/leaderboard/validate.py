"""Everything wrong with a submission for a benchmark, listed at once.

A submission is checked against the benchmark's definition (task, dataset, protocol, split
rule, suite version), against the store it is scored on (exactly its test studies, each once,
with the store's patients) and against the task (finite predictions; probabilities in [0, 1]).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from cmrbench.leaderboard.reference import Reference
from cmrbench.leaderboard.resolved import Resolved
from cmrbench.leaderboard.sources import Source
from cmrbench.predictions import PRED, problems

EXAMPLES = 3


def submission_problems(source: Source, resolved: Resolved, reference: Reference) -> list[str]:
    """Every reason to refuse ``source`` for ``resolved``'s benchmark (empty: acceptable)."""
    return (header_problems(source.header, resolved)
            + config_problems(source.config, resolved)
            + store_problems(source.header, resolved, reference)
            + study_problems(source.predictions.table, reference)
            + value_problems(source.predictions.table, resolved))


def header_problems(header: Mapping[str, Any], resolved: Resolved) -> list[str]:
    """The predictions' header against the benchmark's definition and the suite's version."""
    bench, suite = resolved.benchmark, resolved.suite
    found = []
    for key, expected in (("task", bench.task), ("dataset", bench.dataset),
                          ("mode", bench.mode)):
        if header.get(key) != expected:
            found.append(f"{key}: the predictions say {header.get(key)!r}, benchmark "
                         f"{bench.name!r} is {key} {expected!r}")
    fraction = header.get("fraction")
    if not isinstance(fraction, int | float) or float(fraction) != bench.fraction:
        found.append(f"fraction: the predictions were trained on fraction {fraction!r}, benchmark "
                     f"{bench.name!r} uses {bench.fraction}")
    split = header.get("split_sha256")
    if split != bench.split_sha256:
        found.append(f"stale split hash: the predictions were made with split rule {split!r}, "
                     f"benchmark {bench.name!r} uses {bench.split_sha256}; run again with the "
                     f"{bench.dataset} card of this suite")
    claimed = header.get("suite")
    if claimed is not None and _suite_differs(claimed, suite.identity()):
        found.append(f"suite version: the predictions were made for suite {claimed!r}, this is "
                     f"suite {suite.name!r} version {suite.version} (sha256 {suite.sha256}); "
                     "submit them to that suite, or run again for this one")
    return found


def _suite_differs(claimed: Any, identity: Mapping[str, Any]) -> bool:
    if isinstance(claimed, str):
        return claimed != identity["name"]
    if not isinstance(claimed, Mapping):
        return True
    return any(claimed.get(key, identity[key]) != identity[key] for key in identity)


def config_problems(config: Mapping[str, Any] | None, resolved: Resolved) -> list[str]:
    """The run's resolved configuration, when there is one, against the benchmark."""
    if config is None:
        return []
    options = dict(config.get("task_options") or {})
    expected = resolved.benchmark.task_options
    if options != expected:
        return [f"task options: the run used {options}, benchmark "
                f"{resolved.benchmark.name!r} uses {expected}"]
    return []


def store_problems(header: Mapping[str, Any], resolved: Resolved,
                   reference: Reference) -> list[str]:
    """The store the predictions were made on against the store they are scored on."""
    found = []
    made_on = header.get("store_index_sha256")
    if made_on != reference.store_index_sha256:
        found.append(f"store: the predictions were made on a store with index sha256 "
                     f"{made_on!r}, the store given has {reference.store_index_sha256}; pass "
                     "--store with the store the run used")
    pinned = resolved.benchmark.test_studies_sha256
    if pinned is not None and pinned != reference.studies_sha256:
        found.append(f"store: its test studies (sha256 {reference.studies_sha256}) are not the "
                     f"suite's reference cohort ({pinned}); build the store with: "
                     f"{resolved.suite.data[resolved.benchmark.dataset]}")
    return found


def study_problems(table: pd.DataFrame, reference: Reference) -> list[str]:
    """Exactly the benchmark's test studies, each once, with the store's patients."""
    found = problems(table)
    if "study_id" not in table.columns:
        return found
    submitted = set(table["study_id"].astype(str))
    expected = set(reference.study_ids)
    missing, extra = sorted(expected - submitted), sorted(submitted - expected)
    if missing:
        found.append(f"missing studies: {len(missing)} test study(ies) of the benchmark have no "
                     f"prediction, e.g. {missing[:EXAMPLES]}")
    if extra:
        found.append(f"extra studies: {len(extra)} study(ies) are not test studies of the "
                     f"benchmark, e.g. {extra[:EXAMPLES]}")
    if "patient_id" in table.columns:
        patients = dict(zip(reference.table["study_id"], reference.table["patient_id"],
                            strict=True))
        wrong = sorted(s for s, p in zip(table["study_id"], table["patient_id"], strict=True)
                       if s in patients and str(p) != patients[s])
        if wrong:
            found.append(f"patient_id: {len(wrong)} study(ies) name another patient than the "
                         f"store does, e.g. {wrong[:EXAMPLES]}")
    return found


def value_problems(table: pd.DataFrame, resolved: Resolved) -> list[str]:
    """The task's probability columns present and within [0, 1]."""
    found = []
    for name in resolved.task.probability_columns():
        column = PRED + name
        if column not in table.columns:
            found.append(f"missing column {column!r} (task {resolved.task.name!r} predicts it)")
            continue
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64)
        outside = np.flatnonzero((values < 0) | (values > 1))
        if outside.size:
            studies = list(table["study_id"].iloc[outside[:EXAMPLES]])
            found.append(f"probability outside [0, 1]: column {column!r} has {outside.size} "
                         f"value(s) outside [0, 1], e.g. studies {studies}")
    return found
