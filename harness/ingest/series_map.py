"""The cmr_toolkit's series-renaming CSV, read as a card's view map (``ingest --series-map``).

The build step of rohanshad/cmr_toolkit (``utils/build_dataset.py``, since moved to
``archive/``) renames each HDF5 dataset, keyed by its cleaned SeriesDescription (spaces and
'/' replaced by '_'), to the ``cleaned_series_names`` entry of the first CSV row whose
``series_description`` is that key; a blank name leaves the series out. The published maps
carry a ``counts`` column between the two and may start with a byte-order mark.

Its rows become exact, case-sensitive view rules in row order, replacing the card's own
rules: the first row wins, as in the build step. A row matches the cleaned key itself and any
DICOM description that cleans to it, so the same CSV serves every dataset that maps series
with its card, DICOM or HDF5.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
from cmrbench.cards import DatasetCard, ViewRule

COLUMNS = ("series_description", "cleaned_series_names")


class SeriesMapError(ValueError):
    """A series map that cannot be used; the message names the file and the problem."""


def cleaned_pattern(cleaned: str) -> re.Pattern[str]:
    """Matches ``cleaned`` and every description the toolkit cleans to it (' ' or '/' -> '_')."""
    parts = (re.escape(part) for part in cleaned.split("_"))
    return re.compile("^" + "[ _/]".join(parts) + "$")


def read_series_map(path: Path | str) -> tuple[ViewRule, ...]:
    """One view rule per named row, in row order; names outside the four views are kept so
    that decoding reports such series as "view not in this dataset"."""
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise SeriesMapError(f"{path}: cannot read the series map: {exc}") from exc
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise SeriesMapError(f"{path}: no column(s) {missing}; a series map has the columns "
                             f"{', '.join(COLUMNS)} (got {list(table.columns)})")
    rules = tuple(ViewRule(cleaned_pattern(raw), (name.strip(),))
                  for raw, name in zip(table[COLUMNS[0]], table[COLUMNS[1]], strict=True)
                  if raw and name.strip())
    if not rules:
        raise SeriesMapError(f"{path}: no row names a view; fill cleaned_series_names with "
                             "4CH, 3CH, 2CH or SAX for the series to keep")
    return rules


def with_series_map(card: DatasetCard, path: Path | str) -> DatasetCard:
    """``card`` with its view map replaced by the series map at ``path``."""
    return dataclasses.replace(card, view_map=read_series_map(path))
