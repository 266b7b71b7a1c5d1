"""Sweep files: validated at the edge (every error names the field), expanded into resolved
runs named by the hash of their configuration, and each run's state read from its folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cmrbench.cli import main
from cmrbench.sweeps.expand import expand
from cmrbench.sweeps.grid import load_grid
from cmrbench.sweeps.launch import sweep_runs
from cmrbench.sweeps.manifest import record_attempt, record_end
from cmrbench.sweeps.options import ExecutorOptions

from .conftest import write_grid

FIXED = {"encoder": "r3d-18-tiny", "dataset": "phantom", "task": "lvef", "mode": "linear"}


def runs_grid(folder: Path, store: Path, **changes) -> Path:
    data = {"out": "sweep", "grid": {"fraction": [1.0, 0.5], "seed": [0, 1]},
            "fixed": {**FIXED, "store": str(store), "max_steps": 2}, **changes}
    return write_grid(folder / "grid.yaml", data)


@pytest.mark.parametrize(("changes", "message"), [
    ({"out": None}, "out: missing"),
    ({"grd": {}}, "unknown key(s) ['grd']"),
    ({"kind": "train"}, "kind: 'train' is not one of"),
    ({"grid": {"encoderz": ["x"]}}, "grid.encoderz: not a RunConfig field"),
    ({"grid": {"seed": 0}}, "grid.seed: expected a non-empty list of values"),
    ({"grid": [{"seed": [0]}, {"lr": []}]}, "grid[1].lr: expected a non-empty list"),
    ({"fixed": {**FIXED, "out": "x"}}, "fixed.out: set by the sweep"),
    ({"slurm": {"partitions": "gpu"}}, "slurm.partitions: unknown option"),
    ({"slurm": {"mem_gb": "lots"}}, "mem_gb: 'lots' is not a valid number"),
    ({"slurm": {"nodes": 2}, "executor": "slurm"}, "nodes: 2 nodes need gpus_per_node >= 1"),
    ({"local": {"workers": 0}}, "workers: must be at least 1"),
    ({"grid": {"fraction": [2.0]}}, "run fraction=2.0: fraction: 2.0 must lie in (0, 1]"),
    ({"grid": {"task": ["lvf"]}}, "run task=lvf: "),
    ({"grid": {"mode": ["zero"]}}, "run mode=zero: mode: 'zero' is not one of"),
])
def test_a_bad_sweep_file_is_refused_naming_the_field(sweep_store, tmp_path, capsys, changes,
                                                      message):
    grid = runs_grid(tmp_path, sweep_store, **changes)
    assert main(["sweep", str(grid), "--dry-run"]) == 2
    error = capsys.readouterr().err
    assert message in error and str(grid) in error
    assert not (tmp_path / "sweep").exists()


def test_a_field_the_executor_places_cannot_be_set_otherwise(sweep_store, tmp_path, capsys):
    grid = runs_grid(tmp_path, sweep_store, fixed={**FIXED, "store": str(sweep_store),
                                                   "devices": "1"})
    assert main(["sweep", str(grid), "--dry-run", "--executor", "slurm",
                 "--gpus-per-node", "4"]) == 2
    assert "devices: '1' conflicts with the executor's placement" in capsys.readouterr().err


def test_runs_are_the_product_of_each_block_named_by_their_resolved_config(sweep_store,
                                                                           tmp_path):
    grid = load_grid(runs_grid(tmp_path, sweep_store, grid=[
        {"fraction": [1.0, 0.5], "seed": [0, 1]}, {"fraction": [1.0], "seed": [0, 2]}]))
    runs = expand(grid)
    assert [(r.axes["fraction"], r.axes["seed"]) for r in runs] == [
        (1.0, 0), (1.0, 1), (0.5, 0), (0.5, 1), (1.0, 2)]  # (1.0, 0) twice is one run
    for run in runs:
        config = run.config.as_dict()
        assert (config["lr"], config["weight_decay"]) == (1e-4, 0.01)  # the task's defaults
        assert config["store"] == str(sweep_store) and Path(config["out"]).is_absolute()
        fields = {k: v for k, v in config.items() if k != "out"}
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
        assert run.run_id == digest[:16] and Path(config["out"]) == tmp_path / "sweep" / (
            "runs") / run.run_id
    assert len({run.run_id for run in runs}) == 5


def test_the_hash_changes_with_any_field_but_not_with_the_sweep_folder(sweep_store, tmp_path):
    base = expand(load_grid(runs_grid(tmp_path, sweep_store)))
    (tmp_path / "b").mkdir()
    moved = expand(load_grid(runs_grid(tmp_path / "b", sweep_store, out="elsewhere")))
    assert [r.run_id for r in moved] == [r.run_id for r in base]
    (tmp_path / "c").mkdir()
    other = expand(load_grid(runs_grid(tmp_path / "c", sweep_store, fixed={
        **FIXED, "store": str(sweep_store), "max_steps": 2, "lr": 1e-3})))
    assert not {r.run_id for r in other} & {r.run_id for r in base}


def test_relative_paths_are_relative_to_the_sweep_file(sweep_store, tmp_path):
    (tmp_path / "w.pth").write_bytes(b"")  # only its existence is checked before the run
    grid = load_grid(runs_grid(tmp_path, sweep_store, grid={"weights": ["w.pth"]}))
    [run] = expand(grid)
    assert run.config.weights == str(tmp_path / "w.pth") and grid.out == tmp_path / "sweep"


def test_a_tag_not_in_the_weights_cache_is_refused_before_anything_runs(
        sweep_store, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CMRBENCH_CACHE", str(tmp_path / "empty-cache"))
    grid = runs_grid(tmp_path, sweep_store, grid={"encoder": ["r3d-18"],
                                                  "weights": [None, "kinetics400"]})
    assert main(["sweep", str(grid), "--dry-run"]) == 2
    error = capsys.readouterr().err
    assert "run encoder=r3d-18, weights=kinetics400" in error
    assert "cmrbench weights fetch r3d-18.kinetics400" in error


def test_slurm_gpus_make_every_run_ddp_across_its_processes(sweep_store, tmp_path):
    runs = expand(load_grid(runs_grid(tmp_path, sweep_store)),
                  ExecutorOptions(executor="slurm", gpus_per_node=4, nodes=2).run_fields())
    assert {(r.config.accelerator, r.config.devices, r.config.num_nodes, r.config.strategy)
            for r in runs} == {("gpu", "4", 2, "ddp")}
    one = ExecutorOptions(executor="slurm", gpus_per_node=1).run_fields()
    assert one == {"accelerator": "gpu", "devices": "1", "num_nodes": 1, "strategy": "auto"}
    assert ExecutorOptions(executor="local", gpus=2).run_fields() == {"accelerator": "gpu",
                                                                      "devices": "1"}
    assert ExecutorOptions().run_fields() == {}


def test_each_runs_state_is_read_from_its_folder(sweep_store, tmp_path):
    """finished: result.json; resume: a checkpoint (or an attempt that never ended); retry: the
    last attempt failed; new: nothing yet."""
    grid = load_grid(runs_grid(tmp_path, sweep_store))
    finished, resume, retry, new = (run.run_id for run in expand(grid))
    runs = tmp_path / "sweep" / "runs"
    (runs / finished).mkdir(parents=True)
    (runs / finished / "result.json").write_text("{}")
    (runs / resume / "checkpoints").mkdir(parents=True)
    (runs / resume / "checkpoints" / "last.ckpt").write_bytes(b"")
    record_attempt(grid.out, retry, None)
    record_end(grid.out, retry, "failed", "ValueError: broken")
    printed: list[str] = []
    assert sweep_runs(grid, ExecutorOptions(), dry_run=True, echo=printed.append) == 0
    table = printed[0]
    for run_id, state in ((finished, "finished"), (resume, "resume"), (retry, "retry"),
                          (new, "new")):
        assert f"{run_id}  {state}" in table
    assert "3 item(s) would run in 1 local job(s)" in printed[1]
