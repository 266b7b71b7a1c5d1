"""UK Biobank layout: one zip per participant and field, flat DICOMs and a manifest inside.

``<eid>_20208_2_0.zip`` holds the long-axis series (``CINE_segmented_LAX_2Ch/3Ch/4Ch``),
``<eid>_20209_2_0.zip`` the short-axis stack (``CINE_segmented_SAX_b1`` .. ``bN`` from the base,
plus a derived ``CINE_segmented_SAX_InlineVF`` series spanning the stack, the end-diastolic and
end-systolic image of every slice, that loaders must skip). DICOM files are flat, named by SOP
instance UID and stored in shuffled order: order frames by TriggerTime.

Each zip has a manifest with the real columns ``filename, patientid, studyid, aetitle, date,
seriesid, series discription`` (sic). Like the real files, the date ("Aug 30, 2015") carries an
unquoted comma, so a naive CSV reader sees one field more than the header: loaders must repair
the date first. Some zips name the manifest ``manifest.cvs`` (sic), as real downloads do.

Field 22420 (LVEF, %) and 22421/22422 (LV end-diastolic/-systolic volume, ml), as integers,
come in the three export styles, participants taking turns: ``ukb_cmr_phenotypes.csv``
(legacy ukbconv: ``eid``, ``22420-2.0``), ``rap_table_export.csv`` (RAP table exporter:
``eid``, ``p22420_i2``) and ``dx_extract_dataset.csv`` (dx extract_dataset:
``participant.eid``, ``participant.p22420_i2``).

Planted quirks, by the participant's position in the cohort, reported in truth.csv's
``quirks``: the first has single-series exports, one ``CINE_segmented_SAX`` series holding
every slice (base first) and one ``CINE_segmented_LAX`` series holding 3Ch, 4Ch and 2Ch in that
order; the second had slice b3 acquired twice, the failed first attempt 3 mm from the good
repeat, which is a later series of the same name (ukbb_cardiac keeps the last); the third has an
extra slice ``CINE_segmented_SAX_b<N+1>`` planned 25 degrees off the stack.
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
from cmrbench.phantom.writers._quirks import displaced, motion_corrupted, tilted

REQUIRED_VIEWS = ("SAX", "4CH", "3CH", "2CH")
LONG_AXIS_FIELD = 20208
SHORT_AXIS_FIELD = 20209
MANIFEST_COLUMNS = ("filename", "patientid", "studyid", "aetitle", "date", "seriesid",
                    "series discription")
INLINE_VF = "CINE_segmented_SAX_InlineVF"
SINGLE_SAX, SINGLE_LAX = "CINE_segmented_SAX", "CINE_segmented_LAX"
SINGLE_LAX_ORDER = ("3CH", "4CH", "2CH")
SINGLE_SERIES, MOVED_REPEAT, OBLIQUE_SLICE = "single_series", "moved_repeat", "oblique_slice"
QUIRKS = (SINGLE_SERIES, MOVED_REPEAT, OBLIQUE_SLICE)
REPEATED_SLICE, MOVED_MM, OBLIQUE_DEG = 2, 3.0, 25.0  # b3
# file name, eid column, LVEF/EDV/ESV columns: legacy ukbconv, RAP table exporter, dx extract
PHENOTYPE_STYLES = (
    ("ukb_cmr_phenotypes.csv", "eid", ("22420-2.0", "22421-2.0", "22422-2.0")),
    ("rap_table_export.csv", "eid", ("p22420_i2", "p22421_i2", "p22422_i2")),
    ("dx_extract_dataset.csv", "participant.eid",
     ("participant.p22420_i2", "participant.p22421_i2", "participant.p22422_i2")),
)
PHENOTYPES_FILE = PHENOTYPE_STYLES[0][0]
_P_MISSPELT_MANIFEST = 0.3

Series = list[tuple[SeriesSpec, np.ndarray | None, dict[str, object]]]


def write(studies: Iterable[PhantomStudy], out: Path) -> dict[str, str]:
    """Write both zips of every participant and the phenotype tables."""
    phenotypes: list[list[tuple[int, int, int, int]]] = [[] for _ in PHENOTYPE_STYLES]
    planted = {}
    for position, study in enumerate(studies):
        rng = study_rng(study, "ukbb-zip")
        quirk = QUIRKS[position] if position < len(QUIRKS) else ""
        quirks = [quirk] if quirk else []
        for field, series in ((LONG_AXIS_FIELD, _long_axis(study, quirk)),
                              (SHORT_AXIS_FIELD, _short_axis(study, quirk))):
            manifest = "manifest.cvs" if rng.random() < _P_MISSPELT_MANIFEST else "manifest.csv"
            if manifest == "manifest.cvs":
                quirks.append(f"manifest_cvs_{field}")
            _write_zip(study, series, out / f"{study.study_id}_{field}_2_0.zip", manifest, rng)
        style = position % len(PHENOTYPE_STYLES)
        if style:
            quirks.append(f"lvef_{PHENOTYPE_STYLES[style][0].split('_')[0]}")
        if quirks:
            planted[study.study_id] = ";".join(quirks)
        phenotypes[style].append((int(study.study_id), round(study.lvef), round(study.edv_ml),
                                  round(study.esv_ml)))
    for (name, eid, columns), rows in zip(PHENOTYPE_STYLES, phenotypes, strict=True):
        if rows:
            with open(out / name, "w", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow([eid, *columns])
                writer.writerows(sorted(rows))
    return planted


def _long_axis(study: PhantomStudy, quirk: str) -> Series:
    names = study.scanner.descriptions
    if quirk == SINGLE_SERIES:
        uid = phantom_uid(study, "series", SINGLE_LAX)
        frames = study.views["2CH"].n_frames
        return [(SeriesSpec(view, 0, 5, SINGLE_LAX, uid, first_instance=1 + k * frames), None,
                 {}) for k, view in enumerate(SINGLE_LAX_ORDER)]
    return [(SeriesSpec(view, 0, number, names[view], phantom_uid(study, "series", view)), None,
             {}) for number, view in enumerate(("2CH", "3CH", "4CH"), start=5)]


def _short_axis(study: PhantomStudy, quirk: str) -> Series:
    sax = study.views["SAX"]
    names = study.scanner.descriptions
    n = sax.n_slices
    if quirk == SINGLE_SERIES:
        uid = phantom_uid(study, "series", SINGLE_SAX)
        series: Series = [(SeriesSpec("SAX", k, 10, SINGLE_SAX, uid,
                                      first_instance=1 + k * sax.n_frames), None, {})
                          for k in range(n)]
    else:
        series = [(SeriesSpec("SAX", k, 10 + k, names["SAX"].format(n=k + 1),
                              phantom_uid(study, "series", "SAX", k)), None, {})
                  for k in range(n)]
    if quirk == MOVED_REPEAT:
        spec, _, _ = series[REPEATED_SLICE]
        series[REPEATED_SLICE] = (spec, motion_corrupted(sax.cine[REPEATED_SLICE], study),
                                  displaced(sax, REPEATED_SLICE, MOVED_MM))
        series.append((SeriesSpec("SAX", REPEATED_SLICE, 10 + n + 1, spec.description,
                                  phantom_uid(study, "series", "SAX", "repeat")), None, {}))
    if quirk == OBLIQUE_SLICE:
        series.append((SeriesSpec("SAX", n // 2, 10 + n + 1, names["SAX"].format(n=n + 1),
                                  phantom_uid(study, "series", "SAX", "oblique")),
                       np.flip(sax.cine[n // 2], axis=1), tilted(sax, n // 2, OBLIQUE_DEG)))
    return series + _inline_vf(study)


def _inline_vf(study: PhantomStudy) -> Series:
    """The derived InlineVF series: the ED and ES image of every slice, one series."""
    sax = study.views["SAX"]
    uid = phantom_uid(study, "series", INLINE_VF)
    phases = [study.ed_frame, study.es_frame]
    return [(SeriesSpec("SAX", k, 10 + sax.n_slices + 2, INLINE_VF, uid,
                        first_instance=1 + 2 * k), sax.cine[k][phases], {})
            for k in range(sax.n_slices)]


def _write_zip(study: PhantomStudy, series: Series, path: Path, manifest_name: str,
               rng: np.random.Generator) -> None:
    identity = study.identity
    date = dt.datetime.strptime(identity.study_date + identity.study_time, "%Y%m%d%H%M%S")
    header = {"PatientID": study.study_id, "PatientName": study.study_id,
              "StudyInstanceUID": phantom_uid(study, "study")}
    aetitle = study.site.removeprefix("UKB_")[:12] + "MR"
    members = []
    for spec, pixels, overrides in series:
        extra = {"ImageType": ["DERIVED", "SECONDARY"]} if spec.description == INLINE_VF else {}
        for encoded in encode_series(study, spec, {**header, **extra, **overrides}, pixels):
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
