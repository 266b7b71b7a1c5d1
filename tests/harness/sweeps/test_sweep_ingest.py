"""Ingest sweeps (``kind: ingest``): the shards of one dataset as local jobs or a SLURM array
writing one store (the array's tasks all at once); the store equals a single-process ingest's,
byte for byte (studies, index, report). Two shards keep the subprocesses few; three shards
merged are tested in process in tests/harness/ingest/test_ingest_shards.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from cmrbench.cli import main

from .conftest import sbatch_lines, slurm_task, store_bytes, succeeded, write_grid


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


def test_a_slurm_array_of_shards_run_at_once_writes_the_single_process_store(source, tmp_path,
                                                                             fake_slurm):
    grid = ingest_grid(tmp_path, source[0], slurm={"partition": "cpu", "cpus_per_task": 2})
    assert main(["sweep", str(grid), "--executor", "slurm"]) == 0
    [(script, _)] = fake_slurm.calls()
    assert {"#SBATCH --array=0-1%2", "#SBATCH --partition=cpu",
            "#SBATCH --cpus-per-task=2"} <= sbatch_lines(script)
    tasks = [slurm_task(script, SLURM_JOB_ID=str(5000 + i), SLURM_ARRAY_JOB_ID="4242",
                        SLURM_ARRAY_TASK_ID=str(i)) for i in range(2)]  # both at once
    assert all(succeeded(task) for task in tasks)
    assert store_bytes(tmp_path / "sharded") == source[1]
