"""Ingest sweeps (``kind: ingest``): the shards of one dataset as local jobs (whose store equals
a single-process ingest's, byte for byte: studies, index, report) or as a SLURM array, one
task per shard. Three shards merged are tested in process in
tests/harness/ingest/test_ingest_shards.py; a SLURM-submitted job run under SLURM's
environment in test_sweep_slurm.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from cmrbench.cli import main
from cmrbench.sweeps.jobs import ingest_shards
from submitit.core.utils import DelayedSubmission

from .conftest import sbatch_lines, store_bytes, write_grid


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A 6-study phantom and the bytes of its single-process store."""
    root = tmp_path_factory.mktemp("ingest-sweep")
    assert main(["phantom", "--layout", "clinical", "--n", "6", "--seed", "1", "--out",
                 str(root / "source"), "--matrix", "48", "--frames", "8", "--quiet"]) == 0
    assert main(["ingest", "phantom", str(root / "source"), "--out", str(root / "single"),
                 "--workers", "1", "--no-progress"]) == 0
    return root / "source", store_bytes(root / "single")


def ingest_grid(folder: Path, source: Path, **executor) -> Path:
    return write_grid(folder / "ingest.yaml", {
        "kind": "ingest", "out": "ingest-sweep", "dataset": "phantom", "source": str(source),
        "store": "sharded", "shards": 2, **executor})


def test_local_shard_jobs_write_the_single_process_store(source, tmp_path, capsys):
    grid = ingest_grid(tmp_path, source[0], local={"workers": 1})
    assert main(["sweep", str(grid), "--no-progress"]) == 0
    assert len(list((tmp_path / "ingest-sweep" / "jobs").glob("*_submitted.pkl"))) == 1
    assert store_bytes(tmp_path / "sharded") == source[1]
    capsys.readouterr()
    assert main(["sweep", str(grid), "--no-progress"]) == 0
    assert "nothing to run: 2 shard(s) done" in capsys.readouterr().out


def test_a_slurm_ingest_sweep_is_one_array_task_per_shard(source, tmp_path, fake_slurm):
    grid = ingest_grid(tmp_path, source[0], slurm={"partition": "cpu", "cpus_per_task": 2},
                       cleaner="builtin")
    assert main(["sweep", str(grid), "--executor", "slurm"]) == 0
    [(script, _)] = fake_slurm.calls()
    assert {"#SBATCH --array=0-1%2", "#SBATCH --partition=cpu",
            "#SBATCH --cpus-per-task=2"} <= sbatch_lines(script)
    for index in range(2):
        task = DelayedSubmission.load(tmp_path / "ingest-sweep" / "jobs" / f"4242_{index}" /
                                      f"4242_{index}_submitted.pkl")
        assert task.function is ingest_shards
        assert task.args == ([["ingest", "phantom", str(source[0]), "--out",
                               str(tmp_path / "sharded"), "--shard", f"{index}/2", "--workers",
                               "1", "--no-progress", "--cleaner", "builtin"]],)
