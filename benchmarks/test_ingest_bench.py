"""Ingest throughput against bare pydicom parsing of the same files (pytest-benchmark).

Run with ``python -m pytest benchmarks/test_ingest_bench.py -s``. The ratio (fastest ingest /
fastest pydicom pass, through the ``timing`` fixture of ``conftest.py``) is printed and stored
in ``extra_info``; nothing here asserts a time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom
import pytest
from cmrbench.cards import load_card
from cmrbench.ingest import ingest
from cmrbench.phantom import generate_cohort, write_layout
from cmrbench.registry import get_registry

ROUNDS = 3


@pytest.fixture(scope="module")
def kaggle_source(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("bench") / "kaggle"
    write_layout("kaggle", generate_cohort(6, seed=0, layout="kaggle"), source)
    return source


def parse_all(files: list[Path]) -> int:
    """The raw baseline: read every file with pydicom and decode its pixels."""
    return sum(int(pydicom.dcmread(path).pixel_array.size) for path in files)


def test_ingest_vs_bare_pydicom(benchmark, kaggle_source, tmp_path, timing) -> None:
    files = sorted(kaggle_source.rglob("*.dcm"))
    spec = get_registry().dataset("kaggle-dsb")
    card = load_card(spec.card)
    store = tmp_path / "store"

    def run_ingest() -> None:
        shutil.rmtree(store, ignore_errors=True)
        ingest(spec.discover(kaggle_source), card, store, decode=spec.decode, progress=False)

    benchmark.pedantic(run_ingest, rounds=ROUNDS, iterations=1)
    baseline_s = timing.seconds(lambda: parse_all(files), rounds=ROUNDS, stat="min")
    benchmark.extra_info["files"] = len(files)
    timing.report(benchmark, f"ingest of {len(files)} DICOM files", baseline_s,
                  "bare pydicom parsing", stat="min")
