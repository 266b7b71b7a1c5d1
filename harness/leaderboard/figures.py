"""The board's figures, drawn with matplotlib and returned as SVG markup to inline in a page.

Text is drawn as glyph outlines (matplotlib's default), so no submitted string reaches the
markup as text; XML comments (where matplotlib echoes each string) are removed all the same,
and ``$`` is escaped so a name is never parsed as mathtext. Each figure gets its own id salt,
so the ids of several inline figures never collide.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib
import numpy as np
from cmrbench import stats
from cmrbench.leaderboard.ranking import Ranked, Row
from cmrbench.task import Task
from matplotlib.figure import Figure

MAX_ENTRIES = 8
MAX_PANELS = 12
LABEL_CHARS = 32
PANEL = (3.2, 3.0)


class FigureError(RuntimeError):
    """matplotlib's SVG held something a page must never inline."""


def label(name: str) -> str:
    """An entry name as figure text: shortened, with '$' escaped (no mathtext)."""
    short = name if len(name) <= LABEL_CHARS else name[:LABEL_CHARS - 1] + "…"
    return short.replace("$", r"\$")


def to_svg(figure: Figure, salt: str) -> str:
    """``figure`` as an inline <svg> element: no prolog, no comments, nothing executable."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    markup = buffer.getvalue()
    markup = re.sub(r"<!--.*?-->", "", markup, flags=re.DOTALL)
    markup = markup[markup.index("<svg"):]
    if re.search(r"<script|<foreignObject|\son\w+\s*=|javascript:", markup, re.IGNORECASE):
        raise FigureError("matplotlib produced SVG with script-like content; refusing to inline")
    return markup.strip()


def _grid(panels: int, columns: int = 4) -> tuple[Figure, list]:
    columns = min(columns, panels)
    rows = -(-panels // columns)
    figure = Figure(figsize=(PANEL[0] * columns, PANEL[1] * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel().tolist()
    for extra in axes[panels:]:
        extra.set_axis_off()
    return figure, axes[:panels]


def _shown(rows: Sequence[Row]) -> list[Row]:
    return [r for r in rows if r.paired][:MAX_ENTRIES]


def roc_figure(task: Task, ranked: Ranked, salt: str) -> str | None:
    """Empirical ROC curves of each binary outcome, one line per entry (its first seed)."""
    rows = _shown(ranked.rows)
    per_row = [task.scores(r.checked.tables[0]) for r in rows]
    outcomes = [k for k in (per_row[0] if per_row else {})
                if 0 < np.sum(per_row[0][k][0]) < len(per_row[0][k][0])][:MAX_PANELS]
    if not outcomes:
        return None
    figure, axes = _grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=True):
        for row, scores in zip(rows, per_row, strict=True):
            curve = stats.roc_curve(*scores[outcome])
            auc = stats.auroc(*scores[outcome])
            ax.plot(curve.fpr, curve.tpr, drawstyle="steps-post",
                    label=f"{label(row.name)} ({auc:.2f})")
        ax.plot([0, 1], [0, 1], color="0.7", linestyle=":", linewidth=1)
        ax.set(title=label(outcome), xlabel="1 - specificity", ylabel="sensitivity",
               xlim=(0, 1), ylim=(0, 1.02))
        ax.legend(fontsize=6, loc="lower right")
    return to_svg(figure, salt)


def bland_altman_figure(task: Task, ranked: Ranked, salt: str) -> str | None:
    """Bland-Altman plots: one panel per entry (first seed) and continuous target."""
    rows = _shown(ranked.rows)[:4]
    panels = [(row, name, pair) for row in rows
              for name, pair in task.estimates(row.checked.tables[0]).items()
              if len(pair[0]) > 1][:MAX_PANELS]
    if not panels:
        return None
    figure, axes = _grid(len(panels))
    for ax, (row, name, (truth, pred)) in zip(axes, panels, strict=True):
        agreement = stats.bland_altman(truth, pred)
        ax.scatter((truth + pred) / 2, pred - truth, s=12, alpha=0.8)
        ax.axhline(agreement.bias, color="C1", label=f"bias {agreement.bias:.2f}")
        for limit in (agreement.lower, agreement.upper):
            ax.axhline(limit, color="C1", linestyle="--", linewidth=1)
        ax.axhline(0, color="0.7", linewidth=1)
        ax.set(title=f"{label(row.name)}: {label(name)}", xlabel="mean of truth and prediction",
               ylabel="prediction - truth")
        ax.legend(fontsize=6, loc="upper right")
    return to_svg(figure, salt)


def subgroup_figure(ranked: Ranked, salt: str) -> str | None:
    """The primary metric within each subgroup value, bars grouped by value, one per entry."""
    rows = ranked.rows[:MAX_ENTRIES]
    labels = sorted({k for r in rows for run in r.checked.runs[:1]
                     for k in (run.get("subgroups") or {})})
    if not labels:
        return None
    figure, axes = _grid(len(labels), columns=3)
    width = 0.8 / max(len(rows), 1)
    for ax, name in zip(axes, labels, strict=True):
        values = sorted({v for r in rows for v in (r.checked.runs[0].get("subgroups") or {})
                         .get(name, {})})
        for i, row in enumerate(rows):
            cells = (row.checked.runs[0].get("subgroups") or {}).get(name, {})
            heights = [(cells.get(v) or {}).get("value") for v in values]
            heights = [np.nan if h is None else h for h in heights]
            ax.bar(np.arange(len(values)) + i * width, heights, width, label=label(row.name))
        ax.set_xticks(np.arange(len(values)) + width * (len(rows) - 1) / 2,
                      [label(v) for v in values], rotation=30, ha="right", fontsize=7)
        ax.set(title=f"by {label(name)}", ylabel=label(ranked.benchmark.primary_metric))
        ax.legend(fontsize=6)
    return to_svg(figure, salt)


def label_efficiency_figure(curve: Sequence[Ranked], salt: str) -> str | None:
    """The primary metric against the training fraction, one line per entry name (mean and
    spread over seeds), across benchmarks that differ only in their fraction."""
    points: dict[str, list[tuple[float, float, float]]] = {}
    for ranked in sorted(curve, key=lambda r: r.benchmark.fraction):
        for row in ranked.rows:
            if np.isfinite(row.mean):
                points.setdefault(row.name, []).append(
                    (ranked.benchmark.fraction, row.mean, np.nan_to_num(row.spread)))
    lines = {k: v for k, v in points.items() if len(v) > 1}
    if not lines:
        return None
    figure = Figure(figsize=(5.5, 3.6), layout="constrained")
    ax = figure.subplots()
    for name, values in list(lines.items())[:MAX_ENTRIES]:
        x, y, spread = (np.array(v) for v in zip(*values, strict=True))
        ax.errorbar(x, y, yerr=spread, marker="o", capsize=3, label=label(name))
    first = curve[0].benchmark
    fractions = sorted({r.benchmark.fraction for r in curve})
    ax.set_xscale("log")
    ax.set_xticks(fractions, [f"{f:.0%}" for f in fractions])
    ax.minorticks_off()
    ax.set(xlabel="fraction of training patients", ylabel=label(first.primary_metric),
           title=f"label efficiency: {label(first.task)} ({label(first.mode)})")
    ax.legend(fontsize=7)
    return to_svg(figure, salt)
