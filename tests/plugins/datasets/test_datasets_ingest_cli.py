"""`cmrbench ingest` end to end: killed mid-way and resumed, it matches an uninterrupted run;
and no planted PHI value survives anywhere in what it writes."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cmrbench.cards import load_card
from cmrbench.cli import main
from cmrbench.ingest import ingest
from cmrbench.registry import get_registry


def cmrbench_ingest(dataset: str, source: Path, store: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cmrbench.cli", "ingest", dataset,
                             str(source), "--out", str(store), "--workers", "1",
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def store_digest(store: Path) -> dict[str, str]:
    files = sorted(store.glob("studies/*")) + [store / "index.csv"]
    return {p.relative_to(store).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files}


def test_sigkill_then_resume_equals_an_uninterrupted_run(clinical, tmp_path):
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    assert cmrbench_ingest("clinical", clinical.source, whole).wait(timeout=300) == 0
    process = cmrbench_ingest("clinical", clinical.source, resumed)
    deadline = time.monotonic() + 120
    while not list((resumed / "studies").glob("*.h5")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    written_before = len(list((resumed / "studies").glob("*.h5")))
    assert 0 < written_before < len(clinical.truth), "the kill must land mid-way"
    rerun = cmrbench_ingest("clinical", clinical.source, resumed)
    out, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0
    assert f"{written_before} already done" in out.decode()
    assert store_digest(resumed) == store_digest(whole)
    assert not list(resumed.rglob("*.partial"))


def test_parallel_and_serial_runs_write_the_same_bytes(ukbb, tmp_path):
    """The ukbb fixture was ingested with 2 workers; one worker must give the same files,
    index and report, byte for byte (both through the same call, so the same provenance)."""
    serial = tmp_path / "serial"
    spec = get_registry().dataset("ukbb")
    ingest(spec.discover(ukbb.source), load_card(spec.card), serial, decode=spec.decode,
           workers=1, progress=False, source=ukbb.source)
    parallel = ukbb.store.root
    assert len(store_digest(serial)) == len(ukbb.truth) + 1
    assert store_digest(serial) == store_digest(parallel)
    assert (serial / "ingest_report.json").read_bytes() == (
        parallel / "ingest_report.json").read_bytes()


def test_no_planted_phi_value_is_written_anywhere(clinical, tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["ingest", "clinical", str(clinical.source), "--out", str(store),
                 "--workers", "2"]) == 0
    logs = capsys.readouterr()
    planted = json.loads((clinical.source / "phi_planted.json").read_text())
    values = {str(v) for study in planted["studies"].values() for v in study.values()
              if len(str(v)) >= 4}
    names = [v for study in planted["studies"].values() for k, v in study.items()
             if "Name" in k or "Physician" in k]  # in headers, descriptions and reports
    values |= {word for v in names for word in re.split(r"[\^,. ]+", v) if len(word) >= 4}
    assert len(values) > 20 and {"ReportName", "ReportPhysician"} <= set(
        next(iter(planted["studies"].values())))
    written = [p for p in store.rglob("*") if p.is_file()]
    assert any(p.suffix == ".h5" for p in written) and (store / "ingest_report.json").exists()
    haystacks = [p.read_bytes() for p in written] + [logs.out.encode(), logs.err.encode()]
    leaks = {v for v in values for data in haystacks if v.encode() in data}
    assert leaks == set()


def test_unknown_dataset_and_bad_source_fail_with_guidance(tmp_path, capsys):
    assert main(["ingest", "kagle-dsb", str(tmp_path), "--out", str(tmp_path / "s")]) == 2
    assert "Did you mean 'kaggle-dsb'?" in capsys.readouterr().err
    assert main(["ingest", "acdc", str(tmp_path / "missing"), "--out", str(tmp_path)]) == 2
    assert "is not a directory" in capsys.readouterr().err


@pytest.mark.parametrize("workers", ["0"])
def test_workers_must_be_positive(tmp_path, capsys, workers):
    assert main(["ingest", "acdc", str(tmp_path), "--out", str(tmp_path / "s"),
                 "--workers", workers]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_the_report_names_the_dataset_plugin_and_the_harness(clinical, tmp_path):
    store = tmp_path / "store"
    assert main(["ingest", "phantom", str(clinical.source), "--out", str(store), "--workers",
                 "1", "--no-progress"]) == 0
    provenance = json.loads((store / "ingest_report.json").read_text())["provenance"]
    assert provenance["dataset_plugin"] == {"plugin": "phantom", "distribution": "cmrbench",
                                            "version": "0.1.0"}
    assert provenance["harness_version"] == "0.1.0" and "git_dirty" in provenance
