"""UK Biobank layout: one zip per participant and field, flat DICOMs and a manifest inside.

``<eid>_20208_2_0.zip`` holds the long-axis series (``CINE_segmented_LAX_2Ch/3Ch/4Ch``),
``<eid>_20209_2_0.zip`` the short-axis stack (``CINE_segmented_SAX_b1`` .. ``bN`` from the base,
plus a derived ``CINE_segmented_SAX_InlineVF`` series that loaders must skip). DICOM files are
flat, named by SOP instance UID and stored in shuffled order: order frames by TriggerTime.

Each zip has a manifest with the real columns ``filename, patientid, studyid, aetitle, date,
seriesid, series discription`` (sic). Like the real files, the date ("Aug 30, 2015") carries an
unquoted comma, so a naive CSV reader sees one field more than the header: loaders must repair
the date first. Some zips name the manifest ``manifest.cvs`` (sic), as real downloads do.

``ukb_cmr_phenotypes.csv`` holds the imaging-derived phenotypes by ``eid``: ``22420-2.0`` LVEF
(%), ``22421-2.0`` LV end-diastolic and ``22422-2.0`` end-systolic volume (ml), as integers.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from cmrbench.phantom.study import PhantomStudy
from cmrbench.phantom.writers._dicom import SeriesSpec, encode_series, phantom_uid
from cmrbench.phantom.writers._files import add_to_zip, study_rng

REQUIRED_VIEWS = ("SAX", "4CH", "3CH", "2CH")
LONG_AXIS_FIELD = 20208
SHORT_AXIS_FIELD = 20209
PHENOTYPES_FILE = "ukb_cmr_phenotypes.csv"
MANIFEST_COLUMNS = ("filename", "patientid", "studyid", "aetitle", "date", "seriesid",
                    "series discription")
INLINE_VF = "CINE_segmented_SAX_InlineVF"
_P_MISSPELT_MANIFEST = 0.3


def write(studies: Iterable[PhantomStudy], out: Path) -> dict[str, str]:
    """Write both zips of every participant and the phenotype table."""
    phenotypes = []
    planted = {}
    for study in studies:
        rng = study_rng(study, "ukbb-zip")
        quirks = []
        for field, series in ((LONG_AXIS_FIELD, _long_axis(study)),
                              (SHORT_AXIS_FIELD, _short_axis(study))):
            manifest = "manifest.cvs" if rng.random() < _P_MISSPELT_MANIFEST else "manifest.csv"
            if manifest == "manifest.cvs":
                quirks.append(f"manifest_cvs_{field}")
            _write_zip(study, series, out / f"{study.study_id}_{field}_2_0.zip", manifest, rng)
        if quirks:
            planted[study.study_id] = ";".join(quirks)
        phenotypes.append((int(study.study_id), round(study.lvef), round(study.edv_ml),
                           round(study.esv_ml)))
    with open(out / PHENOTYPES_FILE, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["eid", "22420-2.0", "22421-2.0", "22422-2.0"])
        writer.writerows(sorted(phenotypes))
    return planted


def _long_axis(study: PhantomStudy) -> list[tuple[SeriesSpec, np.ndarray | None]]:
    names = study.scanner.descriptions
    return [(SeriesSpec(view, 0, number, names[view], phantom_uid(study, "series", view)), None)
            for number, view in enumerate(("2CH", "3CH", "4CH"), start=5)]


def _short_axis(study: PhantomStudy) -> list[tuple[SeriesSpec, np.ndarray | None]]:
    sax = study.views["SAX"]
    names = study.scanner.descriptions
    series: list[tuple[SeriesSpec, np.ndarray | None]] = [
        (SeriesSpec("SAX", k, 10 + k, names["SAX"].format(n=k + 1),
                    phantom_uid(study, "series", "SAX", k)), None)
        for k in range(sax.n_slices)]
    mid = sax.n_slices // 2
    derived = sax.cine[mid][[study.ed_frame, study.es_frame]]
    series.append((SeriesSpec("SAX", mid, 10 + sax.n_slices, INLINE_VF,
                              phantom_uid(study, "series", INLINE_VF)), derived))
    return series


def _write_zip(study: PhantomStudy, series: list[tuple[SeriesSpec, np.ndarray | None]],
               path: Path, manifest_name: str, rng: np.random.Generator) -> None:
    identity = study.identity
    date = dt.datetime.strptime(identity.study_date + identity.study_time, "%Y%m%d%H%M%S")
    header = {"PatientID": study.study_id, "PatientName": study.study_id,
              "StudyInstanceUID": phantom_uid(study, "study")}
    aetitle = study.site.removeprefix("UKB_")[:12] + "MR"
    members = []
    for spec, pixels in series:
        extra = {"ImageType": ["DERIVED", "SECONDARY"]} if spec.description == INLINE_VF else {}
        for encoded in encode_series(study, spec, {**header, **extra}, pixels):
            members.append((f"{encoded.sop_instance_uid}.dcm", encoded.data, spec))
    order = rng.permutation(len(members))
    lines = [",".join(MANIFEST_COLUMNS)]
    with zipfile.ZipFile(path, "w") as archive:
        for i in order:
            name, data, spec = members[i]
            add_to_zip(archive, name, data, date.timetuple()[:6])
            lines.append(",".join((name, study.study_id, header["StudyInstanceUID"], aetitle,
                                   date.strftime("%b %d, %Y"), spec.series_uid,
                                   spec.description)))
        add_to_zip(archive, manifest_name, ("\n".join(lines) + "\n").encode(),
                   date.timetuple()[:6])
