"""The store's index: one row per study, rebuilt from the study files themselves.

Because the index is derived from complete study files (never appended to), an interrupted
ingest leaves nothing to repair: the next run rebuilds it from what was written.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import pandas as pd
from cmrbench.files import atomic_write
from cmrbench.store.record import VIEWS
from cmrbench.store.writer import STUDIES_DIR

INDEX_FILE = "index.csv"
BASE_COLUMNS = ["study_id", "patient_id", "dataset", "split", "views", "n_sax_slices", "frames",
                "has_report"]


def summarise_study(path: Path) -> dict[str, object]:
    """One index row read from a study file's attributes (pixels are not touched)."""
    with h5py.File(path, "r") as h5:
        views = [v for v in VIEWS if v in h5["views"]]
        meta = json.loads(h5.attrs["meta"])
        row: dict[str, object] = {
            "study_id": h5.attrs["study_id"],
            "patient_id": h5.attrs["patient_id"],
            "dataset": h5.attrs["dataset"],
            "split": meta.get("split", ""),
            "views": ";".join(views),
            "n_sax_slices": h5["views/SAX/cine"].shape[0] if "SAX" in views else 0,
            "frames": min(h5[f"views/{v}/cine"].shape[1] for v in views),
            "has_report": "report" in h5.attrs,
        }
        for name, value in json.loads(h5.attrs["labels"]).items():
            row[f"label:{name}"] = value
    return row


def build_index(store: Path) -> pd.DataFrame:
    """Scan every complete study file and write ``index.csv`` atomically; return the table."""
    studies = sorted((Path(store) / STUDIES_DIR).glob("*.h5"))
    rows = [summarise_study(path) for path in studies]
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=BASE_COLUMNS)
    table = table.sort_values("study_id", kind="stable").reset_index(drop=True)
    with atomic_write(Path(store) / INDEX_FILE) as partial:
        table.to_csv(partial, index=False)
    return table


def read_index(store: Path) -> pd.DataFrame:
    """The index table of a store; a clear error if the store was never ingested."""
    path = Path(store) / INDEX_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: is {store} a study store? Create one "
                                "with `cmrbench ingest DATASET SRC --out STORE`")
    return pd.read_csv(path, dtype={"study_id": str, "patient_id": str, "split": str,
                                    "has_report": bool}, keep_default_na=False)
