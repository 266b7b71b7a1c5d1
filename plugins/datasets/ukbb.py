"""UK Biobank CMR: one zip of flat DICOMs per participant and field; LVEF from field 22420."""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from cmrbench import DatasetSpec, hookimpl
from cmrbench.cards import card_path
from cmrbench.ingest import FileRef, SourceStudy

NAME = "ukbb"
ZIP_NAME = re.compile(r"^(\d+)_(20208|20209)_(\d+)_(\d+)\.zip$")
LVEF_FIELD = "22420"
# Field 22420 at imaging instance I, as each UK Biobank export tool names the column:
# "22420-2.0" (legacy ukbconv), "p22420_i2" (RAP table exporter) and
# "participant.p22420_i2" (dx extract_dataset), whose participant column is "participant.eid".
LVEF_COLUMN = re.compile(rf"^(?:{LVEF_FIELD}-(\d+)\.0|(?:participant\.)?p{LVEF_FIELD}_i(\d+))$")
EID_COLUMNS = ("eid", "participant.eid")


def lvef_table(root: Path) -> dict[tuple[str, str], float]:
    """(eid, instance) -> LVEF (%) from every CSV in ``root`` holding field 22420."""
    values: dict[tuple[str, str], float] = {}
    for csv in sorted(root.glob("*.csv")):
        header = [str(c) for c in pd.read_csv(csv, nrows=0).columns]
        eid = next((c for c in EID_COLUMNS if c in header), None)
        columns = {c: next(g for g in m.groups() if g) for c in header
                   if (m := LVEF_COLUMN.match(c))}
        if eid is None or not columns:
            continue
        table = pd.read_csv(csv, dtype={eid: str}, usecols=[eid, *columns])
        for column, instance in columns.items():
            for participant, value in zip(table[eid], table[column], strict=True):
                if pd.notna(value):
                    values[(participant, instance)] = float(value)
    return values


def discover(root: Path) -> Iterator[SourceStudy]:
    """One study per participant and imaging instance, from the 20208 and 20209 zips."""
    root = Path(root)
    zips: dict[tuple[str, str], list[tuple[str, Path]]] = defaultdict(list)
    for path in sorted(root.glob("*.zip")):
        match = ZIP_NAME.match(path.name)
        if match:
            eid, field, instance, _ = match.groups()
            zips[(eid, instance)].append((field, path))
    lvef = lvef_table(root)
    for (eid, instance), archives in sorted(zips.items()):
        files = []
        for field, path in archives:
            with zipfile.ZipFile(path) as archive:
                members = sorted(n for n in archive.namelist() if n.lower().endswith(".dcm"))
            files += [FileRef(path, member=m, display=f"{field}/{Path(m).name}")
                      for m in members]
        labels = {"lvef": lvef[(eid, instance)]} if (eid, instance) in lvef else {}
        yield SourceStudy(key=f"{eid}_{instance}", patient=eid, files=tuple(files),
                          labels=labels, meta={"instance": int(instance)})


@hookimpl
def cmrbench_datasets() -> list[DatasetSpec]:
    return [DatasetSpec(name=NAME, description="UK Biobank CMR zips (20208/20209), LVEF 22420",
                        discover=discover, views=("4CH", "3CH", "2CH", "SAX"),
                        labels={"lvef": "continuous"}, card=card_path(NAME))]
