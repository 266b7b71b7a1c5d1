"""README's leaderboard example, run verbatim: phantom -> ingest -> two runs -> compare ->
submit -> verify -> build -> rerun. A submitted run's recomputed metrics must equal its own
result.json exactly: both are computed by the task from the same predictions file read back
from disk, with the same truth."""

from __future__ import annotations

import csv
import json

import yaml
from cmrbench import stats
from cmrbench.cli import build_parser
from cmrbench.cli.commands.run import config_from_args


def test_submitted_metrics_equal_each_runs_result_json(readme_leaderboard):
    folder, _ = readme_leaderboard
    (entry_file,) = (folder / "board").glob("lvef-linear--*.json")
    entry = json.loads(entry_file.read_text())
    assert [run["seed"] for run in entry["runs"]] == [0, 1]
    for run, seed in zip(entry["runs"], ("seed0", "seed1"), strict=True):
        result = json.loads((folder / "runs" / seed / "result.json").read_text())
        assert run["metrics"] == result["metrics"]
        assert run["matches_result_json"] is True
        assert run["submitted"]["sha256"] == result["predictions"]["sha256"]
        assert run["cost"] == result["cost"] and run["config"] == result["config"]


def test_the_board_verifies_and_is_written_in_every_format(readme_leaderboard):
    folder, outputs = readme_leaderboard
    verify = next(out for line, out in outputs.items() if "leaderboard verify" in line)
    assert "1 entries, 0 flagged" in verify
    assert {p.name for p in (folder / "site").iterdir()} == {
        "index.html", "leaderboard.md", "leaderboard.csv", "metrics.csv"}
    rows = list(csv.DictReader((folder / "site" / "leaderboard.csv").open()))
    (row,) = [r for r in rows if r["benchmark"] == "lvef-linear"]
    assert (row["name"], row["status"], row["seeds"], row["group"]) == (
        "r3d-18-tiny-random", "verified", "2", "1")
    assert float(row["device_hours"]) > 0 and float(row["peak_memory_bytes"]) > 0


def test_compare_writes_paired_tests_with_both_corrections(readme_leaderboard):
    folder, outputs = readme_leaderboard
    printed = next(out for line, out in outputs.items() if line.startswith("cmrbench compare"))
    assert printed.startswith("A: runs/seed0 (1 run(s))\nB: runs/seed1 (1 run(s))")
    rows = list(csv.DictReader((folder / "compare.csv").open()))
    boot = [r for r in rows if r["test"] == "bootstrap"]
    assert {"mae", "rmse", "hf_auroc"} <= {r["name"] for r in boot}
    tested = [r for r in boot if r["p_value"] not in ("", "nan")]
    raw = [float(r["p_value"]) for r in tested]
    assert [float(r["p_holm"]) for r in tested] == list(stats.holm(raw))
    assert [float(r["p_bh"]) for r in tested] == list(stats.benjamini_hochberg(raw))


def test_rerun_prints_a_command_that_reproduces_the_config(readme_leaderboard):
    folder, outputs = readme_leaderboard
    printed = next(out for line, out in outputs.items() if "leaderboard rerun" in line)
    first = printed.splitlines()[0]
    args = build_parser().parse_args(first.split()[1:])
    rerun = config_from_args(args).as_dict()
    original = yaml.safe_load((folder / "runs" / "seed0" / "config.yaml").read_text())
    assert (rerun["store"], rerun["out"]) == ("STORE", "RUN_DIR")
    assert {k: v for k, v in rerun.items() if k not in ("store", "out")} == {
        k: v for k, v in original.items() if k not in ("store", "out")}
