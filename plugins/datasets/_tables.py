"""Label tables shared by the dataset plugins: read a CSV keyed by one column, values typed."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd


def read_keyed_csv(path: Path, key: str) -> dict[str, dict[str, Any]]:
    """``{key value: {column: value}}`` for every row; a missing key column is named."""
    table = pd.read_csv(path, dtype={key: str}, keep_default_na=False)
    if key not in table.columns:
        raise ValueError(f"{path}: no {key!r} column (columns: {list(table.columns)})")
    rows = {}
    for record in table.to_dict("records"):
        row_key = str(record.pop(key))
        rows[row_key] = {k: _plain(v) for k, v in record.items() if v != ""}
    return rows


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars, so labels serialise as JSON."""
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def ejection_fraction(edv_ml: float, esv_ml: float) -> float:
    """LVEF in percent from end-diastolic and end-systolic volumes."""
    return round(100.0 * (edv_ml - esv_ml) / edv_ml, 3)
