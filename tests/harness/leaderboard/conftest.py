"""Fixtures for the leaderboard: a study store's index with exact labels, predictions made
for it by hand, and a board folder outside the source tree.

Submitting reads only a store's ``index.csv`` (its test studies and labels), so most tests use
an index written here (milliseconds) instead of an ingested cohort; the README test runs the
real pipeline once.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cmrbench.cards import card_path, load_card
from cmrbench.files import sha256_file
from cmrbench.predictions import build_table, write_predictions
from cmrbench.store.index import INDEX_FILE

FINDINGS = ("lv_dilation", "lv_hypertrophy", "rv_dilation", "la_dilation", "ra_dilation",
            "pericardial_effusion", "regional_wall_motion_abnormality", "reduced_ef",
            "pure_normal")
GROUPS = ("NOR", "MINF", "DCM", "HCM", "RV")
SPLIT = load_card(card_path("phantom")).split.sha256
N_TEST = 30


def index_table(n_test: int = N_TEST, seed: int = 0) -> pd.DataFrame:
    """A phantom-like store index: 6 train, 4 val and ``n_test`` test studies; the first two
    test patients have two studies each (a patient bootstrap keeps them together)."""
    rng = np.random.default_rng(seed)
    n = 10 + n_test
    splits = ["train"] * 6 + ["val"] * 4 + ["test"] * n_test
    patients = [f"p{i:03d}" for i in range(n)]
    patients[11], patients[13] = patients[10], patients[12]
    table = pd.DataFrame({
        "study_id": [f"s{i:03d}" for i in range(n)], "patient_id": patients,
        "dataset": "phantom", "split": splits, "views": "4CH;SAX", "n_sax_slices": 8,
        "frames": 12, "has_report": True,
        "label:lvef": np.round(rng.uniform(20, 70, n), 4),
        "label:group": [GROUPS[i % 5] for i in range(n)],
        "label:edv_ml": np.round(rng.uniform(100, 250, n), 4),
        "label:esv_ml": np.round(rng.uniform(30, 150, n), 4),
        "label:site": [f"SITE_{'ABC'[i % 3]}" for i in range(n)],
        "label:vendor": [("SIEMENS", "GE MEDICAL SYSTEMS")[i % 2] for i in range(n)]})
    for k, finding in enumerate(FINDINGS):
        table[f"label:{finding}"] = [(i + k) % 3 == 0 for i in range(n)]
    return table


def write_store(folder: Path) -> Path:
    folder.mkdir(parents=True)
    index_table().to_csv(folder / INDEX_FILE, index=False)
    return folder


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return write_store(tmp_path / "store")


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helpers above, for fixtures of a wider scope than ``store`` and ``predict``."""
    return SimpleNamespace(write_store=write_store, make_predictions=make_predictions)


@pytest.fixture
def board(tmp_path: Path) -> Path:
    return tmp_path / "board"


def held_out(store: Path) -> pd.DataFrame:
    index = pd.read_csv(store / INDEX_FILE, dtype={"study_id": str, "patient_id": str})
    return index[index["split"] == "test"].reset_index(drop=True)


def lvef_truth(rows: pd.DataFrame) -> np.ndarray:
    """The truth a run writes: the label as float32, widened."""
    return rows["label:lvef"].to_numpy(np.float32).astype(np.float64)


def make_predictions(store: Path, path: Path, *, task: str = "lvef",
                     rows: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
                     error: float = 3.0, seed: int = 0, **header: Any) -> Path:
    """A valid predictions file for ``task`` on ``store``'s test studies (what a run of the
    phantom-v1 benchmark writes); ``rows`` edits the table, ``header`` the header (None drops
    a key)."""
    test = held_out(store)
    rng = np.random.default_rng(seed)
    ids = {"study_id": list(test["study_id"]), "patient_id": list(test["patient_id"]),
           "split": ["test"] * len(test)}
    if task == "lvef":
        truth = {"lvef": lvef_truth(test)}
        pred = {"lvef": truth["lvef"] + rng.normal(0, error, len(test))}
    elif task == "acdc-diagnosis":
        index = np.array([GROUPS.index(g) for g in test["label:group"]], dtype=float)
        truth = {"group_index": index}
        logits = rng.normal(0, 1, (len(test), 5))
        logits[np.arange(len(test)), index.astype(int)] += 2.0
        probability = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        pred = {g: probability[:, i] for i, g in enumerate(GROUPS)}
    else:
        raise ValueError(task)
    table = build_table(ids, truth, pred, [{"study": {"4CH/0": 1.0}}] * len(test))
    values = {"task": task, "dataset": "phantom", "split_sha256": SPLIT,
              "store_index_sha256": sha256_file(store / INDEX_FILE), "encoder": "r3d-18-tiny",
              "initialisation": "random", "mode": "linear", "fraction": 1.0, "seed": seed}
    values.update(header)
    values = {k: v for k, v in values.items() if v is not None}
    if rows is None:
        write_predictions(path, table, values)
    else:
        _write_unchecked(path, rows(table), values)
    return path


def _write_unchecked(path: Path, table: pd.DataFrame, header: dict[str, Any]) -> None:
    """Write a table that may break the format (duplicates, NaN): what a careless or
    malicious submitter could send."""
    import json

    lines = ["# cmrbench-predictions: 1"]
    lines += [f"# {k}: {json.dumps(v)}" for k, v in header.items()]
    with open(path, "w", newline="") as handle:
        handle.write("\n".join(lines) + "\n")
        table.to_csv(handle, index=False)


@pytest.fixture
def predict(store: Path, tmp_path: Path) -> Callable[..., Path]:
    """``predict(file_name, **options)``: :func:`make_predictions` for the ``store`` fixture."""
    def make(file_name: str = "predictions.csv", **options: Any) -> Path:
        return make_predictions(store, tmp_path / file_name, **options)
    return make


@pytest.fixture
def test_studies(store: Path) -> pd.DataFrame:
    """The store fixture's test rows (index columns)."""
    return held_out(store)


README = Path(__file__).resolve().parents[3] / "README.md"
VERIFIED = re.compile(r"<!-- verified: ([\w-]+) -->\n```bash\n(.*?)```", re.S)


def readme_example(name: str) -> list[str]:
    """The command lines of README's ``<!-- verified: NAME -->`` bash blocks, in order."""
    return [line for found, block in VERIFIED.findall(README.read_text()) if found == name
            for line in block.splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="session")
def readme_leaderboard(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """README's leaderboard example run verbatim, each line through the real command-line
    entry point (in this process, so Lightning loads once); returns its folder and each
    line's output."""
    from cmrbench.cli import main

    folder = tmp_path_factory.mktemp("readme-leaderboard")
    outputs = {}
    here = os.getcwd()
    os.chdir(folder)
    try:
        for line in readme_example("leaderboard"):
            words = shlex.split(line)
            assert words[0] == "cmrbench" and not set(words) & {"&&", "|", ">", ";"}, line
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                code = main(words[1:])
            assert code == 0, f"README line failed: {line}\n{printed.getvalue()[-3000:]}"
            outputs[line] = printed.getvalue()
    finally:
        os.chdir(here)
    return folder, outputs
