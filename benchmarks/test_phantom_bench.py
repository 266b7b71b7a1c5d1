"""Timings of the phantom cohort (pytest-benchmark); nothing here asserts a time.

Run with ``python -m pytest benchmarks/test_phantom_bench.py -s``: per-study seconds and the
encoder's ratio to pydicom's own writer (through the ``timing`` fixture of ``conftest.py``)
are printed and stored in each benchmark's extra_info.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pydicom
import pytest
from cmrbench.phantom import LAYOUTS, generate_cohort, write_layout
from cmrbench.phantom.writers._dicom import SeriesSpec, encode_series, phantom_uid

ROUNDS = 3
STUDIES = 5


def test_series_encoder_vs_pydicom_dcmwrite(benchmark, timing) -> None:
    study = generate_cohort(1, 0, "kaggle", views=["SAX"])[0]
    spec = SeriesSpec("SAX", 2, 7, "sax", phantom_uid(study, "series"))
    header = {"PatientID": study.study_id, "StudyInstanceUID": phantom_uid(study, "study")}
    files = benchmark.pedantic(lambda: list(encode_series(study, spec, header)),
                               rounds=ROUNDS, iterations=1)
    template = pydicom.dcmread(io.BytesIO(files[0].data))

    def pydicom_dcmwrite() -> None:
        for encoded in files:  # the plain way: mutate one dataset, dcmwrite every frame
            template.SOPInstanceUID = encoded.sop_instance_uid
            template.file_meta.MediaStorageSOPInstanceUID = encoded.sop_instance_uid
            template.InstanceNumber = encoded.frame + 1
            template.PixelData = study.views["SAX"].cine[2, encoded.frame].tobytes()
            pydicom.dcmwrite(io.BytesIO(), template, enforce_file_format=True)

    pydicom_s = timing.seconds(pydicom_dcmwrite, rounds=1)
    timing.report(benchmark, f"encode_series, {len(files)} frames", pydicom_s,
                  "pydicom dcmwrite", stat="min")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generate_and_write_a_cohort(benchmark, layout: str, tmp_path: Path) -> None:
    runs = itertools.count()

    def generate_and_write() -> None:
        write_layout(layout, generate_cohort(STUDIES, 0, layout), tmp_path / str(next(runs)))

    benchmark.pedantic(generate_and_write, rounds=1, iterations=1)
    per_study = benchmark.stats.stats.min / STUDIES
    benchmark.extra_info.update({"seconds_per_study": per_study})
    print(f"\n{layout}: {per_study:.2f} s per study at the layout's own matrix and frames")
