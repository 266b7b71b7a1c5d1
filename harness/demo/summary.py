"""The short results table the demo ends with, read back from the leaderboard it built."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from cmrbench.demo.plan import DemoPlan

TABLE = "leaderboard.csv"


def board_rows(leaderboard: Path) -> pd.DataFrame:
    """The board's rows: benchmark, name, status, primary metric, mean and interval."""
    return pd.read_csv(Path(leaderboard) / TABLE)


def results_table(leaderboard: Path, plan: DemoPlan) -> str:
    """Entries down, benchmarks across: each primary metric as ``mean [lower, upper]``."""
    rows = board_rows(leaderboard)
    names = [entry.name for entry in plan.entries]
    width = max(len(n) for n in names) + 2
    lines = []
    for bench in plan.benchmarks:
        at = rows[rows["benchmark"] == bench]
        if at.empty:
            continue
        first = at.iloc[0]
        arrow = "higher is better" if first["direction"] == "higher" else "lower is better"
        lines.append(f"{bench}: {first['primary_metric']} ({arrow})")
        for name in names:
            found = at[at["name"] == name]
            lines.append(f"  {name:<{width}}{_cell(found)}")
    return "\n".join(lines)


def _cell(found: pd.DataFrame) -> str:
    if found.empty:
        return "not on the board"
    row = found.iloc[0]
    if row["status"] == "flagged" or not _finite(row["mean"]):
        return f"{row['status']}: {row['reasons']}"
    interval = (f" [{row['lower']:.3g}, {row['upper']:.3g}]"
                if _finite(row["lower"]) and _finite(row["upper"]) else "")
    return f"{row['mean']:.3g}{interval}"


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
