"""Writers that lay a phantom cohort out on disk exactly like a real dataset.

Each writer module has ``write(studies, out) -> dict[study_id, quirks]``: it consumes studies
one at a time (so cohorts can stream) and reports which deliberate quirks of the real data it
planted in which study. :func:`write_layout` adds ``truth.csv`` beside every layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd
from cmrbench.phantom.cohort import TRUTH_COLUMNS, truth_row
from cmrbench.phantom.study import PhantomStudy
from cmrbench.phantom.writers import acdc, clinical, clinical_h5, kaggle, ukbb

Writer = Callable[[Iterable[PhantomStudy], Path], dict[str, str]]
_MODULES = {"acdc": acdc, "kaggle": kaggle, "ukbb": ukbb, "clinical": clinical,
            "clinical-h5": clinical_h5}
WRITERS: dict[str, Writer] = {name: module.write for name, module in _MODULES.items()}
TRUTH_FILE = "truth.csv"


def write_layout(layout: str, studies: Iterable[PhantomStudy], out: str | Path,
                 ) -> pd.DataFrame:
    """Write ``studies`` in ``layout`` under ``out`` plus ``out/truth.csv``; return the truth.

    The studies must have been generated for this layout (``generate_cohort(..., layout=...)``)
    so that their identifiers, sites and frame counts are the layout's own.
    """
    if layout not in WRITERS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(WRITERS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    quirks = WRITERS[layout](_recorded(layout, studies, rows), out)
    if not rows:
        raise ValueError("no studies to write; generate at least one with generate_cohort")
    table = pd.DataFrame(rows, columns=list(TRUTH_COLUMNS))
    table["quirks"] = [quirks.get(study_id, "") for study_id in table["study_id"]]
    table.to_csv(out / TRUTH_FILE, index=False)
    return table


def _recorded(layout: str, studies: Iterable[PhantomStudy], rows: list[dict[str, object]],
              ) -> Iterator[PhantomStudy]:
    for study in studies:
        if study.layout != layout:
            raise ValueError(
                f"study {study.study_id} was generated for layout {study.layout!r}, not "
                f"{layout!r}; generate the cohort with generate_cohort(n, seed, "
                f"layout={layout!r})")
        missing = [v for v in _MODULES[layout].REQUIRED_VIEWS if v not in study.views]
        if missing:
            raise ValueError(f"study {study.study_id} lacks views {missing} that the {layout} "
                             "layout needs; generate it with views=None (the layout's views)")
        rows.append(truth_row(study))
        yield study
