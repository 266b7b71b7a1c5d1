"""The view-attention map: which view planes the multi-view head relied on, per label.

From a run's ``predictions.csv`` (its ``attention`` column: per study, per attention branch,
the weight of each video "VIEW/slice"): a study's relative attention to a view plane is the
sum of its videos' weights in that plane (SAX: all its slices together) divided by the
branch's total, so it sums to 1 per study and branch. The map is the mean over the studies
(a study without a plane contributes 0 to it), so each row still sums to 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from cmrbench.explain.sheets import save_png
from cmrbench.files import atomic_write
from cmrbench.predictions import attention_of, read_predictions
from cmrbench.store.record import VIEWS
from matplotlib.figure import Figure


class ViewAttentionError(ValueError):
    """Predictions without multi-view attention; the message says what to pass instead."""


def per_study(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (study, branch): its relative attention to each view plane (sums to 1)."""
    rows = []
    for study, attention in zip(table["study_id"], attention_of(table), strict=True):
        for branch, weights in attention.items():
            total = sum(weights.values())
            if total <= 0:
                continue
            planes: dict[str, float] = {}
            for video, weight in weights.items():
                plane = video.split("/", 1)[0]
                planes[plane] = planes.get(plane, 0.0) + weight / total
            rows.append({"study_id": study, "branch": branch, **planes})
    if not rows:
        raise ViewAttentionError("these predictions hold no multi-view attention (their "
                                 "'attention' column is empty); pass a run whose task pools "
                                 "views with attention")
    found = pd.DataFrame(rows)
    planes = [v for v in VIEWS if v in found.columns] + sorted(
        c for c in found.columns if c not in (*VIEWS, "study_id", "branch"))
    return found[["study_id", "branch", *planes]].fillna(0.0)


def view_attention_map(studies: pd.DataFrame) -> pd.DataFrame:
    """Branch x view plane: the mean relative attention over studies (rows sum to 1)."""
    planes = [c for c in studies.columns if c not in ("study_id", "branch")]
    order = list(dict.fromkeys(studies["branch"]))
    return studies.groupby("branch", sort=False)[planes].mean().loc[order]


def draw(mean: pd.DataFrame, title: str) -> Figure:
    """A heat map with each cell's value written in it."""
    figure = Figure(figsize=(1.1 * mean.shape[1] + 2.6, 0.45 * mean.shape[0] + 1.4),
                    layout="constrained")
    ax = figure.subplots()
    image = ax.imshow(mean.to_numpy(), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(mean.shape[1]), list(mean.columns))
    ax.set_yticks(range(mean.shape[0]), [str(b).replace("$", r"\$") for b in mean.index])
    for (row, column), value in np.ndenumerate(mean.to_numpy()):
        ax.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="black" if value > 0.6 else "white")
    ax.set_xlabel("view plane (SAX: all its slices)")
    figure.colorbar(image, ax=ax, label="mean relative attention")
    ax.set_title(title, fontsize=9)
    return figure


def write_view_attention(predictions: Path, out: Path) -> dict[Path, tuple[str, str, str]]:
    """Write view_attention.png, view_attention.csv (the map) and view_attention_studies.csv
    (per study and branch) into ``out``; returns the files with (kind, caption, scope)."""
    read = read_predictions(predictions)
    studies = per_study(read.table)
    mean = view_attention_map(studies)
    header = read.header
    title = (f"{header.get('task', '?')} · {header.get('encoder', '?')} "
             f"({header.get('mode', '?')}) · {studies['study_id'].nunique()} studies")
    files = {Path(out) / "view_attention.png": "view-attention",
             Path(out) / "view_attention.csv": "view-attention-table",
             Path(out) / "view_attention_studies.csv": "view-attention-studies"}
    save_png(draw(mean, title), Path(out) / "view_attention.png")
    for (path, _), table in zip(list(files.items())[1:], (mean.reset_index(), studies),
                                strict=True):
        with atomic_write(path) as partial:
            table.to_csv(partial, index=False, float_format="%.6g")
    caption = ("Mean relative attention of the multi-view head per label and view plane over "
               f"the {studies['study_id'].nunique()} test studies")
    scopes = {"view-attention-studies": "per-study"}
    return {path: (kind, caption, scopes.get(kind, "aggregate")) for path, kind in files.items()}
